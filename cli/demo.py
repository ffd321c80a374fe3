"""``gridscope demo``: build the seeded demo city into the configured store."""

from __future__ import annotations

import argparse
import time
from datetime import date

from tqdm import tqdm

from data.demo import SIZES, generate_city, load_city

from .common import add_store_options, store_from_args


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` sub-command."""
    p = sub.add_parser("demo", help="build the demo city (replaces the store's contents)")
    p.add_argument("--size", choices=list(SIZES), default="default", help="number of events (default: default ≈ 300k)")
    p.add_argument("--seed", type=int, default=42, help="random seed (same seed and end date, same city)")
    p.add_argument("--end-date", type=date.fromisoformat, default=None, help="last day of events (default: yesterday)")
    p.add_argument("--uniform", action="store_true", help="spatially uniform events, no planted patterns")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Generate the city, then load it table by table, with a progress bar."""
    store = store_from_args(args)
    store.migrate()  # a fresh server database gets its schema first (idempotent; DuckDB: on open)
    steps = ["areas", "sensors", "events", "placement", "event log"]
    t0 = time.perf_counter()
    with tqdm(total=len(steps), desc="generate", unit="step") as bar:

        def advance(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(0 if label == steps[0] else 1)

        city = generate_city(args.size, seed=args.seed, end_date=args.end_date, uniform=args.uniform, progress=advance)
        bar.update(bar.total - bar.n)
    t1 = time.perf_counter()
    total = sum(len(getattr(city, t)) for t in ("areas", "events", "event_log", "sensors", "readings"))
    with tqdm(total=total, desc="load", unit="row", unit_scale=True) as bar:
        last = {"n": 0}

        def loaded(table: str, n: int) -> None:
            bar.update(last["n"])
            bar.set_postfix_str(table)
            last["n"] = n if table in ("areas", "events", "event_log", "sensors", "readings") else 0

        load_city(store, city, progress=loaded)
        bar.update(last["n"])
    t2 = time.perf_counter()
    n = len(city.events)
    print(
        f"demo city '{args.size}': {n:,} events, {len(city.areas):,} areas, {len(city.sensors):,} sensors, "
        f"{len(city.readings):,} readings; generated in {t1 - t0:.1f} s ({n / (t1 - t0):,.0f} events/s), "
        f"loaded in {t2 - t1:.1f} s ({n / (t2 - t1):,.0f} events/s)"
    )
    store.close()
    return 0
