"""Benchmark the weekly review brief (issue 13): figures, HTML with charts and maps, PDF.

For each city: ``weekly_brief`` (every named query and the emerging hot-spot analysis) for
the last complete week, for the district and for one street, then ``render_html`` (matplotlib
charts and maps) and ``html_to_pdf`` (WeasyPrint), median of ``--runs`` after one warm-up.
Targets: the whole brief under 15 s at the default city, under 60 s at 10m.

A store is copied to a temporary directory first (never opened in place), or built with
``--size``. ``--png`` keeps the first page of the default city's zh PDF as docs/brief-zh.png.
Writes the section "Weekly brief" of docs/BENCHMARKS.md.

    .venv/bin/python bench/bench_brief.py --size default --png
    .venv/bin/python bench/bench_brief.py --db default=/path/to/default.duckdb 10m=/path/to/10m.duckdb
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section  # noqa: E402
from dashboard.brief import html_to_pdf, render_html  # noqa: E402
from data.demo import generate_city, load_city  # noqa: E402
from queries import DuckDBStore  # noqa: E402
from queries.answers.brief import brief_week, weekly_brief  # noqa: E402

END = date(2026, 6, 30)
NOW = datetime(2026, 7, 1)
TARGETS = {"default": 15.0, "10m": 60.0}
DOCS = Path(__file__).resolve().parent.parent / "docs"


def _median(fn, runs: int) -> tuple[float, object]:
    fn()  # warm-up
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def _store(size: str, given: str | None, tmp: Path) -> DuckDBStore:
    path = tmp / f"{size}.duckdb"
    if given:
        shutil.copy(given, path)
    else:
        t = time.perf_counter()
        store = DuckDBStore(path)
        load_city(store, generate_city(size, seed=42, end_date=END))
        store.close()
        print(f"built {size} city in {time.perf_counter() - t:.0f} s", flush=True)
    return DuckDBStore(path)


def bench_city(size: str, store: DuckDBStore, runs: int, png: bool) -> list[str]:
    """Table rows for one city; optionally the zh first page as docs/brief-zh.png."""
    events = store.table_counts().get("events", 0)
    week = brief_week(store, None, NOW)
    street = str(store.fetch("list_areas", level="street")["area_id"].iloc[0])
    rows = []
    for scope in (None, street):
        t_fig, brief = _median(lambda s=scope: weekly_brief(store, week, s, now=NOW), runs)
        t_html, html = _median(lambda b=brief: render_html(b, "zh"), runs)
        t_pdf, pdf = _median(lambda h=html: html_to_pdf(h), runs)
        total = t_fig + t_html + t_pdf
        target = TARGETS.get(size)
        verdict = "" if target is None else (" (met)" if total < target else " (not met)")
        rows.append(
            f"| {size} | {events:,} | {week.label} | {scope or 'district'} | {t_fig:.2f} | {t_html:.2f} | "
            f"{t_pdf:.2f} | **{total:.2f}**{verdict} | {len(pdf) / 1e6:.1f} MB |"
        )
        print(rows[-1], flush=True)
        if png and scope is None:
            with tempfile.TemporaryDirectory() as tmp:
                pdf_path = Path(tmp) / "brief.pdf"
                pdf_path.write_bytes(pdf)
                subprocess.run(
                    [
                        "pdftoppm",
                        "-r",
                        "90",
                        "-png",
                        "-f",
                        "1",
                        "-l",
                        "1",
                        "-singlefile",
                        str(pdf_path),
                        str(DOCS / "brief-zh"),
                    ],
                    check=True,
                )
    return rows


def main() -> None:
    """Run the benchmark and write its section."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", nargs="*", default=[], help="build these demo cities (small, default, 1m, 10m)")
    p.add_argument("--db", nargs="*", default=[], help="SIZE=FILE: an existing city store (copied first)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--png", action="store_true", help="keep the default city's first zh page as docs/brief-zh.png")
    args = p.parse_args()
    cities = {s: None for s in args.size} | dict(x.split("=", 1) for x in args.db)
    if not cities:
        cities = {"default": None}
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size, given in cities.items():
            store = _store(size, given, Path(tmp))
            try:
                rows += bench_city(size, store, args.runs, args.png and size == "default")
            finally:
                store.close()
    load = os.getloadavg()[0]
    md = f"""## Weekly brief (bench/bench_brief.py)

Machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores (shared;
load average {load:.1f} at the end); run {datetime.now():%Y-%m-%d %H:%M}. DuckDB store, the last complete
week before the city's newest event, "now" = {NOW:%Y-%m-%d}; median of {args.runs} after a warm-up.
"figures" = `weekly_brief` (every named query of the brief and the emerging hot-spot analysis
over 12 weekly slices at H3 res 9); "HTML" = `render_html` with the matplotlib charts, district map
and hot-spot maps as inline PNG; "PDF" = WeasyPrint on that HTML. Targets (issue 13): under 15 s
at the default city, under 60 s at 10m.

| city | events | week | scope | figures (s) | HTML (s) | PDF (s) | total (s) | PDF size |
|---|---:|---|---|---:|---:|---:|---:|---:|
""" + "\n".join(rows)
    write_section("brief", md)


if __name__ == "__main__":
    main()
