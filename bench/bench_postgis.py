"""Benchmark PostGIS beside DuckDB at fixed sizes (1m, 10m events).

For each size: the demo city is generated once and loaded into both stores through
``data.demo.load_city`` (the ``gridscope demo`` path). PostGIS ingest is binary COPY into
the events table with its indexes dropped, then the indexes rebuilt and ANALYZE; both
rates are reported. Then p50/p95 of every overview query (bench/bench_overview.py's
query set and its 20 varied filters) on both stores, and the plan shape of each query on
PostGIS (which indexes it uses). Writes the section "PostGIS vs DuckDB" of
docs/BENCHMARKS.md.

    .venv/bin/python bench/bench_postgis.py --sizes 1m 10m

The PostGIS server comes from GRIDSCOPE_BENCH_ADMIN_DSN (default: the test admin DSN);
a database ``gridscope_bench_<pid>`` is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section  # noqa: E402
from bench.bench_overview import END, NOW, store_versions, timed, varied_filters  # noqa: E402
from data.demo import generate_city, load_city  # noqa: E402
from queries import DuckDBStore  # noqa: E402
from queries.postgis_migrations import migrate  # noqa: E402
from queries.postgis_store import PostGISStore  # noqa: E402
from queries.sql_files import bound_sql, param_names  # noqa: E402

ADMIN_DSN = os.environ.get(
    "GRIDSCOPE_BENCH_ADMIN_DSN",
    os.environ.get("GRIDSCOPE_TEST_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"),
)

PLAN_QUERIES = {
    "kpi_summary": {},
    "count_events_by_cell": {"res": 9},
    "count_events_by_area": {"level": "grid"},
    "daily_trend": {},
    "street_ranking": {"limit": 10},
}


def _database(name: str, drop: bool = False) -> str:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return psycopg.conninfo.make_conninfo(ADMIN_DSN, dbname=name)


def plan_summary(store: PostGISStore, flt) -> list[str]:
    """Scan nodes of each overview query's plan (EXPLAIN, 30-day window)."""
    out = []
    params = {**flt.params(), "prev_start": flt.previous().start, "now": NOW}
    for name, extra in PLAN_QUERIES.items():
        p = {**params, **extra}
        text = bound_sql(name, "postgis")
        with store.connection() as conn:
            rows = conn.execute("EXPLAIN " + text, {k: p[k] for k in param_names(name, "postgis")}).fetchall()
        scans = []
        for (line,) in rows:
            m = re.search(
                r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan|Bitmap Heap Scan)"
                r"(?: using \w+)? on \w+)",
                line,
            )
            if m and m.group(1) not in scans:
                scans.append(m.group(1))
        out.append(f"| {name} | {'; '.join(scans)} |")
    return out


