"""Many dashboard sessions at once: websocket clients speaking Streamlit's own protocol.

Each simulated user visits the overview, hotspots and chain pages in turn (each user starting
at another one); on each it waits for the first run ("first load"), then changes the sidebar
filters ``--interactions`` times: a
category choice and a date window drawn from a small pool (what a room of people looking at
the same district picks), each followed by a think time. An interaction's latency is the time
from sending the rerun (the widget values, as the browser sends them) to the server's
``script_finished``. The client does what a browser does for Streamlit's message cache: it
reports the hashes of the large messages it holds, so an unchanged map is not sent again.

Errors: a page showing an exception or an error message, a run that did not finish within
``--timeout``, a websocket that failed. Server CPU (cores used over the run) and peak RSS
are read from ``/proc`` for every server process (Streamlit replicas and nginx).

Usage::

    .venv/bin/python bench/bench_sessions.py --db /tmp/default.duckdb --sessions 1 20 50 --replicas 1 2
    .venv/bin/python bench/bench_sessions.py --db ... --write docs/BENCHMARKS.md   # refresh the table

Servers: ``scripts/replicas.sh N`` (N Streamlit processes on ports 8631.., nginx on 8650,
or ``--port`` and ``--proxy-port``;
the DuckDB file opened read-only by each), started and stopped by the bench; one replica is
measured straight at its port, two through nginx. nginx keeps a browser on one replica by a
cookie it sets on the first request; these clients send no cookie, so each websocket (one per
session) is hashed on a new random key, as new browsers are. Each session also connects from
its own loopback address (127.0.0.x), which would matter for ``ip_hash``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"overview": "", "hotspots": "hotspots", "chain": "chain"}
"""Page → url path (the overview is the default page, served at ``/``)."""
FIRST_PORT = 8631
NGINX_PORT = 8650
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def percentile(values: list[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


# -- one simulated browser -------------------------------------------------------------------


@dataclass
class Result:
    """What one session saw."""

    page: str
    first_load: float | None = None
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Session:
    """A Streamlit client: the first run, then reruns with changed widget values."""

    def __init__(self, url: str, page: str, source: str, timeout: float) -> None:
        self.url, self.page, self.source, self.timeout = url, page, source, timeout
        self.query = ""
        self.page_hash = ""
        self.widgets: dict[str, WidgetState] = {}
        self.ids: dict[str, str] = {}  # widget key -> element id
        self.options: dict[str, list[str]] = {}  # multiselect key -> its option labels
        self.date_bounds: tuple[str, str] | None = None
        self.cached: set[str] = set()
        self.problems: list[str] = []
        self.ws: websockets.ClientConnection | None = None

    async def connect(self) -> None:
        """Open the websocket (from this session's own loopback address)."""
        host = self.url.split("//", 1)[1].split("/", 1)[0]
        sock = socket.create_connection(
            (host.rsplit(":", 1)[0], int(host.rsplit(":", 1)[1])), timeout=10, source_address=(self.source, 0)
        )
        sock.setblocking(False)
        self.ws = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream",
            sock=sock,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=self.url,  # type: ignore[arg-type]
            max_size=None,
            compression=None,
            open_timeout=30,
            ping_interval=None,
        )

    async def rerun(self) -> None:
        """Send a rerun with the page, the address and every widget value set so far, and
        wait for the run to finish (a run cut short by ``st.rerun`` is followed by another)."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        if not self.page_hash:
            state.page_name = PAGES[self.page]
        state.widget_states.widgets.extend(self.widgets.values())
        state.cached_message_hashes.extend(sorted(self.cached))
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        assert self.ws is not None
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._until_finished(), self.timeout)

    async def _until_finished(self) -> None:
        assert self.ws is not None
        while True:
            raw = await self.ws.recv()
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)  # type: ignore[arg-type]
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta":
                self._read_delta(fwd)
            elif kind == "script_finished":
                if fwd.script_finished in (0, 3):  # successfully (a whole run, or a fragment)
                    return
                if fwd.script_finished == 1:
                    self.problems.append("compile error")
                    return

    def _read_delta(self, fwd: ForwardMsg) -> None:
        delta = fwd.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        which = element.WhichOneof("type")
        if which == "exception":
            self.problems.append(f"exception: {element.exception.message[:120]}")
        elif which == "alert" and element.alert.format == 1:  # ERROR: the page's own error message
            self.problems.append(f"error: {element.alert.body[:120]}")
        elif which == "multiselect":
            key = element.multiselect.id.rsplit("-", 1)[-1]
            self.ids[key] = element.multiselect.id
            self.options[key] = list(element.multiselect.options)
        elif which == "date_input":
            key = element.date_input.id.rsplit("-", 1)[-1]
            self.ids[key] = element.date_input.id
            self.date_bounds = (element.date_input.min, element.date_input.max)

    def set_categories(self, labels: list[str]) -> None:
        """The category multiselect set to ``labels`` (its option texts)."""
        state = WidgetState(id=self.ids["f_categories"])
        state.string_array_value.data.extend(labels)
        self.widgets[state.id] = state

    def set_dates(self, start: dt.date, end: dt.date) -> None:
        """The date range widget set to ``start .. end``."""
        state = WidgetState(id=self.ids["f_dates_widget"])
        state.string_array_value.data.extend([start.isoformat(), end.isoformat()])
        self.widgets[state.id] = state

    async def close(self) -> None:
        """Close the websocket."""
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()


async def visit(
    url: str, page: str, source: str, interactions: int, think: float, rng: random.Random, timeout: float
) -> Result:
    """Open ``page`` (a new connection), then ``interactions`` filter changes with think times."""
    result = Result(page)
    session = Session(url, page, source, timeout)
    try:
        t0 = time.perf_counter()
        await session.connect()
        await session.rerun()
        result.first_load = time.perf_counter() - t0
        if "f_categories" not in session.ids or "f_dates_widget" not in session.ids:
            raise RuntimeError(f"no filters on {page}: {sorted(session.ids)}")
        # A shared pool of choices: one of the first three categories as the page lists them,
        # or none; the last 14, 30 or 60 days.
        labels = session.options["f_categories"][:3]
        last = dt.date.fromisoformat(session.date_bounds[1]) if session.date_bounds else dt.date.today()
        for _ in range(interactions):
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
            if rng.random() < 0.5:
                session.set_categories(rng.choice([[], *[[lb] for lb in labels]]))
            else:
                days = rng.choice([14, 30, 60])
                session.set_dates(last - dt.timedelta(days=days - 1), last)
            t1 = time.perf_counter()
            await session.rerun()
            result.latencies.append(time.perf_counter() - t1)
    except TimeoutError:
        result.errors.append(f"timeout after {timeout:.0f} s")
    except Exception as exc:  # noqa: BLE001 - a benchmark counts every failure
        result.errors.append(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        await session.close()
    result.errors.extend(session.problems)
    return result


async def run_user(
    url: str, pages: list[str], source: str, interactions: int, think: float, seed: int, timeout: float, start_at: float
) -> list[Result]:
    """One user: each of ``pages`` in turn, ``interactions`` filter changes on each."""
    rng = random.Random(seed)
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    results = []
    for page in pages:
        results.append(await visit(url, page, source, interactions, think, rng, timeout))
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    return results


# -- servers ---------------------------------------------------------------------------------


def wait_healthy(port: int, deadline: float) -> None:
    """Block until ``/_stcore/health`` answers on ``port``."""
    while time.time() < deadline:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"no server on port {port}")


def start_servers(
    db: Path, replicas: int, log: Path, first_port: int = FIRST_PORT, proxy_port: int = NGINX_PORT
) -> subprocess.Popen:
    """``scripts/replicas.sh`` (Streamlit on ``first_port``.., nginx on ``proxy_port`` when more than one)."""
    env = {
        **os.environ,
        "GRIDSCOPE_DB": str(db),
        "GRIDSCOPE_REPLICA_PORT": str(first_port),
        "GRIDSCOPE_PROXY_PORT": str(proxy_port),
    }
    env.pop("GRIDSCOPE_DSN", None)
    out = log.open("w")
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "replicas.sh"), str(replicas)],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 600
    for i in range(replicas):
        wait_healthy(first_port + i, deadline)
    if replicas > 1:
        wait_healthy(proxy_port, deadline)
    return proc


def stop_servers(proc: subprocess.Popen) -> None:
    """Stop the process group that ``start_servers`` began (and only it)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def group_pids(pgid: int) -> list[int]:
    """Processes of process group ``pgid`` (the replicas, nginx and the script)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    pids.append(int(entry.name))
    return pids


def cpu_rss(pids: list[int]) -> tuple[float, int]:
    """CPU seconds used so far and resident bytes now, summed over ``pids``."""
    cpu, rss = 0.0, 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / CLK
            rss += int(fields[21]) * PAGE
    return cpu, rss


async def sample(pgid: int, stop: asyncio.Event, peak: list[int]) -> None:
    """Keep the peak RSS of the server processes until ``stop``."""
    while not stop.is_set():
        peak[0] = max(peak[0], cpu_rss(group_pids(pgid))[1])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


# -- one configuration -----------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table."""

    city: str
    replicas: int
    sessions: int
    interactions: int
    p50: float
    p95: float
    first_p50: float
    first_p95: float
    errors: int
    cores: float
    cpu_per_run: float
    rss_mb: float
    load: str
    per_page: dict[str, tuple[float, float]]
    examples: list[str]


