"""``gridscope users add|set|remove|list``: who may use the dashboard, with which role and streets.

Run it on the store's owner (``--db FILE`` or the admin ``--dsn``; the dashboard's reader role
may only read ``users``). A bad value is refused with what to fix and changes nothing.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from data.audit import record_audit
from data.store import Store, StoreReadOnly
from data.users import ROLES, User, UserError, add_user, list_users, parse_streets, remove_user, set_user, user_record

from .common import add_store_options, store_from_args, terminal_text


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``users`` sub-command and its ``add``, ``set``, ``remove`` and ``list`` actions."""
    p = sub.add_parser("users", help="dashboard users: add, change, remove, list (roles and street scope)")
    actions = p.add_subparsers(dest="action", required=True)
    streets_help = "comma-separated street area_ids the user may see (empty or omitted: the whole district)"

    add = actions.add_parser("add", help="add a user (give the OIDC subject, the e-mail or both)")
    add.add_argument("--subject", default="", help="OIDC subject (sub claim); default: the e-mail")
    add.add_argument("--email", default="", help="e-mail; matched on sign-in when the subject is not known")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--streets", default="", help=streets_help)

    change = actions.add_parser("set", help="change a user's role, streets, e-mail or name")
    change.add_argument("user", help="the user's subject or e-mail")
    change.add_argument("--role", choices=ROLES)
    change.add_argument("--email")
    change.add_argument("--name")
    change.add_argument("--streets", help=streets_help + "; '' for the whole district")

    remove = actions.add_parser("remove", help="remove a user (no access from their next page on)")
    remove.add_argument("user", help="the user's subject or e-mail")

    actions.add_parser("list", help="list users")
    for parser in (add, change, remove, actions.choices["list"]):
        add_store_options(parser)
        parser.set_defaults(func=run)


def _line(user: User) -> str:
    streets = ",".join(user.streets) or "(whole district)"
    return f"{user.subject}\t{user.email or '-'}\t{user.display_name or '-'}\t{user.role}\t{streets}"


def _audit(store: Store, details: dict[str, object]) -> None:
    """Record the change in the audit trail (data/audit.py)."""
    record_audit(store, actor=f"cli:{getpass.getuser()}", role="admin", action="user_change", details=details)


def run(args: argparse.Namespace) -> int:
    """Carry out one ``users`` action; 0 on success, 2 with a message for a refused value."""
    store = store_from_args(args)
    try:
        if args.action == "list":
            users = list_users(store)
            print("subject\temail\tname\trole\tstreets")
            for user in users:
                print(terminal_text(_line(user)))
            print(f"{len(users)} user(s)", file=sys.stderr)
            return 0
        if args.action == "add":
            user = add_user(
                store,
                role=args.role,
                subject=args.subject,
                email=args.email,
                display_name=args.name,
                streets=parse_streets(args.streets),
            )
            _audit(store, {"change": "add", "after": user_record(user)})
            print(terminal_text(f"added {_line(user)}"))
        elif args.action == "set":
            streets = None if args.streets is None else parse_streets(args.streets)
            before, after = set_user(
                store, args.user, role=args.role, email=args.email, display_name=args.name, streets=streets
            )
            if before == after:
                print(terminal_text(f"unchanged {_line(after)}"))
                return 0
            _audit(store, {"change": "set", "before": user_record(before), "after": user_record(after)})
            print(terminal_text(f"changed {_line(after)}"))
        else:
            user = remove_user(store, args.user)
            _audit(store, {"change": "remove", "before": user_record(user)})
            print(terminal_text(f"removed {_line(user)}"))
        store.checkpoint()
        return 0
    except UserError as exc:
        print(terminal_text(f"gridscope users: {exc}"), file=sys.stderr)
        return 2
    except StoreReadOnly as exc:
        print(terminal_text(f"gridscope users: this connection may not change users ({exc})"), file=sys.stderr)
        return 2
    except Exception as exc:
        if "read-only" in str(exc) or getattr(exc, "sqlstate", None) in ("25006", "42501"):
            print(
                "gridscope users: this connection may not change users; use the store owner's --dsn",
                file=sys.stderr,
            )
            return 2
        if "users" in str(exc) and ("does not exist" in str(exc) or "not found" in str(exc).lower()):
            print("gridscope users: the store has no users table yet; run `gridscope db init` first", file=sys.stderr)
            return 2
        raise
    finally:
        store.close()