def run(size: str) -> tuple[list[str], list[str], list[str]]:
    t0 = time.perf_counter()
    city = generate_city(size, end_date=END)
    print(f"{size}: generated {len(city.events):,} events in {time.perf_counter() - t0:.0f} s", flush=True)
    n = len(city.events)
    filters = varied_filters(city, np.random.default_rng(0))
    dbname = f"gridscope_bench_{os.getpid()}"
    dsn = _database(dbname)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            migrate(conn)
        pg = PostGISStore(dsn, timeout=30)
        stats = {}

        def grab(table: str, _n: int) -> None:
            if pg.last_load is not None:
                stats[pg.last_load.table] = pg.last_load

        t1 = time.perf_counter()
        load_city(pg, city, progress=grab)
        t_pg_all = time.perf_counter() - t1
        grab("", 0)
        ev = stats["events"]
        print(
            f"{size}: PostGIS events COPY {ev.copy_s:.1f} s, indexes {ev.index_s:.1f} s; all tables {t_pg_all:.0f} s",
            flush=True,
        )
        with tempfile.TemporaryDirectory() as tmp:
            duck = DuckDBStore(Path(tmp) / "bench.duckdb")
            marks: dict[str, float] = {}
            t2 = time.perf_counter()
            load_city(duck, city, progress=lambda table, _n: marks.setdefault(table, time.perf_counter()))
            t_duck_events = marks["event_log"] - marks["events"]
            t_duck_all = time.perf_counter() - t2
            ingest = [
                f"| {size} | {n:,} | {n / ev.copy_s:,.0f} | {n / (ev.copy_s + ev.index_s):,.0f} | "
                f"{ev.index_s:.1f} s | {t_pg_all:.0f} s | {n / t_duck_events:,.0f} | {t_duck_all:.0f} s |"
            ]
            rows = []
            pg_nojit = PostGISStore(psycopg.conninfo.make_conninfo(dsn, options="-c jit=off"), timeout=30)
            duck_fns, pg_fns, nojit_fns = store_versions(duck), store_versions(pg), store_versions(pg_nojit)
            for name in duck_fns:
                d_ms = timed(duck_fns[name], filters)
                p_ms = timed(pg_fns[name], filters)
                j_ms = timed(nojit_fns[name], filters)
                rows.append(
                    f"| {size} | {name} | {np.percentile(d_ms, 50):.1f} | {np.percentile(d_ms, 95):.1f} | "
                    f"{np.percentile(p_ms, 50):.1f} | {np.percentile(p_ms, 95):.1f} | "
                    f"{np.percentile(j_ms, 50):.1f} | {np.percentile(j_ms, 95):.1f} |"
                )
                print(rows[-1], flush=True)
            pg_nojit.close()
            duck.close()
        plans = [f"| {size} " + line for line in plan_summary(pg, filters[1])]
        pg.close()
    finally:
        _database(dbname, drop=True)
    return ingest, rows, plans


MAP_QUERIES = {
    "count_events_by_cell r9": {"res": 9},
    "count_events_by_cell r8": {"res": 8},
    "count_events_by_cell r7": {"res": 7},
    "count_events_by_area grid": {"level": "grid"},
    "count_events_by_area community": {"level": "community"},
    "count_events_by_area street": {"level": "street"},
}

SLICE_QUERIES = {label.replace(" ", "_slice ", 1): extra for label, extra in MAP_QUERIES.items()}
"""The hot-spot page's emerging analysis: weekly slices counted back from the window's end over
the whole weeks in it (``queries.answers.hotspots.slice_matrix``)."""


def _weeks(flt, slice_days: int = 7):
    """``flt`` cut to the whole slices counted back from its end, as ``slice_matrix`` does."""
    from dataclasses import replace
    from datetime import timedelta

    n = max(1, int(flt.length / timedelta(days=slice_days)))
    return replace(flt, start=flt.end - n * timedelta(days=slice_days))


