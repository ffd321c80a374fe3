"""``gridscope db``: create or upgrade the PostGIS schema, and show its state.

``gridscope db init --dsn postgresql://admin@host/gridscope`` creates the database when
it is missing, applies pending migrations (``queries/migrations/postgis``) and prints the
reader DSN the dashboard should use (``GRIDSCOPE_DSN``). Running it twice changes nothing.
"""

from __future__ import annotations

import argparse
import sys

import psycopg

from data.store import StoreUnavailable
from queries.postgis_migrations import (
    READER_ROLE,
    applied_versions,
    available_migrations,
    create_database_if_missing,
    migrate,
    set_reader_password,
)
from queries.postgis_pool import connection_error_reason, describe_dsn
from queries.settings import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``db init`` and ``db status``."""
    parser = subparsers.add_parser("db", help="PostGIS schema: init / upgrade / status")
    sub = parser.add_subparsers(dest="db_command", required=True)
    init = sub.add_parser("init", help="create or upgrade the schema (idempotent)")
    init.add_argument("--dsn", help="admin connection string (default: $GRIDSCOPE_DSN)")
    init.add_argument("--reader-password", help=f"set the password of the read-only role {READER_ROLE}")
    init.add_argument("--no-create-database", action="store_true", help="fail instead of creating a missing database")
    init.set_defaults(func=run_init)
    status = sub.add_parser("status", help="list applied and pending migrations")
    status.add_argument("--dsn", help="connection string (default: $GRIDSCOPE_DSN)")
    status.set_defaults(func=run_status)


def _dsn(args: argparse.Namespace) -> str:
    dsn = args.dsn or load_settings().dsn
    if not dsn:
        raise StoreUnavailable("no PostGIS connection string: pass --dsn or set GRIDSCOPE_DSN")
    return dsn


def _connect(dsn: str) -> psycopg.Connection:
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        reason = connection_error_reason(exc)
        raise StoreUnavailable(
            f"PostgreSQL at {describe_dsn(dsn)} is not reachable ({reason}); check that the server "
            "is running and the host, port, database, user and password"
        ) from exc


def reader_dsn(dsn: str) -> str:
    """The admin ``dsn`` with the user replaced by the read-only role (no password)."""
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    info.pop("password", None)
    info["user"] = READER_ROLE
    return psycopg.conninfo.make_conninfo(**info)


def run_init(args: argparse.Namespace) -> int:
    """Create the database if needed, apply pending migrations, report."""
    dsn = _dsn(args)
    if not args.no_create_database:
        try:
            if create_database_if_missing(dsn):
                print(f"created database {describe_dsn(dsn)}")
        except psycopg.Error as exc:
            print(f"note: could not check or create the database ({str(exc).strip()})", file=sys.stderr)
    with _connect(dsn) as conn:
        try:
            done = migrate(conn)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreUnavailable(
                f"{describe_dsn(dsn)} may not change the schema ({str(exc).strip()}); use an admin DSN, "
                f"not the read-only {READER_ROLE}"
            ) from exc
        if args.reader_password:
            set_reader_password(conn, args.reader_password)
            print(f"password of {READER_ROLE} set")
        collation = conn.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()").fetchone()[0]
    for m in done:
        print(f"applied {m.path.name}")
    print(f"schema up to date at version {available_migrations()[-1].version} ({len(done)} applied now)")
    print(f"dashboard: GRIDSCOPE_DSN='{reader_dsn(dsn)}' (read-only role {READER_ROLE})")
    if collation not in ("C", "C.UTF-8", "C.utf8", "POSIX"):
        print(f'note: database collation is {collation}; GridScope columns use COLLATE "C" regardless')
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Print every migration with applied / pending."""
    with _connect(_dsn(args)) as conn:
        applied = applied_versions(conn)
    pending = 0
    for m in available_migrations():
        state = "applied" if m.version in applied else "pending"
        pending += state == "pending"
        print(f"{m.version:03d} {m.name:<24} {state}")
    return 1 if pending else 0
