"""Hotspot statistics beside esda, on the same input in the same run.

Usage::

    .venv/bin/python bench/bench_hotspots.py                # print the markdown table
    .venv/bin/python bench/bench_hotspots.py --write-docs   # also update docs/BENCHMARKS.md
    .venv/bin/python bench/bench_hotspots.py --quick        # small sizes, while developing
    .venv/bin/python bench/bench_hotspots.py --only weights --write-docs   # rerun one row

Inputs are H3 res-10 cells covering a box in Beijing (all cells of the box, as the page
uses the district's cells) with Poisson counts plus a few planted clusters. Times are
wall-clock seconds, median of ``--repeat`` runs (esda runs that take longer than 5 s run
once). Neighbour construction is included where the row says so: ours with
``geo.weights.h3_kring_weights`` (polars-h3 ``grid_disk``), esda's with libpysal's
``Graph.build_h3``; the "H3 k-ring weights" row times that step alone, median of at
least 7 runs (its agreement column adds the CPU time per call, all threads, and the
load average at the time). esda runs single-process (``n_jobs=1``), as ours does; numba is not
installed, so esda's permutation loop runs as plain Python (numba would speed it ~1.5-2x).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import esda
import h3
import numpy as np
import pymannkendall as pmk
import scipy.sparse as sp
import shapely
from libpysal.graph import Graph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import getis_ord_gi_star, local_moran  # noqa: E402
from geo.emerging import classify_emerging, emerging_hotspots  # noqa: E402
from geo.weights import h3_extent_cells, h3_kring_weights  # noqa: E402

DOCS = ROOT / "docs" / "BENCHMARKS.md"
HEADING = "## Hotspot statistics"
RES = 10


def extent(n_target: int) -> np.ndarray:
    """About ``n_target`` res-10 cells: every cell of a box near Tiananmen."""
    area = 15_047.0  # m², the mean res-10 hexagon; cells here are smaller: correct once
    for _ in range(2):
        side = np.sqrt(n_target * area) / 1000.0
        dlat, dlng = side / 111.2, side / (111.2 * np.cos(np.radians(39.9)))
        cells = h3_extent_cells([shapely.box(116.40, 39.90, 116.40 + dlng, 39.90 + dlat)], RES)
        area *= n_target / len(cells)
    return cells


def counts_for(cells: np.ndarray, slices: int = 1, seed: int = 0) -> np.ndarray:
    """Poisson background (mean 1) with ~20 clusters of raised intensity; shape (slices, n)."""
    rng = np.random.default_rng(seed)
    lam = np.ones(len(cells))
    for c in rng.choice(cells, size=20, replace=False):
        disk = {h3.str_to_int(x) for x in h3.grid_disk(h3.int_to_str(int(c)), 2)}
        lam[np.isin(cells, list(disk))] *= rng.uniform(2, 4)
    growth = np.linspace(0.8, 1.2, slices)[:, None]
    return rng.poisson(lam[None, :] * growth).astype(float)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs (one run if the first takes over 5 s)."""
    times, out = [], None
    for i in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if i == 0 and times[0] > 5:
            break
    return statistics.median(times), out


def esda_graph(cells: np.ndarray) -> Graph:
    """esda's neighbour construction: libpysal ``Graph.build_h3`` with binary weights."""
    return Graph.build_h3([h3.int_to_str(int(c)) for c in cells], order=1, weight="binary")


def _pos(graph: Graph, cells: np.ndarray) -> np.ndarray:
    """Positions of ``cells`` in the graph's unique-id order."""
    order = {h3.str_to_int(s): i for i, s in enumerate(graph.unique_ids)}
    return np.array([order[int(c)] for c in cells])


def bench_gi_analytic(n: int, repeat: int) -> dict:
    cells = extent(n)
    y = counts_for(cells)[0]

    def ours():
        return getis_ord_gi_star(y, h3_kring_weights(cells), alternative="directed", fdr=False)

    def ref():
        g = esda_graph(cells)
        # build_h3 orders ids its own way: hand esda the values in that order
        yy = np.empty(len(cells))
        yy[_pos(g, cells)] = y
        res = esda.G_Local(yy, g.assign_self_weight(1), transform="B", star=True, permutations=0, n_jobs=1)
        return res, g

    t_ours, r = timed(ours, repeat)
    t_ref, (e, g) = timed(ref, repeat)
    dz = np.abs(r.z - e.Zs[_pos(g, cells)]).max()
    return {
        "task": "Gi* analytic, incl. k-ring neighbours",
        "n": len(cells),
        "ours": t_ours,
        "esda": t_ref,
        "check": f"max abs dz {dz:.1e}",
    }


