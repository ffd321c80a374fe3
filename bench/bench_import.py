"""Benchmark CSV import: rows/s and peak memory, DuckDB and PostGIS, at fixed sizes.

Import = read (encoding detection, streaming), mapping, validation, WGS-84, H3 (res 12),
grid/community/street assignment against the demo district's ~1,500 grids, new
categories/departments, store writes and rejects. Each import runs in its own process so
its peak RSS is its own. The file has Chinese headers (the ``zh`` preset), points drawn
from the demo city's events with a little jitter (~0.1 % fall outside the district),
and 0.2 % broken rows (bad times, missing coordinates, duplicates).

    .venv/bin/python bench/bench_import.py --sizes 1m            # DuckDB + PostGIS, writes docs
    .venv/bin/python bench/bench_import.py --sizes 5m --backends duckdb --no-write   # memory check

PostGIS uses a throwaway database on ``GRIDSCOPE_TEST_ADMIN_DSN`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``), named ``<--db-prefix><pid>_<random>``
and dropped afterwards. ``--data DIR`` keeps the generated CSVs (and the areas) in DIR and
reuses them on the next run; ``--profile DIR`` writes a cProfile of each import there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section  # noqa: E402

SIZES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
END = date(2026, 6, 30)
TARGET = 300_000


def write_csv(path: Path, n: int, seed: int = 7) -> None:
    """A ``zh``-headed CSV of ``n`` events in the demo district (written in 1M-row pieces)."""
    from data.demo import generate_city

    city = generate_city("small", seed=42, end_date=END)
    ev = city.events
    rng = np.random.default_rng(seed)
    cats, deps, srcs = ev["category"].to_numpy(), ev["department"].to_numpy(), ev["source"].to_numpy()
    src_zh = {
        "patrol": "网格员巡查",
        "hotline": "12345热线",
        "app": "随手拍",
        "sensor": "物联感知",
        "video": "视频识别",
    }
    sat_zh = np.array(["", "非常不满意", "不满意", "一般", "基本满意", "满意"], dtype=object)
    rep_s = ev["reported_at"].to_numpy().astype("datetime64[s]")
    clo_s = ev["closed_at"].to_numpy().astype("datetime64[s]")
    sat = ev["satisfaction"].fillna(0).to_numpy().astype(int)
    with path.open("wb") as fh:
        for start in range(0, n, 1_000_000):
            m = min(1_000_000, n - start)
            i = rng.integers(0, len(ev), m)
            ids = np.char.add("E", np.char.zfill(np.arange(start, start + m).astype(str), 9)).astype(object)
            lon = np.round(ev["lon"].to_numpy()[i] + rng.normal(0, 2e-4, m), 6).astype(str).astype(object)
            lat = np.round(ev["lat"].to_numpy()[i] + rng.normal(0, 2e-4, m), 6).astype(str).astype(object)
            rep = np.datetime_as_string(rep_s[i], unit="s").astype(object)
            rep = np.char.replace(rep.astype(str), "T", " ").astype(object)
            clo = np.where(
                np.isnat(clo_s[i]), "", np.char.replace(np.datetime_as_string(clo_s[i], unit="s"), "T", " ")
            ).astype(object)
            broken = rng.random(m) < 0.002
            kind = rng.integers(0, 3, m)
            rep[broken & (kind == 0)] = "2026-13-45 25:00:00"
            lon[broken & (kind == 1)] = ""
            dup = np.flatnonzero(broken & (kind == 2))
            ids[dup] = ids[np.maximum(dup - 1, 0)]
            table = pa.table(
                {
                    "事件编号": ids,
                    "上报时间": rep,
                    "事件类型": cats[i],
                    "事件描述": np.full(m, "路面有坑洼, 请尽快处理", dtype=object),
                    "经度": lon,
                    "纬度": lat,
                    "处置部门": deps[i],
                    "结案时间": clo,
                    "满意度": sat_zh[sat[i]],
                    "事件来源": np.vectorize(src_zh.get, otypes=[object])(srcs[i]),
                }
            )
            buf = pa.BufferOutputStream()
            pacsv.write_csv(table, buf, write_options=pacsv.WriteOptions(include_header=start == 0))
            fh.write(buf.getvalue().to_pybytes())


def write_areas(path: Path) -> None:
    """The demo district's areas (geometry as WKB) as Parquet, for the importing process."""
    import shapely

    from data.demo import generate_city

    city = generate_city("small", seed=42, end_date=END)
    city.areas.assign(geom=shapely.to_wkb(city.areas["geom"].to_numpy())).to_parquet(path)


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). ``ru_maxrss`` is not used: Linux carries
    it over fork and exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


