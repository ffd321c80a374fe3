"""What street scope (issue 10, queries/scoped_store.py) costs: page queries unscoped, scoped to
one street, and unscoped with the page's own street filter; on PostGIS also with row-level
security switched off (the cost of the '*' policies every unscoped read now carries).

    .venv/bin/python bench/bench_scope.py --size default [--dsn postgresql://postgres@127.0.0.1/postgres]

Writes its table to docs/BENCHMARKS.md (section ``scope``). Each cell: p50 / p95 ms over
``--runs`` runs after one warm-up.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import numpy as np
import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section  # noqa: E402
from data.demo import generate_city, load_city  # noqa: E402
from queries import DuckDBStore, EventFilter  # noqa: E402
from queries.postgis_migrations import READER_ROLE, migrate  # noqa: E402
from queries.postgis_store import PostGISStore  # noqa: E402
from queries.scoped_store import SCOPED_TABLES, scoped_store  # noqa: E402
from queries.sql_files import param_names  # noqa: E402

END = date(2026, 6, 30)
NOW = datetime(2026, 7, 1)


def queries(street: str, sensor: str, event: str) -> dict[str, dict[str, object]]:
    """The page queries measured, with a month's window."""
    flt = EventFilter(datetime(2026, 6, 1), NOW)
    window = {**flt.params(), "prev_start": flt.previous().start, "now": NOW}
    return {
        "kpi_summary": window,
        "street_ranking": {**window, "limit": 10},
        "count_events_by_area (grid)": {**window, "level": "grid"},
        "count_events_by_cell (res 9)": {**window, "res": 9},
        "overdue_cases": {**window, "limit": 200},
        "sensor_stats": {**window, "kind": None},
        "search_events": {"q": "垃圾", "pattern": "%垃圾%", "limit": 50},
        "event_history": {"event_id": event},
        "sensor_series": {**window, "sensor_id": sensor},
        "list_areas (grid)": {"level": "grid"},
    }


def timed(store, name: str, params: dict[str, object], runs: int) -> tuple[float, float]:
    """p50 and p95 in ms of ``runs`` fetches after one warm-up."""
    query = name.split(" ")[0]
    bound = {k: params[k] for k in param_names(query, store.dialect)}
    store.fetch(query, **bound)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        store.fetch(query, **bound)
        times.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def cell(p: tuple[float, float]) -> str:
    return f"{p[0]:.1f} / {p[1]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="default")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--dsn", default=os.environ.get("GRIDSCOPE_TEST_ADMIN_DSN", "postgresql://postgres@127.0.0.1/postgres")
    )
    args = parser.parse_args()

    city = generate_city(args.size, seed=42, end_date=END)
    streets = city.areas[city.areas.level == "street"]
    street = str(city.events["street_id"].value_counts().index[len(streets) // 2])  # a middling street
    sensor = str(city.sensors["sensor_id"].iloc[0])
    event = str(city.events.loc[city.events.street_id == street, "event_id"].iloc[0])
    measured = queries(street, sensor, event)
    rows: dict[str, dict[str, str]] = {name: {} for name in measured}

    duck = DuckDBStore(":memory:")
    load_city(duck, city)
    scoped = scoped_store(duck, (street,))
    for name, params in measured.items():
        rows[name]["DuckDB unscoped"] = cell(timed(duck, name, params, args.runs))
        rows[name]["DuckDB street filter"] = cell(timed(duck, name, {**params, "street_ids": [street]}, args.runs))
        rows[name]["DuckDB scoped"] = cell(timed(scoped, name, params, args.runs))
    scoped.close()
    duck.close()

    db = f"gridscope_bench_scope_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
    info = psycopg.conninfo.conninfo_to_dict(args.dsn)
    admin_dsn = psycopg.conninfo.make_conninfo(**{**info, "dbname": db})
    reader_dsn = psycopg.conninfo.make_conninfo(**{**info, "dbname": db, "user": READER_ROLE})
    try:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            migrate(conn)
        owner = PostGISStore(admin_dsn)
        load_city(owner, city)
        owner.checkpoint()
        reader = PostGISStore(reader_dsn)
        scoped_pg = scoped_store(reader, (street,))
        for name, params in measured.items():
            rows[name]["PostGIS reader unscoped"] = cell(timed(reader, name, params, args.runs))
            rows[name]["PostGIS street filter"] = cell(
                timed(reader, name, {**params, "street_ids": [street]}, args.runs)
            )
            rows[name]["PostGIS scoped"] = cell(timed(scoped_pg, name, params, args.runs))
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            for table in SCOPED_TABLES:
                conn.execute(sql.SQL("ALTER TABLE {} DISABLE ROW LEVEL SECURITY").format(sql.Identifier(table)))
        for name, params in measured.items():
            rows[name]["PostGIS reader, RLS off"] = cell(timed(reader, name, params, args.runs))
        scoped_pg.close()
        reader.close()
        owner.close()
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))

    columns = list(next(iter(rows.values())).keys())
    load = os.getloadavg()
    n_street = int((city.events.street_id == street).sum())
    lines = [
        f"### Street scope (issue 10), {args.size} city: {len(city.events):,} events, one street of "
        f"{len(streets)} ({n_street:,} events); p50 / p95 ms over {args.runs} runs",
        "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M}, load average {load[0]:.1f} / {load[1]:.1f} on {os.cpu_count()} "
        "cores (shared machine: compare columns of one run, not runs). `bench/bench_scope.py`.",
        "",
        "| query | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    lines += [f"| {name} | " + " | ".join(r.get(c, "") for c in columns) + " |" for name, r in rows.items()]
    text = "\n".join(lines)
    print(text)
    write_section("scope", text)


if __name__ == "__main__":
    main()
