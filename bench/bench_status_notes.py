"""Benchmark the status-note rules: what re-classifying closed rows by their notes costs.

Times :func:`data.ingest.statuses.stored_status` (the stored status of one chunk's rows) on 1M rows with
notes shaped like San Francisco's ``Status Notes`` and NYC's ``Resolution Description``
(built here: templates with case numbers, so most notes are distinct), 95 % closed, under
the ``311`` preset's rules, against the same rows without a notes column. CPU seconds
(process time: polars' threads summed), best of 5, so other work on a shared machine
inflates it less than wall time.

    .venv/bin/python bench/bench_status_notes.py            # writes docs/BENCHMARKS.md
    .venv/bin/python bench/bench_status_notes.py --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import write_section  # noqa: E402
from data.ingest.mappings import load_mapping  # noqa: E402
from data.ingest.statuses import stored_status  # noqa: E402

ROWS = 1_000_000
TEMPLATES = [  # (share, text; {n} = a case number)
    (0.43, None),
    (0.30, "Case Completed - resolved: {n} pothole filled"),
    (0.09, "Case Resolved - {n}"),
    (0.04, "DPT Abandoned Vehicles- Gone on arrival - {n} HRS"),
    (0.035, "Case Transferred - psr {n}"),
    (0.015, "Case is a Duplicate - DUPLICATE TO ACTIVE STL OIS {n}"),
    (0.01, "Case is Invalid - wrong location {n}"),
    (0.01, "Case Completed - resolved: duplicate request {n}"),
    (0.03, "The Police Department responded to the complaint and took action to fix the condition. {n}"),
    (
        0.015,
        "The Department of Environmental Protection determined that this complaint is a duplicate of a "
        "previously filed complaint. {n}",
    ),
    (0.02, "Scheduled - {n}"),
]


def frame(n: int = ROWS, seed: int = 3) -> pl.DataFrame:
    """``n`` rows as :func:`stored_status` sees them: status, the file's status, notes, two times."""
    rng = np.random.default_rng(seed)
    shares = np.array([s for s, _ in TEMPLATES])
    pick = rng.choice(len(TEMPLATES), n, p=shares / shares.sum())
    numbers = rng.integers(100_000, 9_999_999, n).astype(str)
    notes = np.array(
        [
            None if TEMPLATES[k][1] is None else TEMPLATES[k][1].format(n=num)
            for k, num in zip(pick, numbers, strict=True)
        ],
        dtype=object,
    )
    status = np.where(rng.random(n) < 0.95, "closed", "reported")
    t = pl.datetime_range(datetime(2026, 1, 1), datetime(2026, 1, 1) + timedelta(seconds=n - 1), "1s", eager=True)
    return pl.DataFrame(
        {
            "status": status,
            "_status_raw": status,
            "status_note": pl.Series(notes.tolist(), dtype=pl.String),
            "reported_at": t,
            "closed_at": t,
        }
    )


def cpu(f, reps: int = 5) -> tuple[float, object]:
    """Best CPU seconds of ``reps`` calls, and the last result."""
    best, out = float("inf"), None
    for _ in range(reps):
        t0 = time.process_time()
        out = f()
        best = min(best, time.process_time() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-write", action="store_true", help="print only, leave docs/BENCHMARKS.md alone")
    args = ap.parse_args()
    rows = frame()
    rules = load_mapping("311").status_note_rules
    load = os.getloadavg()[0]
    plain, _ = cpu(lambda: stored_status(rows.drop("status_note"), ()))
    noted, out = cpu(lambda: stored_status(rows, rules))
    cancelled = int((out["status"] == "cancelled").sum())
    md = f"""## Status-note rules (bench/bench_status_notes.py)

Machine: {platform.machine()}, Python {platform.python_version()}, 2 cores; run {datetime.now():%Y-%m-%d %H:%M},
load {load:.1f}. {ROWS:,} rows, 95 % closed, SF/NYC-shaped notes (most distinct), the `311` preset's
{len(rules)} `[status_note_rules]`; CPU time of the status step (`data/ingest/statuses.py` `stored_status`), best of 5.

| notes column | CPU per 1M rows | re-classified |
|---|---|---|
| none | {plain * 1000:,.0f} ms | - |
| `Status Notes` | {noted * 1000:,.0f} ms | {cancelled:,} |

The rules cost ~{(noted - plain) * 1000:,.0f} ms of CPU per 1M rows of a file that has a notes
column (lower-casing once, one Aho-Corasick pass over every rule's text, the ordered rules on
the rows that pass it), nothing for a file without one.
"""
    print(md)
    if not args.no_write:
        write_section("status_notes", md)


if __name__ == "__main__":
    main()
