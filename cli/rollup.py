"""``gridscope rollup readings|events --input DIR --output DIR``: rollups on DuckDB or Spark.

``--since DATE`` recomputes and replaces only the day partitions from that day on;
``--load`` puts the result into the store (``--db`` / ``--dsn``), where the sensors page reads it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from data.lake.rollup import ENGINES, outputs_of, rollup

from .common import add_store_options, store_from_args, terminal_text


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``rollup`` sub-command."""
    p = sub.add_parser("rollup", help="roll up a Parquet dataset of readings or events (DuckDB or Spark)")
    p.add_argument("kind", choices=["readings", "events"])
    p.add_argument("--input", type=Path, required=True, metavar="DIR", help="dataset written by gridscope export")
    p.add_argument("--output", type=Path, required=True, metavar="DIR", help="rollup datasets (day=YYYY-MM-DD/)")
    p.add_argument("--engine", choices=list(ENGINES), default="duckdb")
    p.add_argument("--since", type=date.fromisoformat, help="replace only the days from this one on (YYYY-MM-DD)")
    p.add_argument("--master", help="Spark master (default local[2]; spark://host:7077, yarn)")
    p.add_argument("--load", action="store_true", help="load the rollups into the store afterwards")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Roll up, print what was read and written, optionally load into the store."""
    if args.master and args.engine != "spark":
        print("gridscope: --master needs --engine spark", file=sys.stderr)
        return 2
    try:
        report = rollup(args.kind, args.input, args.output, args.engine, args.since, args.master)
    except (FileNotFoundError, RuntimeError) as exc:
        print(terminal_text(f"gridscope: {exc}"), file=sys.stderr)
        return 2
    days = max((len(d) for d in report.days.values()), default=0)
    print(
        terminal_text(
            f"{report.kind} on {report.engine}: {report.rows:,} rows read"
            + (f" ({report.unknown_sensor_rows:,} of unknown sensors left out)" if report.unknown_sensor_rows else "")
            + f", {days} day partitions written in {report.seconds:.1f} s"
            + f" ({report.rows / max(report.seconds, 1e-9):,.0f} rows/s)"
        )
    )
    if args.load:
        from data.lake.load import load_rollups

        store = store_from_args(args)
        try:
            loaded = load_rollups(store, args.output, outputs_of(args.kind), args.since)
            store.checkpoint()
        finally:
            store.close()
        print(terminal_text("loaded " + ", ".join(f"{name} {n:,} rows" for name, n in loaded.items())))
    return 0
