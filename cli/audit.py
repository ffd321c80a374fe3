"""``gridscope audit list``: the audit trail (全程留痕) from the command line, newest first;
``gridscope audit merge``: the rows read-only DuckDB replicas kept aside join the trail.

Reads ``audit_log`` through :func:`data.audit.list_audit` (named queries, bound parameters);
works with the reader role too. The trail cannot be changed from here or anywhere in GridScope.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta

from data.audit import ACTIONS, count_audit, list_audit
from data.audit_spool import merge_spool
from data.store import Store

from .common import add_store_options, settings_from_args, store_from_args, terminal_text

COLUMNS = ("seq", "at", "actor", "role", "action", "page", "details")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day (YYYY-MM-DD)") from None


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of rows from 1 to 1000000")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``audit`` sub-command and its ``list`` and ``merge`` actions."""
    p = sub.add_parser("audit", help="the audit trail: who did what and when (read only)")
    actions = p.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list audit rows, newest first (tab-separated)")
    listing.add_argument("--since", type=_day, help="first day (YYYY-MM-DD), inclusive")
    listing.add_argument("--until", type=_day, help="last day (YYYY-MM-DD), inclusive")
    listing.add_argument("--actor", help="only this user (as recorded: e-mail, subject or cli:NAME)")
    listing.add_argument("--action", dest="kind", choices=ACTIONS, help="only this action")
    listing.add_argument("--limit", type=_limit, default=100, help="at most this many rows (default 100)")
    listing.add_argument("--offset", type=int, default=0, help="skip this many rows first (paging)")
    add_store_options(listing)
    listing.set_defaults(func=run)
    merge = actions.add_parser(
        "merge", help="move the rows that read-only replicas kept in <database>.audit-spool/ into the trail"
    )
    add_store_options(merge)
    merge.set_defaults(func=run_merge)


def _merge(store: Store, args: argparse.Namespace) -> int:
    """Merge the DuckDB file's spool when the store is that file opened for writing."""
    settings = settings_from_args(args)
    if settings.backend != "duckdb" or store.read_only_file():
        return 0
    return merge_spool(store, settings.db_path)


def run_merge(args: argparse.Namespace) -> int:
    """``gridscope audit merge``: print how many spooled rows joined the trail; 0."""
    store = store_from_args(args)
    try:
        added = _merge(store, args)
    finally:
        store.close()
    print(f"{added} spooled audit row(s) merged", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Print the matching rows as tab-separated lines, the count on stderr; 0, or 2 with a message."""
    if args.since and args.until and args.since > args.until:
        print("gridscope audit: --since is after --until", file=sys.stderr)
        return 2
    filters = {
        "since": datetime.combine(args.since, datetime.min.time()) if args.since else None,
        "until": datetime.combine(args.until + timedelta(days=1), datetime.min.time()) if args.until else None,
        "actor": args.actor,
        "action": args.kind,
    }
    store = store_from_args(args)
    try:
        _merge(store, args)
        rows = list_audit(store, **filters, limit=args.limit, offset=max(0, args.offset))
        total = count_audit(store, **filters)
    finally:
        store.close()
    print("\t".join(COLUMNS))
    for row in rows.itertuples(index=False):
        values = ["" if v is None or v != v else str(v) for v in row]  # v != v: NaN
        print(terminal_text("\t".join(v.replace("\t", " ").replace("\n", " ") for v in values)))
    print(f"{len(rows)} of {total} row(s)", file=sys.stderr)
    return 0
