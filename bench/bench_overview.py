"""Benchmark the embedded store behind the overview page at fixed sizes (1m, 10m events).

For each size: generation and import speed (import = H3 + area assignment + load into
DuckDB), p50/p95 of every overview query over 20 runs with varied filters beside the same
aggregation done naively in pandas on the same events in the same run, and the JSON
payload of every map view. Writes its table to docs/BENCHMARKS.md.

    .venv/bin/python bench/bench_overview.py --sizes 1m 10m
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._filters import varied_filters as shared_filters  # noqa: E402
from bench._report import write_section  # noqa: E402
from data.demo import generate_city, load_city  # noqa: E402
from queries import DuckDBStore, EventFilter  # noqa: E402

END = date(2026, 6, 30)
NOW = datetime(2026, 7, 1)


def varied_filters(city, rng: np.random.Generator) -> list[EventFilter]:
    """The shared benchmark filters (bench/_filters.py) over the city's categories and streets."""
    streets = city.areas.loc[city.areas["level"] == "street", "area_id"].tolist()
    return shared_filters(city.categories["code"].tolist(), streets, rng, END)


def pandas_mask(ev: pd.DataFrame, f: EventFilter, start=None) -> np.ndarray:
    """The filter as a boolean mask (the naive way)."""
    m = (ev["reported_at"].to_numpy() >= np.datetime64(start or f.start)) & (
        ev["reported_at"].to_numpy() < np.datetime64(f.end)
    )
    if f.categories:
        m &= ev["category"].isin(f.categories).to_numpy()
    if f.sources:
        m &= ev["source"].isin(f.sources).to_numpy()
    if f.street_ids:
        m &= ev["street_id"].isin(f.street_ids).to_numpy()
    return m


def pandas_versions(ev: pd.DataFrame, sla: pd.Series):
    """Naive pandas equivalents of each overview query."""
    deadline = ev["reported_at"] + pd.to_timedelta(ev["category"].map(sla), unit="h")
    parent_shift = np.int64(15) << 52

    def kpi(f):
        sub = ev[pandas_mask(ev, f, f.previous().start)]
        dl = deadline[sub.index]
        cur = sub["reported_at"] >= f.start
        closed = sub["closed_at"] < pd.Timestamp(min(f.end, NOW))
        return (
            pd.DataFrame(
                {
                    "cur": cur,
                    "closed": closed,
                    "on_time": closed & (sub["closed_at"] <= dl),
                    "sat": sub["satisfaction"] >= 4,
                }
            )
            .groupby("cur")
            .sum()
        )

    def cells(f, res):
        h = ev.loc[pandas_mask(ev, f), "h3"].to_numpy()
        p = (h & ~parent_shift) | (np.int64(res) << 52) | np.int64((1 << (3 * (15 - res))) - 1)
        return pd.Series(p).value_counts()

    return {
        "kpi_summary": kpi,
        "count_events_by_cell r9": lambda f: cells(f, 9),
        "count_events_by_cell r7": lambda f: cells(f, 7),
        "count_events_by_area grid": lambda f: ev.loc[pandas_mask(ev, f), "grid_id"].value_counts(),
        "daily_trend": lambda f: (
            ev.loc[pandas_mask(ev, f, f.previous().start), "reported_at"].dt.floor("D").value_counts()
        ),
        "street_ranking": lambda f: ev[pandas_mask(ev, f)].groupby("street_id")["closed_at"].agg(["size", "count"]),
    }


def store_versions(store: DuckDBStore):
    """Each overview query as the page calls it."""
    return {
        "kpi_summary": lambda f: store.fetch("kpi_summary", **f.params(), prev_start=f.previous().start, now=NOW),
        "count_events_by_cell r9": lambda f: store.fetch("count_events_by_cell", **f.params(), res=9, now=NOW),
        "count_events_by_cell r7": lambda f: store.fetch("count_events_by_cell", **f.params(), res=7, now=NOW),
        "count_events_by_area grid": lambda f: store.fetch("count_events_by_area", **f.params(), level="grid", now=NOW),
        "daily_trend": lambda f: store.fetch("daily_trend", **f.params(), prev_start=f.previous().start),
        "street_ranking": lambda f: store.fetch("street_ranking", **f.params(), now=NOW, limit=10),
    }


def timed(fn, filters) -> np.ndarray:
    fn(filters[0])  # warm-up
    out = []
    for f in filters:
        t = time.perf_counter()
        fn(f)
        out.append((time.perf_counter() - t) * 1000)
    return np.array(out)