STAGES: dict[str, list[float]] = {}
"""``--stages``: name -> [thread CPU seconds, wall seconds, calls] of the timed functions."""


def _timed(name: str, fn):
    """``fn`` accumulating its thread CPU and wall time under ``name`` (any thread)."""
    import functools

    @functools.wraps(fn)
    def run(*args, **kwargs):
        c0, t0 = time.thread_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            acc = STAGES.setdefault(name, [0.0, 0.0, 0])
            acc[0] += time.thread_time() - c0
            acc[1] += time.perf_counter() - t0
            acc[2] += 1

    return run


def _time_stages(store) -> None:
    """Wrap the import's stages (reader thread, validation in the main thread, store writes
    in the writer thread) so that their thread CPU time is counted separately."""
    import data.ingest.events as ev
    from data.ingest.areas_index import AreaIndex
    from data.ingest.catalog import Catalog
    from data.ingest.rejects import Rejects
    from data.ingest.validate import DuplicateTracker

    for name in ("fields_frame", "check_events", "points_to_cells", "with_deadlines", "to_pandas"):
        setattr(ev, name, _timed(name, getattr(ev, name)))
    AreaIndex.assign = _timed("areas.assign", AreaIndex.assign)
    Catalog.apply = _timed("catalog.apply", Catalog.apply)
    Rejects.frame = _timed("rejects.frame", Rejects.frame)
    DuplicateTracker.mark = _timed("dups.mark", DuplicateTracker.mark)
    original_prefetch = ev.prefetch

    def prefetch(items, depth=1):
        def timed_items():
            it = iter(items)
            while True:
                c0, t0 = time.thread_time(), time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    acc = STAGES.setdefault("read (reader thread)", [0.0, 0.0, 0])
                    acc[0] += time.thread_time() - c0
                    acc[1] += time.perf_counter() - t0
                    acc[2] += 1
                yield item

        return original_prefetch(timed_items(), depth)

    ev.prefetch = prefetch
    store.insert_frame = _timed("store.insert_frame", store.insert_frame)  # type: ignore[method-assign]
    store.upsert_frame = _timed("store.upsert_frame", store.upsert_frame)  # type: ignore[method-assign]
    store.execute = _timed("store.execute", store.execute)  # type: ignore[method-assign]
    store.fetch = _timed("store.fetch", store.fetch)  # type: ignore[method-assign]


