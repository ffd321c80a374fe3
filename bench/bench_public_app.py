"""Benchmark the public app's first render (issue 12): target under 2 s.

On a published layer (``gridscope publish --out``): the import of the app's modules and one
script run under AppTest in a fresh process (imports, opening the file, every answer
computed), a second run there (a new session on a warm process: answers cached); then a real
``streamlit run public_app.py`` and headless Chromium at 390x844: the summary sentence shown
and the whole page drawn (the categories table), on the first visit after the start and the
median of later visits, with the server's CPU seconds per visit. Writes the section
"public-app" of docs/BENCHMARKS.md.

    .venv/bin/python bench/bench_public_app.py --db /tmp/public.duckdb --port 8851
    .venv/bin/python bench/bench_public_app.py --db /tmp/public.duckdb --profile   # cProfile of the cold run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._report import write_section  # noqa: E402

APP = ROOT / "public_app.py"
CHROMIUM = "/usr/bin/chromium"

_COLD = """
import json, os, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import dashboard.public.app  # noqa: F401
imp = (time.perf_counter() - t0, time.process_time() - c0)
from streamlit.testing.v1 import AppTest
runs = []
for _ in range(2):
    at = AppTest.from_file(sys.argv[1], default_timeout=120)
    t, c = time.perf_counter(), time.process_time()
    if os.environ.get("BENCH_PROFILE") and not runs:
        import cProfile, pstats
        prof = cProfile.Profile()
        prof.enable()
        at.run()
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    else:
        at.run()
    runs.append((time.perf_counter() - t, time.process_time() - c))
    assert not at.exception, at.exception
    assert any('data-testid="pub-sentence"' in h.proto.body for h in at.get("html"))
print(json.dumps({"import": imp, "cold": runs[0], "warm": runs[1]}))
"""


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def apptest(db: Path, profile: bool) -> dict[str, tuple[float, float]]:
    """Import and two AppTest runs in a fresh process: (wall, CPU) each."""
    env = {**os.environ, "GRIDSCOPE_PUBLIC_DB": str(db), "BENCH_PROFILE": "1" if profile else ""}
    env.pop("GRIDSCOPE_PUBLIC_DSN", None)
    out = subprocess.run(
        [sys.executable, "-c", _COLD, str(APP)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    if profile:
        print(out.stderr, file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def browser(db: Path, port: int, visits: int) -> dict[str, object]:
    """Start the app, then visit it ``1 + visits`` times at 390x844: seconds to the sentence and
    to the whole page, server CPU seconds per visit."""
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "GRIDSCOPE_PUBLIC_DB": str(db), "STREAMLIT_SERVER_HEADLESS": "true"}
    env.pop("GRIDSCOPE_PUBLIC_DSN", None)
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
    started = time.perf_counter()
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    rows: list[tuple[float, float, float]] = []
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.perf_counter() - started > 120:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.2)
        ready = time.perf_counter() - started
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for _ in range(1 + visits):
                context = b.new_context(viewport={"width": 390, "height": 844})
                page = context.new_page()
                cpu = _cpu(server.pid)
                t = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("[data-testid='pub-sentence']", timeout=120_000)
                sentence = time.perf_counter() - t
                page.wait_for_selector("[data-testid='pub-category-table']", timeout=120_000)
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
                whole = time.perf_counter() - t
                page.wait_for_timeout(500)
                rows.append((sentence, whole, _cpu(server.pid) - cpu))
                context.close()
            b.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    later = rows[1:]
    return {
        "start": ready,
        "first": rows[0],
        "median": tuple(statistics.median(r[i] for r in later) for i in range(3)) if later else rows[0],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its section of docs/BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path, help="the published layer (gridscope publish --out)")
    parser.add_argument("--port", type=int, default=8851)
    parser.add_argument("--visits", type=int, default=5, help="later browser visits (the median is reported)")
    parser.add_argument("--profile", action="store_true", help="print cProfile of the cold AppTest run, write nothing")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    load0 = os.getloadavg()[0]
    at = apptest(args.db, args.profile)
    print(at, flush=True)
    if args.profile:
        return 0
    web = browser(args.db, args.port, args.visits)
    print(web, flush=True)
    load1 = os.getloadavg()[0]
    first, median = web["first"], web["median"]
    size = args.db.stat().st_size / 1e6
    lines = [
        "## Public app first render (issue 12)",
        "",
        f"`bench/bench_public_app.py` on the default city's published layer (`gridscope publish --out`, "
        f"{size:.0f} MB), {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other sessions, 1-minute load average {load0:.1f} before and "
        f"{load1:.1f} after. Target: first render under 2 s.",
        "",
        "| what | wall | CPU |",
        "|---|---|---|",
        f"| import of the app's modules, fresh process | {at['import'][0]:.2f} s | {at['import'][1]:.2f} s |",
        f"| script run, fresh process (imports, opening the file, every answer computed) — AppTest "
        f"| {at['cold'][0]:.2f} s | {at['cold'][1]:.2f} s |",
        f"| script run, a new session on a warm process (answers cached) — AppTest "
        f"| {at['warm'][0]:.2f} s | {at['warm'][1]:.2f} s |",
        f"| browser at 390x844, first visit after the start: sentence shown / whole page drawn "
        f"| {first[0]:.2f} s / {first[1]:.2f} s | {first[2]:.2f} s (server) |",
        f"| browser, median of {args.visits} later visits: sentence shown / whole page drawn "
        f"| {median[0]:.2f} s / {median[1]:.2f} s | {median[2]:.2f} s (server) |",
    ]
    text = "\n".join(lines)
    if not args.no_write:
        write_section("public-app", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