async def measure(
    url: str, pgid: int, sessions: int, interactions: int, think: float, timeout: float, ramp: float
) -> tuple[list[Result], float, float, int]:
    """Run ``sessions`` users against ``url``; return their results, the wall time, the
    server CPU seconds used and the peak server RSS."""
    pids = group_pids(pgid)
    cpu0, rss0 = cpu_rss(pids)
    peak = [rss0]
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample(pgid, stop, peak))
    start = time.perf_counter() + 0.2
    names = list(PAGES)
    tasks = [
        run_user(
            url,
            names[i % len(names) :] + names[: i % len(names)],  # every page, starting at a different one
            f"127.0.0.{2 + i % 250}",
            interactions,
            think,
            seed=1000 + i,
            timeout=timeout,
            start_at=start + ramp * i / max(1, sessions),
        )
        for i in range(sessions)
    ]
    t0 = time.perf_counter()
    results = [r for user in await asyncio.gather(*tasks) for r in user]
    wall = time.perf_counter() - t0
    stop.set()
    await sampler
    cpu1, _ = cpu_rss(group_pids(pgid))
    return list(results), wall, cpu1 - cpu0, peak[0]


def warm_up(url: str, timeout: float) -> None:
    """One visit to every page (a server that has been up a while: modules imported, the
    store open, static area data cached); filter results are not pre-computed."""

    async def once() -> None:
        for result in await run_user(url, list(PAGES), "127.0.0.1", 0, 0.0, 0, timeout, time.perf_counter()):
            if result.errors:
                raise RuntimeError(f"warm-up of {result.page}: {result.errors}")

    asyncio.run(once())