def child(backend: str, csv: str, dsn: str, reimport: bool, profile: str = "", stages: bool = False) -> None:
    """Run one import in this process and print a JSON line with its numbers."""
    import cProfile

    import pandas as pd

    from data.ingest import import_events

    areas = pd.read_parquet(Path(csv).with_name("areas.parquet"))
    from queries.duckdb_store import DuckDBStore
    from queries.postgis_store import PostGISStore

    store: DuckDBStore | PostGISStore = (
        DuckDBStore(Path(tempfile.mkdtemp()) / "bench.duckdb") if backend == "duckdb" else PostGISStore(dsn)
    )
    store.insert_frame("areas", areas)
    if stages:
        _time_stages(store)
    base = peak_rss_mb()
    c0 = time.process_time()
    t0 = time.perf_counter()
    prof = cProfile.Profile() if profile else None
    if prof:
        prof.enable()
    report = import_events(store, csv)
    if prof:
        prof.disable()
        prof.dump_stats(str(Path(profile) / f"{backend}_{Path(csv).stem}_first.prof"))
    first = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if stages:
        print("STAGES first " + json.dumps(STAGES), flush=True)
        STAGES.clear()
    out = {
        "rows": report.rows_read,
        "stored": report.stored,
        "rejected": report.rejected,
        "reconciled": report.reconciled,
        "seconds": first,
        "cpu_seconds": cpu,
        "base_rss_mb": base,
        "import_peak_rss_mb": peak_rss_mb(),
        "index_rebuild": store.last_rebuild if isinstance(store, PostGISStore) else None,
    }
    if reimport:
        c0 = time.process_time()
        t0 = time.perf_counter()
        if prof:
            prof = cProfile.Profile()
            prof.enable()
        again = import_events(store, csv)
        if prof:
            prof.disable()
            prof.dump_stats(str(Path(profile) / f"{backend}_{Path(csv).stem}_again.prof"))
        out["reimport_seconds"] = time.perf_counter() - t0
        out["reimport_cpu_seconds"] = time.process_time() - c0
        out["reimport_unchanged"] = again.unchanged
        if stages:
            print("STAGES again " + json.dumps(STAGES), flush=True)
    out["peak_rss_mb"] = peak_rss_mb()
    store.close()
    print("RESULT " + json.dumps(out))


