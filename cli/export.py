"""``gridscope export readings|events --parquet DIR``: the store's rows as Parquet day partitions."""

from __future__ import annotations

import argparse
from pathlib import Path

from data.lake.export import KINDS, export_lake

from .common import add_store_options, store_from_args, terminal_text


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    p = sub.add_parser("export", help="write readings or events as a Parquet dataset partitioned by day")
    p.add_argument("kind", choices=list(KINDS))
    p.add_argument("--parquet", type=Path, required=True, metavar="DIR", help="dataset directory (day=YYYY-MM-DD/)")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export, then print the days and rows written."""
    store = store_from_args(args)
    try:
        report = export_lake(store, args.kind, args.parquet)
    finally:
        store.close()
    extra = f", {report.sensors:,} sensors in _sensors/" if args.kind == "readings" else ""
    print(
        terminal_text(
            f"{report.kind}: {report.rows:,} rows in {report.days} day partitions{extra} → {report.directory}"
        )
    )
    return 0
