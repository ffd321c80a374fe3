"""The rollups on Apache Spark through ``pyspark``: the same SQL as DuckDB, no jars.

Local mode (``local[2]``) by default, ``master`` for a cluster (``spark://host:7077``,
``yarn``). The session computes in UTC so naive local times (Asia/Shanghai wall clock, as
stored) keep their hour and day; times are read and written as ``TIMESTAMP_NTZ``. H3 parents
are bit masks on BIGINT cells (no H3 library on the executors). pyspark is the optional
``spark`` extra: imported only here, only when ``--engine spark`` runs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from data.lake.layout import sensors_file
from data.lake.rollup_sql import OUTPUT_SQL, STAGE_SQL

DEFAULT_MASTER = "local[2]"
"""Spark master when none is given."""


def session(master: str | None = None) -> Any:
    """The Spark session for rollups (an existing one is reused)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("--engine spark needs pyspark: pip install '.[spark]' (and Java 17)") from exc
    spark = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName("gridscope-rollup")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
        # an hour's values are collected per sensor-hour (collect_list, an object aggregate):
        # keep it hash-based instead of falling back to sorting past 128 groups per task
        .config("spark.sql.objectHashAggregate.sortBased.fallbackThreshold", "100000000")
        .config("spark.sql.files.maxPartitionBytes", str(64 << 20))
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _since(since: date | None, column: str) -> str:
    return (
        f"day >= DATE '{since.isoformat()}' AND CAST({column} AS DATE) >= DATE '{since.isoformat()}'"
        if since
        else "TRUE"
    )


def register_inputs(spark: Any, kind: str, source: Path, since: date | None) -> None:
    """Create the temporary views the shared SQL reads and the cached intermediate tables."""
    data = spark.read.option("basePath", str(source)).parquet(str(source))
    if kind == "readings":
        data.createOrReplaceTempView("readings_raw")
        spark.sql(
            "SELECT sensor_id, CAST(ts AS TIMESTAMP_NTZ) AS ts, CAST(value AS DOUBLE) AS value, day "
            f"FROM readings_raw WHERE {_since(since, 'ts')}"
        ).createOrReplaceTempView("readings")
        spark.read.parquet(str(sensors_file(source))).createOrReplaceTempView("sensors")
    else:
        data.createOrReplaceTempView("events_raw")
        spark.sql(f"SELECT * FROM events_raw WHERE {_since(since, 'reported_at')}").createOrReplaceTempView("events")
    for name, stage in STAGE_SQL["spark"][kind].items():
        spark.sql(stage("spark")).cache().createOrReplaceTempView(name)


def run(
    kind: str, source: Path, outputs: dict[str, Path], since: date | None, master: str | None = None, spark: Any = None
) -> dict:
    """Compute each dataset of ``outputs`` (name → staging directory); return input counts."""
    spark = spark or session(master)
    register_inputs(spark, kind, source, since)
    if kind == "readings":  # readings of unknown sensors: those missing from the sensor-hours
        total = spark.sql("SELECT count(*) FROM readings").collect()[0][0]
        known = spark.sql("SELECT coalesce(sum(readings), 0) FROM sensor_hours").collect()[0][0]
        row = (total, total - known)
    else:
        row = spark.sql("SELECT count(*), 0 FROM events").collect()[0]
    for name, target in outputs.items():
        spark.sql(OUTPUT_SQL[name]("spark")).write.partitionBy("day").mode("overwrite").parquet(str(target))
    for name in STAGE_SQL["spark"][kind]:
        spark.catalog.uncacheTable(name)
    return {"rows": int(row[0]), "unknown_sensor_rows": int(row[1])}
