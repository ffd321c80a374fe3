"""``gridscope rollup``: readings or events of a Parquet lake rolled up by DuckDB or Spark.

Each dataset (:data:`~data.lake.layout.READING_OUTPUTS`, :data:`~data.lake.layout.EVENT_OUTPUTS`)
is written to a staging directory, then swapped into ``OUTPUT/<dataset>/day=…``: without
``since`` every partition is replaced, with ``since`` only the days from ``since`` on (read
from the input's partitions from that day), so running it twice gives the same files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from data.lake.layout import EVENT_OUTPUTS, READING_OUTPUTS, replace_days, staging_dir

ENGINES: tuple[str, ...] = ("duckdb", "spark")
"""Engines a rollup runs on."""


@dataclass(frozen=True)
class RollupReport:
    """What a rollup read and wrote."""

    kind: str
    engine: str
    rows: int
    unknown_sensor_rows: int
    days: dict[str, list[date]] = field(default_factory=dict)
    seconds: float = 0.0


def outputs_of(kind: str) -> tuple[str, ...]:
    """The datasets a ``kind`` rollup writes."""
    if kind == "readings":
        return READING_OUTPUTS
    if kind == "events":
        return EVENT_OUTPUTS
    raise ValueError(f"kind must be 'readings' or 'events', got {kind!r}")


def rollup(
    kind: str,
    source: Path,
    output: Path,
    engine: str = "duckdb",
    since: date | None = None,
    master: str | None = None,
    spark: Any = None,
) -> RollupReport:
    """Roll up ``kind`` from the lake ``source`` into ``output`` (see the module docstring)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if not source.is_dir():
        raise FileNotFoundError(f"no such lake directory: {source}")
    began = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    names = outputs_of(kind)
    staged = {name: staging_dir(output / name) / "data" for name in names}
    try:
        if engine == "duckdb":
            from data.lake import duckdb_engine

            counts = duckdb_engine.run(kind, source, staged, since)
        else:
            from data.lake import spark_engine

            counts = spark_engine.run(kind, source, staged, since, master=master, spark=spark)
        days = {name: replace_days(output / name, staged[name], since) for name in names}
    finally:
        for path in staged.values():
            if path.parent.exists():
                import shutil

                shutil.rmtree(path.parent, ignore_errors=True)
    return RollupReport(kind, engine, counts["rows"], counts["unknown_sensor_rows"], days, time.perf_counter() - began)