def queries_only(dsn: str, rounds: int, only: list[str] | None = None) -> None:
    """p50/p95 of the overview and hot-spot page queries (maps and emerging-analysis slices) on
    an existing PostGIS database (one ``gridscope demo --dsn`` or an earlier build wrote), with
    the same 20 varied filters; the 1-minute load average with each round (the machine is
    shared). ``only``: the queries to time (``count_events_by_cell`` or ``count_events_by_cell r7``)."""
    from bench._filters import varied_filters as shared_filters

    pg = PostGISStore(dsn, timeout=60)
    n = int(pg.fetch("event_date_range")["events"].iloc[0])
    cats = pg.fetch("list_categories")["code"].tolist()
    streets = pg.fetch("list_areas", level="street")["area_id"].tolist()
    filters = shared_filters(cats, streets, np.random.default_rng(0), END)
    fns = {k: v for k, v in store_versions(pg).items() if not k.startswith("count_events")}
    for label, extra in MAP_QUERIES.items():
        name = label.split()[0]
        fns[label] = lambda f, name=name, extra=extra: pg.fetch(name, **f.params(), now=NOW, **extra)
    for label, extra in SLICE_QUERIES.items():
        name = label.split()[0]
        fns[label] = lambda f, name=name, extra=extra: pg.fetch(name, **_weeks(f).params(), slice_days=7, **extra)
    if only:
        fns = {k: v for k, v in fns.items() if any(k == o or k.startswith(o + " ") for o in only)}
    print(f"{n:,} events; rounds of {len(filters)} filters after a warm-up", flush=True)
    print("| round | load | query | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|---|")
    for r in range(rounds):
        for label, fn in fns.items():
            load = os.getloadavg()[0]
            ms = timed(fn, filters)
            print(
                f"| {r + 1} | {load:.1f} | {label} | {np.percentile(ms, 50):.1f} | {np.percentile(ms, 95):.1f} | "
                f"{ms.max():.1f} |",
                flush=True,
            )
    pg.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", nargs="+", default=["1m", "10m"])
    ap.add_argument("--no-write", action="store_true", help="print only, leave docs/BENCHMARKS.md alone")
    ap.add_argument(
        "--dsn",
        help="time the overview and map queries on this existing database only (no build, no DuckDB, prints only)",
    )
    ap.add_argument("--rounds", type=int, default=2, help="with --dsn: how many times to time every query")
    ap.add_argument("--only", nargs="+", help="with --dsn: these queries only (a name, or a name and its variant)")
    args = ap.parse_args()
    if args.dsn:
        queries_only(args.dsn, args.rounds, args.only)
        return
    ingest, queries, plans = [], [], []
    for size in args.sizes:
        i, q, p = run(size)
        ingest += i
        queries += q
        plans += p
    with psycopg.connect(ADMIN_DSN) as conn:
        server = conn.execute("SELECT split_part(version(), ' ', 2)").fetchone()[0]
        settings = dict(
            conn.execute(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
                "('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit')"
            ).fetchall()
        )
    server_settings = ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
    md = f"""## PostGIS vs DuckDB

`bench/bench_postgis.py`, run {datetime.now():%Y-%m-%d} on {platform.machine()}, Python {platform.python_version()},
2 shared cores; PostgreSQL {server} + PostGIS (server settings as installed: {server_settings}).
Both stores loaded with the same demo city through `load_city` (what `gridscope demo` runs).

Ingest of the events table. PostGIS: binary COPY built column-wise in numpy/Arrow
(`queries/_pgcopy.py`), geometry generated by the server from lon/lat, secondary indexes
dropped before and rebuilt after (target ≥ 500k rows/s).

| size | events | PostGIS COPY rows/s | PostGIS COPY + index rebuild rows/s | index rebuild + ANALYZE | PostGIS all tables | DuckDB events rows/s | DuckDB all tables |
|---|---|---|---|---|---|---|---|
{chr(10).join(ingest)}

Overview queries as the page calls them, 20 runs with varied filters (7-90 day windows,
categories, sources, streets), after one warm-up (target at 10M: p95 < 500 ms).
PostGIS as shipped: `kpi_summary`, `street_ranking` and `daily_trend` read the daily
rollup `event_rollup` (refreshed by the load, migration 005) with JIT off for those
queries; the map queries scan `events`. The last two columns turn JIT off for every query.

| size | query | DuckDB p50 ms | DuckDB p95 ms | PostGIS p50 ms | PostGIS p95 ms | PostGIS, jit=off for all, p50 ms | PostGIS, jit=off for all, p95 ms |
|---|---|---|---|---|---|---|---|
{chr(10).join(queries)}

Scans in each PostGIS plan (EXPLAIN, a 30-day window with categories; the rollup-backed
queries list both branches, of which one runs):

| size | query | scans |
|---|---|---|
{chr(10).join(plans)}
"""  # noqa: E501 - Markdown table rows are one line
    print(md)
    if not args.no_write:
        write_section("postgis", md)


if __name__ == "__main__":
    main()