def payloads(store: DuckDBStore) -> dict[str, int]:
    """JSON bytes of the deck each map view sends, over a full year of events."""
    from dashboard.layers import (
        area_layer,
        area_records,
        grid_outline_layer,
        h3_layer,
        make_deck,
        view_for,
    )
    from dashboard.map_colors import count_colors
    from geo import cells_to_strings

    f = EventFilter.for_dates(END - timedelta(days=364), END)
    outline = store.fetch("area_shapes", level="grid")
    base = grid_outline_layer(outline)
    view = view_for(outline)
    out = {}
    for res in (7, 8, 9, 10):
        c = store.fetch("count_events_by_cell", **f.params(), res=res, now=NOW)
        c["hex"] = cells_to_strings(c["cell"].to_numpy())
        c["color"] = count_colors(c["events"])[0]
        c["tip"] = "<b>cell " + c["hex"] + "</b><br/>events: " + c["events"].astype(str)
        out[f"H3 r{res} ({len(c):,} cells)"] = len(
            make_deck([h3_layer(c[["hex", "color", "tip"]]), base], view).to_json()
        )
    for level in ("street", "community", "grid"):
        c = store.fetch("count_events_by_area", **f.params(), level=level, now=NOW)
        c["color"] = count_colors(c["events"])[0]
        c["tip"] = "<b>" + c["name_zh"] + "</b><br/>events: " + c["events"].astype(str)
        rec = area_records(store.fetch("area_shapes", level=level), c[["area_id", "color", "tip"]])
        out[f"{level} ({len(c):,} areas)"] = len(make_deck([area_layer(rec), base], view).to_json())
    return out


def run(size: str) -> tuple[list[str], list[str]]:
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    city = generate_city(size, end_date=END, progress=lambda s: marks.setdefault(s, time.perf_counter()))
    t_gen = time.perf_counter() - t0
    placement = marks["event log"] - marks["placement"]
    n = len(city.events)
    with tempfile.TemporaryDirectory() as tmp:
        store = DuckDBStore(Path(tmp) / "bench.duckdb")
        loads: dict[str, float] = {}
        t1 = time.perf_counter()
        load_city(store, city, progress=lambda table, _n: loads.setdefault(table, time.perf_counter()))
        t_load_events = loads["event_log"] - loads["events"]
        t_load = time.perf_counter() - t1
        rng = np.random.default_rng(0)
        filters = varied_filters(city, rng)
        sla = city.categories.set_index("code")["sla_close_h"]
        naive = pandas_versions(city.events, sla)
        rows = []
        for name, fn in store_versions(store).items():
            ms = timed(fn, filters)
            pd_ms = timed(naive[name], filters)
            rows.append(
                f"| {size} | {name} | {np.percentile(ms, 50):.1f} | {np.percentile(ms, 95):.1f} | "
                f"{np.percentile(pd_ms, 50):.1f} | {np.percentile(pd_ms, 50) / np.percentile(ms, 50):.1f}x |"
            )
        pay = [f"| {size} | {view} | {b / 1e6:.2f} |" for view, b in payloads(store).items()]
        store.close()
    gen_only = t_gen - placement
    summary = [
        f"| {size} | {n:,} | {n / gen_only:,.0f} | {placement:.1f} s | {t_load_events:.1f} s | "
        f"{n / (placement + t_load_events):,.0f} | {t_load:.1f} s |"
    ]
    print("\n".join(summary + rows + pay), flush=True)
    return summary, rows + ["PAYLOAD"] + pay


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", nargs="+", default=["1m", "10m"])
    ap.add_argument("--no-write", action="store_true", help="print only, leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    summaries, queries, pays = [], [], []
    for size in args.sizes:
        s, r = run(size)
        summaries += s
        cut = r.index("PAYLOAD")
        queries += r[:cut]
        pays += r[cut + 1 :]
    md = f"""## Overview on DuckDB (bench/bench_overview.py)

Machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores;
run {datetime.now():%Y-%m-%d}; load average at the end {os.getloadavg()[0]:.1f}
(timings on a busy shared machine are 2-4x slower).
Targets at 10M (issue 2): every overview query p95 < 100 ms; import >= 500k events/s.
Import = H3 (res 12) + grid/community/street assignment + load of the events table.

| size | events | generation (events/s) | H3 + areas | load events | import (events/s) | load all tables |
|---|---|---|---|---|---|---|
{chr(10).join(summaries)}

Overview queries, 20 runs with varied filters (7-90 day windows, categories, sources, streets);
pandas = the same aggregation done naively on the in-memory DataFrame in the same run.

| size | query | DuckDB p50 ms | DuckDB p95 ms | pandas p50 ms | pandas / DuckDB |
|---|---|---|---|---|---|
{chr(10).join(queries)}

Map payload per view (a full year of events; JSON the browser receives, incl. grid outlines):

| size | view | MB |
|---|---|---|
{chr(10).join(pays)}
"""
    print(md)
    if not args.no_write:
        write_section("overview", md)


if __name__ == "__main__":
    main()
