"""Benchmark the readings rollup: DuckDB vs Spark local[2] on a generated Parquet lake, and
the sensors page's queries on the rolled-up store.

A lake of N readings (``--readings``; default 10M, ``100m`` as an option) from ``--sensors``
sensors reading once a minute (so a sensor-hour holds 60 readings), partitioned by day, with
the small demo city's sensor kinds and thresholds. Each engine runs in its own process; its
peak RSS is the process tree's (Spark's JVM included), sampled every 0.2 s. Both results are
compared (counts, sums, maxima, exceedances exactly; means and P95 within 1e-9). The DuckDB
rollup is then loaded into a DuckDB store with the sensors, and the page's rollup queries
(sensor list, map per H3 cell at res 8, per grid, a cell's hourly series) are timed over a
7-day window, 20 runs each.

    .venv/bin/python bench/bench_rollup.py                      # 10M readings, writes docs
    .venv/bin/python bench/bench_rollup.py --readings 100m --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section  # noqa: E402
from data.lake.rollup import ENGINES  # noqa: E402

SIZES = {"1m": 1_000_000, "10m": 10_000_000, "30m": 30_000_000, "100m": 100_000_000}
FIRST_DAY = date(2026, 6, 1)
KINDS = [("pm25", "µg/m³", 75.0, 40.0), ("noise", "dB", 70.0, 55.0), ("water_level", "m", 0.5, 0.2)]


def generate(root: Path, readings: int, sensors: int) -> dict:
    """Write the lake: the sensors file, then one partition per day of minute readings, each
    day generated and written by DuckDB (``COPY``), so memory stays at one day's rows. Rows
    come in time order (every sensor's reading of a minute, then the next minute), as a feed
    delivers them; values are gamma(4) around each kind's base from a hash of (sensor, minute,
    day), so a run is reproducible."""
    import duckdb

    from data.lake.layout import day_dir, sensors_file
    from geo.h3index import points_to_cells

    rng = np.random.default_rng(42)
    lat, lon = 39.85 + rng.uniform(0, 0.12, sensors), 116.40 + rng.uniform(0, 0.15, sensors)
    kind = rng.integers(0, len(KINDS), sensors)
    ids = np.array([f"S{i:07d}" for i in range(sensors)], dtype=object)
    table = pa.table(
        {
            "sensor_id": ids,
            "kind": [KINDS[k][0] for k in kind],
            "unit": [KINDS[k][1] for k in kind],
            "lon": lon,
            "lat": lat,
            "h3": points_to_cells(lat, lon, 12),
            "grid_id": [f"G{i % 1500:04d}" for i in range(sensors)],
            "threshold": [KINDS[k][2] for k in kind],
        }
    )
    sensors_file(root).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, sensors_file(root))
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.register("gen_sensors", pa.table({"sidx": np.arange(sensors), "sensor_id": ids,
                                          "base": [KINDS[k][3] for k in kind]}))  # fmt: skip
    per_day = sensors * 1440
    days = max(1, -(-readings // per_day))
    unit = " + ".join(f"ln((CAST(hash(s.sidx, m.range, DAY_INDEX, {k}) >> 11 AS DOUBLE) + 0.5) / 9007199254740992.0)"
                      for k in range(4))  # fmt: skip
    written = 0
    for d in range(days):
        n_minutes = min(1440, (readings - written) // sensors) if d == days - 1 else 1440
        if n_minutes <= 0:
            break
        day = FIRST_DAY + timedelta(days=d)
        target = day_dir(root, day)
        target.mkdir(parents=True, exist_ok=True)
        values = unit.replace("DAY_INDEX", str(d))
        con.execute(
            f"COPY (SELECT s.sensor_id, TIMESTAMP '{day.isoformat()}' + to_minutes(CAST(m.range AS BIGINT)) AS ts, "
            f"-(s.base / 4) * ({values}) AS value FROM range({n_minutes}) m, gen_sensors s ORDER BY m.range, s.sidx) "
            f"TO '{target / 'part-0.parquet'}' (FORMAT parquet, ROW_GROUP_SIZE 1048576)"
        )
        written += sensors * n_minutes
    con.close()
    return {"readings": written, "days": days, "sensors": sensors}


def _tree(pid: int, cpu: dict[int, float]) -> int:
    """Resident bytes of ``pid`` and its descendants; their CPU seconds so far into ``cpu``."""
    total, todo, tick = 0, [pid], os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS"))
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            cpu[p] = max(cpu.get(p, 0.0), (int(fields[11]) + int(fields[12])) / tick)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, StopIteration):
            continue
    return total


def run_engine(engine: str, lake: Path, out: Path) -> dict:
    """One rollup in its own process: seconds and peak RSS of the process tree."""
    code = (
        "import json,sys; from pathlib import Path; from data.lake import rollup;"
        f"r = rollup('readings', Path({str(lake)!r}), Path({str(out)!r}), engine={engine!r});"
        "print(json.dumps({'rows': r.rows, 'seconds': r.seconds}))"
    )
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent
    )
    peak: dict[str, int] = {"rss": 0}
    cpu: dict[int, float] = {}

    def sample() -> None:
        while proc.poll() is None:
            peak["rss"] = max(peak["rss"], _tree(proc.pid, cpu))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, _ = proc.communicate()
    sampler.join()
    wall = time.perf_counter() - began
    result = json.loads(stdout.strip().splitlines()[-1])
    load = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    cpu_s = sum(cpu.values())
    return {"engine": engine, "wall_s": wall, "peak_gb": peak["rss"] / 1e9, "load": load, "cpu_s": cpu_s, **result}


def compare(out_a: Path, out_b: Path) -> str:
    """Check the two rollups are equal (the P95 within the sketch's error: Spark reads it from
    merged sketches); return a one-line verdict."""
    import duckdb

    from geo.quantile_sketch import ALPHA

    keys = ("day", "kind", "level", "res", "cell", "unit_key", "hour")
    on = " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in keys)
    differ = (
        "a.readings <> b.readings OR a.exceedances <> b.exceedances OR a.max_value <> b.max_value "
        "OR a.sensors <> b.sensors OR abs(a.mean_value - b.mean_value) > 1e-9 * abs(a.mean_value) "
        f"OR abs(a.p95_value - b.p95_value) > {ALPHA} * greatest(abs(a.p95_value), abs(a.max_value)) + 1e-12 "
        "OR b.day IS NULL OR a.day IS NULL"
    )
    sql = (
        f"SELECT count(*) AS n, count(*) FILTER (WHERE {differ}) AS bad "
        f"FROM read_parquet('{out_a}/reading_hours/day=*/*.parquet', hive_partitioning = true) a "
        f"FULL JOIN read_parquet('{out_b}/reading_hours/day=*/*.parquet', hive_partitioning = true) b ON {on}"
    )
    n, bad = duckdb.sql(sql).fetchone() or (0, 0)
    relative = "max(abs(a.p95_value - b.p95_value) / abs(a.p95_value))"
    worst_row = duckdb.sql(sql.replace(f"count(*) AS n, count(*) FILTER (WHERE {differ}) AS bad", relative)).fetchone()
    worst = (worst_row or (0.0,))[0]
    sk_keys = ("day", "kind", "level", "unit_key", "bucket")
    sk = duckdb.sql(
        f"SELECT count(*), count(*) FILTER (WHERE a.n IS DISTINCT FROM b.n) "
        f"FROM read_parquet('{out_a}/reading_sketches/day=*/*.parquet', hive_partitioning = true) a "
        f"FULL JOIN read_parquet('{out_b}/reading_sketches/day=*/*.parquet', hive_partitioning = true) b ON "
        + " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in sk_keys)
    ).fetchone() or (0, 0)
    return (
        f"{n:,} reading_hours rows compared, {bad} differ (largest relative P95 difference {worst:.2e}); "
        f"{sk[0]:,} reading_sketches rows compared, {sk[1]} differ"
    )


def serve(lake: Path, out: Path, runs: int = 20, keep: Path | None = None) -> list[dict]:
    """Load the rollup into a DuckDB store and time the sensors page's rollup queries
    (``keep``: the store's file, kept and reused when it exists: then nothing is loaded)."""
    import pandas as pd

    from data.lake.layout import sensors_file
    from data.lake.load import load_rollups
    from queries import DuckDBStore, EventFilter
    from queries.answers import sensors as answers

    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "s.duckdb"
        fresh = not path.exists()
        store = DuckDBStore(path)
        t0 = time.perf_counter()
        if fresh:
            store.insert_frame("sensors", pd.read_parquet(sensors_file(lake)))
            loaded = load_rollups(store, out, ("reading_hours", "reading_sketches"))
        else:
            loaded = {n: int(store.sql(f"SELECT count(*) AS n FROM {n}")["n"].iloc[0])
                      for n in ("reading_hours", "reading_sketches")}  # fmt: skip
        load_s = time.perf_counter() - t0
        flt = EventFilter(datetime(2026, 6, 1), datetime(2026, 6, 8))
        cell = int(answers.unit_stats(store, flt, "pm25", "h3", 8)["cell"].iloc[0])
        sensor = str(answers.sensor_stats(store, flt, "pm25")["sensor_id"].iloc[0])
        cases = {
            "sensor list (pm25)": lambda: answers.sensor_stats(store, flt, "pm25"),
            "map per H3 res 8": lambda: answers.unit_stats(store, flt, "pm25", "h3", 8),
            "map per grid": lambda: answers.unit_stats(store, flt, "pm25", "grid"),
            "cell hourly series": lambda: answers.cell_series(store, flt, "pm25", 8, cell),
            "sensor hourly series": lambda: answers.sensor_series(store, flt, sensor),
        }
        rows = []
        for name, call in cases.items():
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                call()
                times.append(time.perf_counter() - t)
            rows.append({"query": name, "p50_ms": 1e3 * np.median(times), "p95_ms": 1e3 * np.percentile(times, 95)})
        label = f"{'load' if fresh else 'reused store'} ({loaded['reading_hours']:,} hour rows, " \
                f"{loaded['reading_sketches']:,} sketch rows)"  # fmt: skip
        rows.append({"query": label, "p50_ms": 1e3 * load_s, "p95_ms": float("nan")})
        store.close()
    return rows


def main() -> None:
    """Generate, roll up on both engines, compare, serve; print and write the section."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--readings", default="10m", choices=list(SIZES))
    ap.add_argument("--sensors", type=int, default=2_000)
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--keep", type=Path, help="keep the lake and rollups in this directory (reused when present)")
    ap.add_argument("--no-serve", action="store_true", help="skip loading the store and timing the page's queries")
    ap.add_argument("--store", type=Path, help="the loaded DuckDB store's file (kept; reused when present)")
    args = ap.parse_args()
    n = SIZES[args.readings]
    with tempfile.TemporaryDirectory(dir=os.environ.get("GRIDSCOPE_BENCH_TMP")) as scratch:
        tmp = args.keep or Path(scratch)
        lake, t0 = Path(tmp) / "lake", time.perf_counter()
        if (lake / "_sensors" / "sensors.parquet").exists():
            import duckdb

            rows = (duckdb.sql(f"SELECT count(*) FROM read_parquet('{lake}/day=*/*.parquet')").fetchone() or (0,))[0]
            days = len(list(lake.glob("day=*")))
            info = {"readings": rows, "sensors": args.sensors, "days": days}
        else:
            info = generate(lake, n, args.sensors)
        gen_s = time.perf_counter() - t0
        print(f"lake: {info['readings']:,} readings, {info['sensors']:,} sensors, {info['days']} days ({gen_s:.0f} s)")
        print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        results = []
        for engine in args.engines.split(","):
            results.append(run_engine(engine, lake, Path(tmp) / f"out_{engine}"))
            r = results[-1]
            print(f"{engine}: {r['seconds']:.1f} s in the rollup ({r['rows'] / r['seconds']:,.0f} rows/s), "
                  f"wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.0f} s ({r['rows'] / r['cpu_s']:,.0f} rows per CPU-s), "
                  f"peak RSS {r['peak_gb']:.2f} GB, load {r['load']}")  # fmt: skip
        both = all((Path(tmp) / f"out_{e}" / "reading_hours").is_dir() for e in ENGINES)
        verdict = compare(Path(tmp) / "out_duckdb", Path(tmp) / "out_spark") if both else "one engine"
        print(verdict)
        served = [] if args.no_serve else serve(lake, Path(tmp) / "out_duckdb", keep=args.store)
        for row in served:
            print(f"{row['query']}: p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms")
    if args.no_write:
        return
    lines = [
        "## Readings rollup: DuckDB vs Spark local[2] (bench/bench_rollup.py)",
        "",
        f"{info['readings']:,} readings ({info['sensors']:,} sensors, one reading a minute, {info['days']} day "
        "partitions of Parquet); the rollup writes reading_hours (sensor, grid, H3 res 12 and 7-10 per hour: "
        "count, sum, mean, max, exceedances, P95: exact on DuckDB, from merged 1 % sketches on Spark; sensor-hours "
        "in one pass, grid and H3 rows added up from them by integer unit ids, the P95 of units of two or more "
        "sensors from their readings or sketches; docs/SCALING.md) and reading_sketches (per day). Each engine in "
        "its own process; peak RSS and CPU seconds of the process tree (Spark's JVM included); 2-core machine "
        "shared with other helpers' work (load = 1-minute load average before → after).",
        "",
        "| engine | rollup s | readings/s | CPU s | readings per CPU-s | wall s (with start-up) | peak RSS | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['engine']} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} "
            f"| {r['cpu_s']:.0f} | {r['rows'] / r['cpu_s']:,.0f} | {r['wall_s']:.1f} | {r['peak_gb']:.2f} GB "
            f"| {r['load']} |"
        )
    lines += ["", f"Results: {verdict}.", "", "Sensors page on the rolled-up DuckDB store (7-day window, 20 runs):", "",
              "| query | p50 ms | p95 ms |", "|---|---|---|"]  # fmt: skip
    lines += [f"| {r['query']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |" for r in served]
    write_section("rollup", "\n".join(lines))


if __name__ == "__main__":
    main()
