"""What street scope (issue 10, queries/scoped_store.py) costs: page queries unscoped, scoped to
one street, and unscoped with the page's own street filter; on PostGIS also as the tables'
owner, whom row-level security does not bind (the cost of the '*' policies every unscoped
reader query now carries).

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
from queries.scoped_store import scoped_store  # noqa: E402
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


def timed(
    variants: dict[str, tuple[object, dict[str, object]]], name: str, runs: int
) -> dict[str, tuple[float, float]]:
    """p50 and p95 in ms of ``runs`` fetches of each variant (store, params) after one warm-up,
    the variants interleaved run by run (so a change in the machine's load hits all alike)."""
    query = name.split(" ")[0]
    bound = {v: (s, {k: p[k] for k in param_names(query, s.dialect)}) for v, (s, p) in variants.items()}
    times: dict[str, list[float]] = {v: [] for v in bound}
    for store, params in bound.values():
        store.fetch(query, **params)
    for _ in range(runs):
        for v, (store, params) in bound.items():
            t = time.perf_counter()
            store.fetch(query, **params)
            times[v].append((time.perf_counter() - t) * 1000)
    return {v: (float(np.percentile(x, 50)), float(np.percentile(x, 95))) for v, x in times.items()}


def cell(p: tuple[float, float]) -> str:
    """A table cell: ``p50 / p95`` in ms."""
    return f"{p[0]:.1f} / {p[1]:.1f}"


def main() -> None:
    """Time every query unscoped, street-filtered and scoped on both backends; print the table."""
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
        street_only = {**params, "street_ids": [street]}
        got = timed(
            {
                "DuckDB unscoped": (duck, params),
                "DuckDB street filter": (duck, street_only),
                "DuckDB scoped": (scoped, params),
            },
            name,
            args.runs,
        )
        rows[name].update({k: cell(v) for k, v in got.items()})
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
            street_only = {**params, "street_ids": [street]}
            got = timed(
                {
                    "PostGIS owner (no RLS)": (owner, params),
                    "PostGIS reader unscoped": (reader, params),
                    "PostGIS reader street filter": (reader, street_only),
                    "PostGIS scoped": (scoped_pg, params),
                },
                name,
                args.runs,
            )
            rows[name].update({k: cell(v) for k, v in got.items()})
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
