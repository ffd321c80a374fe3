"""``gridscope export``: a store's readings or events as Parquet day partitions.

Readings go to ``DIR/day=YYYY-MM-DD/part-0.parquet`` (sensor id, time, value) with the
sensors in ``DIR/_sensors/sensors.parquet``; events to ``DIR/day=…`` by report day, every
stored column but the geometry. One named query per day keeps memory to a day's rows on
either backend; a day already in ``DIR`` is replaced, other days are left alone.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data.lake.layout import day_dir, sensors_file
from data.store import Store

KINDS: tuple[str, ...] = ("readings", "events")
"""What ``export`` writes."""


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: the dataset, its days and rows."""

    kind: str
    directory: Path
    days: int
    rows: int
    sensors: int = 0


def _table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as Arrow with microsecond timestamps (Parquet ``TIMESTAMP(MICROS)``, not UTC)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [pa.field(f.name, pa.timestamp("us")) if pa.types.is_timestamp(f.type) else f for f in table.schema]
    return table.cast(pa.schema(fields))


def _write_day(root: Path, day: date, frame: pd.DataFrame) -> None:
    target = day_dir(root, day)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    pq.write_table(_table(frame), target / "part-0.parquet")


def export_lake(store: Store, kind: str, directory: Path) -> ExportReport:
    """Write the store's ``kind`` (``readings`` or ``events``) to ``directory`` by day."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    directory.mkdir(parents=True, exist_ok=True)
    days = store.fetch("lake_days", table=kind)
    query = "lake_readings" if kind == "readings" else "lake_events"
    rows = 0
    for value in days["day"]:
        day = pd.Timestamp(value).date()
        start = datetime.combine(day, datetime.min.time())
        frame = store.fetch(query, start=start, end=start + timedelta(days=1))
        _write_day(directory, day, frame)
        rows += len(frame)
    sensors = 0
    if kind == "readings":
        frame = store.fetch("lake_sensors")
        target = sensors_file(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(_table(frame), target)
        sensors = len(frame)
    return ExportReport(kind, directory, len(days), rows, sensors)
