"""Where things live in a lake directory, and replacing day partitions idempotently.

A dataset is a directory of hive-style day partitions, ``day=YYYY-MM-DD/part-*.parquet``; the
sensors of a readings export sit in ``_sensors/sensors.parquet`` (names starting with ``_`` are
not partitions to Spark or DuckDB's globs). A rollup writes its output to a staging
directory first, then :func:`replace_days` swaps in the new day directories and removes the
old ones of the replaced range, so re-running a rollup gives the same files.
"""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import date
from pathlib import Path

SENSORS_DIR = "_sensors"
"""Sub-directory of a readings export holding the sensors (``sensors.parquet``)."""
_DAY = re.compile(r"^day=(\d{4}-\d{2}-\d{2})$")

READING_OUTPUTS: tuple[str, ...] = ("reading_hours", "reading_sketches")
"""Datasets a readings rollup writes (each a directory of day partitions)."""
EVENT_OUTPUTS: tuple[str, ...] = ("event_days",)
"""Datasets an events rollup writes."""


def day_dir(root: Path, day: date) -> Path:
    """The partition directory of ``day`` under ``root``."""
    return root / f"day={day.isoformat()}"


def partition_days(root: Path) -> list[date]:
    """The days that have a partition directory under ``root``, oldest first."""
    if not root.is_dir():
        return []
    found = [m.group(1) for p in root.iterdir() if p.is_dir() and (m := _DAY.match(p.name))]
    return sorted(date.fromisoformat(d) for d in found)


def parquet_glob(root: Path) -> str:
    """The glob of every partition file under ``root`` (for DuckDB's ``read_parquet``)."""
    return str(root / "day=*" / "*.parquet")


def sensors_file(root: Path) -> Path:
    """The sensors file beside a readings export."""
    return root / SENSORS_DIR / "sensors.parquet"


def staging_dir(root: Path) -> Path:
    """A fresh staging directory beside ``root`` (same file system, so moves are renames)."""
    path = root.parent / f".{root.name}.staging-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def replace_days(root: Path, staged: Path, since: date | None) -> list[date]:
    """Move the day partitions of ``staged`` into ``root``, first removing every partition of
    ``root`` from ``since`` on (every partition when ``since`` is None); return the new days.

    A day that had rows before and has none now disappears with the others of the range.
    """
    root.mkdir(parents=True, exist_ok=True)
    for day in partition_days(root):
        if since is None or day >= since:
            shutil.rmtree(day_dir(root, day))
    new_days = partition_days(staged)
    for day in new_days:
        day_dir(staged, day).rename(day_dir(root, day))
    shutil.rmtree(staged, ignore_errors=True)
    return new_days