def summarise(city: str, replicas: int, sessions: int, results: list[Result], wall: float, cpu: float, rss: int) -> Row:
    """The row of one run."""
    lat = [x for r in results for x in r.latencies]
    first = [r.first_load for r in results if r.first_load is not None]
    per_page = {
        page: (
            percentile([x for r in results if r.page == page for x in r.latencies], 0.5),
            percentile([x for r in results if r.page == page for x in r.latencies], 0.95),
        )
        for page in PAGES
    }
    errors = [e for r in results for e in r.errors]
    return Row(
        city,
        replicas,
        sessions,
        len(lat),
        percentile(lat, 0.5),
        percentile(lat, 0.95),
        percentile(first, 0.5),
        percentile(first, 0.95),
        len(errors),
        cpu / wall if wall else 0.0,
        cpu / max(1, len(lat) + len(first)),
        rss / 2**20,
        " / ".join(f"{x:.1f}" for x in os.getloadavg()),
        per_page,
        sorted(set(errors))[:3],
    )


def table(rows: list[Row], note: str) -> str:
    """The Markdown section for docs/BENCHMARKS.md."""
    lines = [
        "<!-- bench:sessions -->",
        "## Concurrent sessions (bench/bench_sessions.py)",
        "",
        note,
        "",
        "| city | replicas | sessions | interactions | p50 s | p95 s | overview p50/p95 | hotspots p50/p95 "
        "| chain p50/p95 | first load p50/p95 s | errors | server cores | server CPU s per run | server RSS MB "
        "| load (1/5/15 min) |",
        "|---|---:|---:|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        pages = " | ".join(f"{r.per_page[p][0]:.2f} / {r.per_page[p][1]:.2f}" for p in PAGES)
        lines.append(
            f"| {r.city} | {r.replicas} | {r.sessions} | {r.interactions} | {r.p50:.2f} | **{r.p95:.2f}** | {pages} "
            f"| {r.first_p50:.2f} / {r.first_p95:.2f} | {r.errors} | {r.cores:.2f} | {r.cpu_per_run:.2f} "
            f"| {r.rss_mb:,.0f} | {r.load} |"
        )
    lines.append("<!-- /bench:sessions -->")
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace (or append) the ``bench:sessions`` section of ``path``."""
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- bench:sessions -->", "<!-- /bench:sessions -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the configurations and print (or write) the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="DuckDB file of the city (build: gridscope demo --db)")
    ap.add_argument("--city", default="default", help="name of the city for the table")
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 20, 50])
    ap.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--interactions", type=int, default=4, help="filter changes per session and page")
    ap.add_argument("--think", type=float, default=3.0, help="mean think time between changes, s")
    ap.add_argument("--ramp", type=float, default=5.0, help="sessions start spread over this many seconds")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--port", type=int, default=FIRST_PORT, help="first replica's port")
    ap.add_argument("--proxy-port", type=int, default=NGINX_PORT, help="nginx's port (two or more replicas)")
    ap.add_argument("--write", type=Path, help="replace the sessions section of this Markdown file")
    ap.add_argument("--note", default="", help="text above the table")
    args = ap.parse_args(argv)
    if not args.db.exists():
        ap.error(f"{args.db} does not exist (gridscope demo --size {args.city} --db {args.db})")
    rows: list[Row] = []
    logs = Path("/tmp") / "bench_sessions"
    logs.mkdir(exist_ok=True)
    for replicas in args.replicas:
        proc = start_servers(args.db, replicas, logs / f"servers-{replicas}.log", args.port, args.proxy_port)
        try:
            url = f"http://127.0.0.1:{args.proxy_port if replicas > 1 else args.port}"
            for i in range(replicas):  # every replica warmed up, straight at its port
                warm_up(f"http://127.0.0.1:{args.port + i}", args.timeout)
            for n in args.sessions:
                print(f"replicas {replicas}, sessions {n}, uptime: {os.getloadavg()}", flush=True)
                results, wall, cpu, rss = asyncio.run(
                    measure(url, proc.pid, n, args.interactions, args.think, args.timeout, args.ramp)
                )
                row = summarise(args.city, replicas, n, results, wall, cpu, rss)
                rows.append(row)
                print(
                    f"  p50 {row.p50:.2f} s, p95 {row.p95:.2f} s, first load p50 {row.first_p50:.2f} / p95 "
                    f"{row.first_p95:.2f} s, errors {row.errors} {row.examples}, cores {row.cores:.2f}, "
                    f"CPU per run {row.cpu_per_run:.3f} s, "
                    f"RSS {row.rss_mb:,.0f} MB, per page {row.per_page}",
                    flush=True,
                )
        finally:
            stop_servers(proc)
    note = args.note or (
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"{args.interactions} filter changes per page, 3 pages per session, "
        f"think time {args.think:.1f} s x U(0.5, 1.5), "
        f"sessions starting over {args.ramp:.0f} s."
    )
    section = table(rows, note)
    print(section)
    if args.write:
        write_section(args.write, section)
    return 1 if any(r.errors for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