def run_child(
    backend: str, csv: Path, dsn: str = "", reimport: bool = True, profile: str = "", stages: bool = False
) -> dict:
    cmd = [sys.executable, __file__, "--child", backend, str(csv), "--dsn", dsn, "--profile", profile]
    cmd += (["--reimport"] if reimport else []) + (["--stages"] if stages else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("STAGES "):
            _, which, data = line.split(" ", 2)
            print(f"  stages ({backend}, {which} import): thread CPU s / wall s / calls")
            for name, (cpu, wall, calls) in sorted(json.loads(data).items(), key=lambda kv: -kv[1][0]):
                print(f"    {name:28s} {cpu:7.2f} {wall:7.2f} {calls:6d}")
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode or not lines:
        raise RuntimeError(f"{backend} import failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(lines[-1][7:])


def create_database(prefix: str) -> str:
    """A new database with the GridScope schema on the test server; its DSN."""
    import uuid

    import psycopg
    from psycopg import sql

    from queries.postgis_migrations import migrate
    from tests.queries.conftest import _admin, _dsn_for

    name = f"{prefix}{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = _dsn_for(name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
        migrate(conn)
    return dsn


def drop_database(dsn: str, prefix: str) -> None:
    """Drop a database made by :func:`create_database`."""
    import psycopg
    from psycopg import sql

    from tests.queries.conftest import _admin

    name = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    assert name.startswith(prefix)
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["1m"], choices=list(SIZES))
    ap.add_argument("--backends", nargs="+", default=["duckdb", "postgis"], choices=["duckdb", "postgis"])
    ap.add_argument("--no-write", action="store_true", help="print only, leave docs/BENCHMARKS.md alone")
    ap.add_argument("--child", nargs=2, metavar=("BACKEND", "CSV"), help=argparse.SUPPRESS)
    ap.add_argument("--dsn", default="", help=argparse.SUPPRESS)
    ap.add_argument("--reimport", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-reimport", action="store_true", help="skip the re-import of the 1m and smaller files")
    ap.add_argument("--data", default="", help="folder that keeps (and reuses) the generated CSVs")
    ap.add_argument("--profile", default="", help="folder for a cProfile of each import")
    ap.add_argument("--stages", action="store_true", help="print thread CPU and wall time per import stage")
    ap.add_argument("--db-prefix", default="gridscope_test_", help="name prefix of the throwaway PostGIS database")
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.dsn, args.reimport, args.profile, args.stages)
        return
    rows: list[str] = []
    verdicts: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.data or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            n = SIZES[size]
            csv = Path(tmp) / f"events_{size}.csv"
            if not (Path(tmp) / "areas.parquet").exists():
                write_areas(Path(tmp) / "areas.parquet")
            t0 = time.perf_counter()
            if not (args.data and csv.exists()):
                write_csv(csv, n)
            mb = csv.stat().st_size / 2**20
            print(f"{size}: {mb:.0f} MB CSV ready in {time.perf_counter() - t0:.1f} s", flush=True)
            for backend in args.backends:
                if backend == "postgis" and n > 1_000_000:
                    continue  # the 5m size checks DuckDB memory; PostGIS is measured at 1m
                dsn = ""
                if backend == "postgis":
                    dsn = create_database(args.db_prefix)
                try:
                    load = os.getloadavg()[0]
                    again = n <= 1_000_000 and not args.no_reimport
                    r = run_child(backend, csv, dsn, reimport=again, profile=args.profile, stages=args.stages)
                    r["load_after"] = os.getloadavg()[0]
                finally:
                    if dsn:
                        drop_database(dsn, args.db_prefix)
                rate = r["rows"] / r["seconds"]
                re = (
                    f"{r['rows'] / r['reimport_seconds']:,.0f} ({r['reimport_unchanged']:,} unchanged; "
                    f"CPU {r['reimport_cpu_seconds'] / r['rows'] * 1e6:.1f} s per 1M)"
                    if "reimport_seconds" in r
                    else "-"
                )
                cpu_per_m = r["cpu_seconds"] / r["rows"] * 1e6
                line = (
                    f"| {size} | {backend} | {mb:,.0f} MB | {r['rows']:,} | {r['stored']:,} + {r['rejected']:,}"
                    f"{'' if r['reconciled'] else ' MISMATCH'} | {r['seconds']:.1f} s | **{rate:,.0f}** | "
                    f"{cpu_per_m:.1f} s | {re} | "
                    f"{r['peak_rss_mb']:,.0f} MB | {load:.1f}-{r['load_after']:.1f} |"
                )
                print(line, flush=True)
                if r.get("index_rebuild"):
                    print(f"  PostGIS indexes rebuilt once: {r['index_rebuild'][0]} in {r['index_rebuild'][1]:.1f} s")
                rows.append(line)
                if backend == "duckdb":
                    verdicts.append(
                        f"{size}: {rate:,.0f} rows/s is {'at or above' if rate >= TARGET else 'below'} the target"
                        f"; peak RSS {r['peak_rss_mb']:,.0f} MB"
                    )
    md = f"""## Import (bench/bench_import.py)

Machine: {platform.machine()}, Python {platform.python_version()}, 2 cores; run {datetime.now():%Y-%m-%d %H:%M}.
CSV with Chinese headers (`zh` preset), UTF-8, 0.2 % broken rows; the store holds the demo
district's areas (~1,500 grids) and no events. Import = read + validate + WGS-84 + H3 res 12 +
grid/community/street + categories/departments + writes (events and `import_rejects`).
"re-import" imports the same file again into the filled store (change-aware upsert: every
row compared, none written). Peak RSS of the importing process (Python, libraries, the
areas, and DuckDB's own cache of the table it writes). Target (issue 6): ≥ {TARGET:,} rows/s into DuckDB; a 5M-row
CSV under 2 GB. "load" is the 1-minute load average when the run started: other work on
the shared machine slows every number in the row.

| size | store | file | rows read | stored + rejected | time | rows/s | CPU per 1M rows | re-import rows/s | peak RSS | load |
|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

DuckDB in this run: {"; ".join(verdicts)}. Where the time goes (CPU per 1M rows, measured
with the stages timed separately): DuckDB's own insert into a file ~2.3 s of CPU (it is
~0.5 s in memory), reading the CSV ~0.5 s, mapping + validation ~0.8 s, H3 ~0.3 s, area
assignment ~0.4 s (PolygonIndex: half the points answered from interior bins without
GEOS), duplicates and catalog ~0.3 s. Reading and writing overlap validation in
background threads, so on an idle 2-core machine the wall time approaches the larger of
"DuckDB insert" and "everything else"; on this shared machine other jobs take their share.
"""  # noqa: E501 - Markdown table rows are one line
    print(md)
    if not args.no_write:
        write_section("import", md)


if __name__ == "__main__":
    main()