def bench_weights(n: int, repeat: int) -> dict:
    """Neighbour building alone: ours against libpysal's ``Graph.build_h3`` (what esda users run)."""
    cells = extent(n)
    h3_kring_weights(cells)  # first call in a process also starts polars' thread pool
    t_ours, w = timed(lambda: h3_kring_weights(cells), max(repeat, 7))
    cpu = []
    for _ in range(max(repeat, 7)):  # CPU time: what a quiet core would need, whatever the load
        c0 = time.process_time()
        h3_kring_weights(cells)
        cpu.append(time.process_time() - c0)
    t_ref, g = timed(lambda: esda_graph(cells), repeat)
    pos = _pos(g, cells)
    ref = sp.csr_array(g.sparse)[pos][:, pos]
    ref.setdiag(0)
    ref.eliminate_zeros()
    differ = int((w.neighbours != (ref != 0).astype(float)).nnz)
    return {
        "task": "H3 k-ring weights (k = 1, neighbour building only)",
        "n": w.n,
        "ours": t_ours,
        "esda": t_ref,
        "check": f"{differ} neighbour pairs differ; CPU {statistics.median(cpu):.3f} s; "
        f"load average {os.getloadavg()[0]:.1f}",
        "esda_label": "libpysal Graph.build_h3",
    }


def _esda_graph_of(w) -> Graph:
    return Graph.from_sparse(w.matrix(), ids=np.arange(w.n))


def bench_gi_permutations(n: int, repeat: int) -> dict:
    cells = extent(n)
    y = counts_for(cells)[0]
    w = h3_kring_weights(cells)
    g = _esda_graph_of(w).assign_self_weight(1)
    t_ours, r = timed(
        lambda: getis_ord_gi_star(y, w, permutations=999, seed=1, alternative="directed", fdr=False), repeat
    )
    t_ref, e = timed(
        lambda: esda.G_Local(
            y, g, transform="B", star=True, permutations=999, seed=1, n_jobs=1, keep_simulations=False
        ),
        repeat,
    )
    return {
        "task": "Gi* 999 permutations (weights given)",
        "n": w.n,
        "ours": t_ours,
        "esda": t_ref,
        "check": f"mean abs dp_sim {np.abs(r.p_sim - e.p_sim).mean():.4f}",
    }


def bench_moran(n: int, repeat: int) -> dict:
    cells = extent(n)
    y = counts_for(cells)[0]
    w = h3_kring_weights(cells)
    g = _esda_graph_of(w)
    t_ours, r = timed(lambda: local_moran(y, w, permutations=999, seed=1, alternative="directed", fdr=False), repeat)
    t_ref, e = timed(lambda: esda.Moran_Local(y, g, permutations=999, seed=1, n_jobs=1, keep_simulations=True), repeat)
    di = np.abs(r.i - e.Is).max()
    return {
        "task": "Local Moran 999 permutations (weights given)",
        "n": w.n,
        "ours": t_ours,
        "esda": t_ref,
        "check": f"max abs dI {di:.1e}; mean abs dp_sim {np.abs(r.p_sim - e.p_sim).mean():.4f}",
    }


