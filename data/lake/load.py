"""``gridscope rollup … --load``: a rollup's day partitions into the store's rollup tables.

The days from ``since`` on (every day without it) are deleted and inserted again in one
transaction per dataset, so loading the same rollup twice leaves the same rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from data.contracts import column_names
from data.lake.layout import day_dir, partition_days
from data.store import Store


def load_rollups(store: Store, output: Path, datasets: tuple[str, ...], since: date | None = None) -> dict[str, int]:
    """Load ``datasets`` of the rollup directory ``output`` into ``store``; rows per dataset."""
    loaded: dict[str, int] = {}
    con = duckdb.connect()
    try:
        for name in datasets:
            root = output / name
            days = [d for d in partition_days(root) if since is None or d >= since]
            cols = ", ".join(f'"{c}"' for c in column_names(name))
            rows = 0
            with store.transaction():
                store.execute(f"delete_{name}", since=since)
                for day in days:
                    path = str(day_dir(root, day) / "*.parquet").replace("'", "''")
                    frame = con.execute(f"SELECT {cols} FROM read_parquet('{path}', hive_partitioning = true)").df()
                    if len(frame):
                        rows += store.insert_frame(name, frame)
            loaded[name] = rows
    finally:
        con.close()
    return loaded
