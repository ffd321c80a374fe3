"""The rollups on DuckDB (one machine): the shared SQL over ``read_parquet``, written with
``COPY … (PARTITION_BY (day))``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from data.lake.layout import parquet_glob, sensors_file
from data.lake.rollup_sql import OUTPUT_SQL, STAGE_SQL


def _literal(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _since(since: date | None, column: str) -> str:
    return (
        f"day >= DATE '{since.isoformat()}' AND CAST({column} AS DATE) >= DATE '{since.isoformat()}'"
        if since
        else "TRUE"
    )


def register_inputs(con: duckdb.DuckDBPyConnection, kind: str, source: Path, since: date | None) -> None:
    """Create the ``readings``/``sensors`` or ``events`` views over ``source`` and the
    intermediate tables (:data:`~data.lake.rollup_sql.STAGE_SQL`) as temporary tables."""
    data = f"read_parquet({_literal(parquet_glob(source))}, hive_partitioning = true, union_by_name = true)"
    if kind == "readings":
        con.execute(f"CREATE OR REPLACE VIEW readings AS SELECT * FROM {data} WHERE {_since(since, 'ts')}")
        con.execute(f"CREATE OR REPLACE VIEW sensors AS SELECT * FROM read_parquet({_literal(sensors_file(source))})")
    else:
        con.execute(f"CREATE OR REPLACE VIEW events AS SELECT * FROM {data} WHERE {_since(since, 'reported_at')}")
    for name, stage in STAGE_SQL["duckdb"][kind].items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {stage('duckdb')}")


def run(kind: str, source: Path, outputs: dict[str, Path], since: date | None, threads: int | None = None) -> dict:
    """Compute each dataset of ``outputs`` (name → staging directory); return input counts."""
    con = duckdb.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        register_inputs(con, kind, source, since)
        if kind == "readings":
            row = con.execute(  # readings of unknown sensors: those missing from the sensor-hours
                "SELECT t.n, t.n - h.n FROM (SELECT count(*) AS n FROM readings) t, "
                "(SELECT coalesce(sum(readings), 0) AS n FROM sensor_hours) h"
            ).fetchone()
        else:
            row = con.execute("SELECT count(*), 0 FROM events").fetchone()
        assert row is not None
        for name, target in outputs.items():
            sql = OUTPUT_SQL[name]("duckdb")
            con.execute(f"COPY ({sql}) TO {_literal(target)} (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE)")
        return {"rows": int(row[0]), "unknown_sensor_rows": int(row[1])}
    finally:
        con.close()