def bench_emerging(n: int, slices: int, repeat: int) -> dict:
    cells = extent(n)
    counts = counts_for(cells, slices)

    def ours():
        return emerging_hotspots(counts, h3_kring_weights(cells))

    def ref():
        g = esda_graph(cells)
        pos = _pos(g, cells)
        gs = g.assign_self_weight(1)
        z = np.empty_like(counts)
        for t in range(slices):
            yy = np.empty(len(cells))
            yy[pos] = counts[t]
            z[t] = esda.G_Local(yy, gs, transform="B", star=True, permutations=0, n_jobs=1).Zs[pos]
        p = 2 * esda.getisord.stats.norm.sf(np.abs(z))
        from statsmodels.stats.multitest import multipletests

        p = np.vstack([multipletests(row, method="fdr_bh")[1] for row in p])
        hot, cold = (p <= 0.1) & (z > 0), (p <= 0.1) & (z < 0)
        mk = [pmk.original_test(z[:, j]) for j in range(len(cells))]
        tz = np.array([m.z for m in mk])
        tp = np.array([m.p for m in mk])
        return classify_emerging(hot, cold, tz, tp), z

    t_ours, r = timed(ours, repeat)
    t_ref, (cats, z) = timed(ref, repeat)
    same = (r.categories == cats).mean()
    return {
        "task": f"Emerging hot spots, {slices} weekly slices, incl. neighbours",
        "n": len(cells),
        "ours": t_ours,
        "esda": t_ref,
        "check": f"max abs dz {np.abs(r.z - z).max():.1e}; same category {same:.1%}",
        "esda_label": "esda G_Local per slice + pymannkendall per cell",
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| task | cells | ours (s) | reference (s) | speed-up | agreement |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        label = r.get("esda_label", "esda")
        lines.append(
            f"| {r['task']} | {r['n']:,} | {r['ours']:.3f} | {r['esda']:.3f} ({label}) | "
            f"{r['esda'] / r['ours']:.1f}x | {r['check']} |"
        )
    return "\n".join(lines)


def update_rows(rows: list[dict]) -> None:
    """Replace the rows of the same task and size in docs/BENCHMARKS.md's table (append new ones)."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(HEADING)
    end = text.find("\n## ", start + 1)
    end = len(text) if end < 0 else end
    section = text[start:end]
    lines = section.split("\n")
    new = table(rows).split("\n")[2:]
    for line, row in zip(new, rows, strict=True):
        prefix = f"| {row['task']} | {row['n']:,} |"
        hits = [i for i, old in enumerate(lines) if old.startswith(prefix)]
        if hits:
            lines[hits[0]] = line
        else:
            last = max(i for i, old in enumerate(lines) if old.startswith("| "))
            lines.insert(last + 1, line)
    DOCS.write_text(text[:start] + "\n".join(lines) + text[end:], encoding="utf-8")


def write_docs(body: str) -> None:
    """Replace (or append) the ``## Hotspot statistics`` section of docs/BENCHMARKS.md."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    section = f"{HEADING}\n\n{body}\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (development)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true", help="update docs/BENCHMARKS.md")
    parser.add_argument(
        "--only",
        choices=["weights", "gi", "moran", "emerging"],
        help="run these rows only; with --write-docs replace just them in the table",
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    small, large, mid = (500, 2_000, 1_000) if args.quick else (5_000, 50_000, 10_000)
    steps = [
        ("weights", lambda: bench_weights(large, args.repeat)),
        ("gi", lambda: bench_gi_analytic(small, args.repeat)),
        ("gi", lambda: bench_gi_analytic(large, args.repeat)),
        ("gi", lambda: bench_gi_permutations(large, args.repeat)),
        ("moran", lambda: bench_moran(small, args.repeat)),
        ("moran", lambda: bench_moran(large, args.repeat)),
        ("emerging", lambda: bench_emerging(mid, 52, args.repeat)),
    ]
    rows = []
    for name, step in steps:
        if args.only and name != args.only:
            continue
        rows.append(step())
        r = rows[-1]
        print(f"  {r['task']} n={r['n']}: ours {r['ours']:.3f}s, reference {r['esda']:.3f}s", file=sys.stderr)
    import numpy

    body = (
        f"`bench/bench_hotspots.py` on {os.cpu_count()} cores ({platform.machine()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end: the machine is shared, timings vary), Python "
        f"{platform.python_version()}, numpy {numpy.__version__}, esda {esda.__version__}, numba not installed; "
        f"median of {args.repeat} (single run where a run exceeds 5 s). Targets (issue 4): Gi* analytic on 50k "
        "cells < 50 ms incl. neighbours; 999 permutations on 50k < 2 s; emerging 52 x 10k < 3 s.\n\n" + table(rows)
    )
    print(f"{HEADING}\n\n{body}")
    if args.write_docs and args.only:
        update_rows(rows)
    elif args.write_docs:
        write_docs(body)


if __name__ == "__main__":
    main()
