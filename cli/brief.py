"""``gridscope brief``: the weekly review meeting's brief (周例会简报) as ``brief.html`` and
``brief.pdf``, from the same answer services as the dashboard (:mod:`queries.answers.brief`)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import dashboard.brief as dashboard_brief
from queries import open_store
from queries.answers.brief import BadWeek, EmptyStore, IsoWeek, UnknownStreet, weekly_brief

from .common import add_store_options, settings_from_args, terminal_text


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``brief`` sub-command."""
    p = sub.add_parser("brief", help="write the weekly review brief (brief.html, brief.pdf) of one ISO week")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--week", help="ISO week, e.g. 2026-W47 (Monday 00:00 to Monday 00:00)")
    which.add_argument(
        "--last-week",
        action="store_true",
        help="the last complete ISO week before the store's newest event (for a scheduled job)",
    )
    p.add_argument("--street", help="a brief for one street (its code, or its name)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the brief (default: zh)")
    p.add_argument("--out", type=Path, required=True, help="folder to write brief.html and brief.pdf into")
    p.add_argument("--min-events", type=int, default=10, help="fewest events for a department to be ranked")
    p.add_argument("--html-only", action="store_true", help="write brief.html only (no PDF)")
    add_store_options(p)
    p.set_defaults(func=run)


def _fail(message: object) -> int:
    print(terminal_text(f"gridscope brief: {message}"), file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Build the week's brief and write it; a bad week, street or store is a message, not a traceback."""
    try:
        week = None if args.last_week else IsoWeek.parse(args.week)
    except BadWeek as exc:
        return _fail(exc)
    settings = settings_from_args(args)
    if settings.backend == "duckdb" and not Path(settings.db_path).exists():
        return _fail(
            f"no store at {settings.db_path} (build one with `gridscope demo` or `gridscope import`, "
            "or give --db FILE / --dsn DSN)"
        )
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)  # one message below, not one per retry
    t0 = time.perf_counter()
    store = open_store(settings)  # StoreUnavailable / StoreLocked: cli.main prints what to check
    try:
        brief = weekly_brief(store, week, args.street, min_events=args.min_events)
    except (UnknownStreet, EmptyStore) as exc:
        return _fail(exc)
    finally:
        store.close()
    t1 = time.perf_counter()
    try:
        written = dashboard_brief.write_brief(brief, args.out, args.lang, pdf=not args.html_only)
    except OSError as exc:
        return _fail(f"cannot write into {args.out}: {exc.strerror or exc}")
    t2 = time.perf_counter()
    scope = brief.scope.code.replace(",", "-")
    files = ", ".join(str(p) for p in (written.html, written.pdf) if p)
    print(
        terminal_text(
            f"brief {brief.week.label} ({scope}, {args.lang}): {brief.headline.current.events:,} events; "
            f"figures {t1 - t0:.1f} s, rendering {t2 - t1:.1f} s -> {files}"
        )
    )
    return 0
