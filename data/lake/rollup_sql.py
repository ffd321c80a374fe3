"""The rollup SQL, one text for both engines (DuckDB and Spark SQL).

The inputs are two views the engine registers: ``readings`` (``sensor_id, ts, value, day``)
joined to ``sensors`` (``sensor_id, kind, h3, grid_id, threshold``), and ``events`` (the
stored columns and ``day``). The only dialect holes are the exact percentile
(``quantile_cont`` / ``percentile``, both linear interpolation like ``percentile_cont``) and the
cast of a timestamp to the hour. H3 parents are two int64 masks from :mod:`geo.h3bits`;
the sketch key is :func:`geo.quantile_sketch.bucket_keys` written in SQL.

Readings (``reading_hours``, one row per day × kind × unit × hour; ``reading_sketches``, per
day × kind × unit × sketch key): a unit is a sensor (``level='sensor'``, ``unit_key`` its id),
a grid (``level='grid'``) or an H3 cell (``level='h3'``, ``res`` 12 = the stored cell, and 7-10,
``cell``). Readings of a sensor the sensors file does not know are left out (the report counts
them); a sensor without a grid is in no grid row, one without a cell in no H3 row.

Events (``event_days``): per report day × unit (H3 res 7-10 or grid) × category × source, the
chain counts of the KPIs as of the data's end (closed = closed with a time or untimed, on time
= closed by the close deadline, …).
"""

from __future__ import annotations

import math

from data.contracts import FINE_H3_RES
from geo.h3bits import parent_masks
from geo.quantile_sketch import GAMMA, NEGATIVE_BASE, TINY, ZERO_KEY

PARENT_RES: tuple[int, ...] = (10, 9, 8, 7)
"""Coarser H3 resolutions rolled up (besides the stored one)."""
P95 = {"duckdb": "quantile_cont(value, 0.95)", "spark": "percentile(value, 0.95)"}
"""Exact 95th percentile with linear interpolation, per engine."""
HOUR = {"duckdb": "date_trunc('hour', r.ts)", "spark": "CAST(date_trunc('HOUR', r.ts) AS TIMESTAMP_NTZ)"}
"""The reading's hour as a naive timestamp, per engine."""


def parent_sql(column: str, res: int) -> str:
    """SQL of the parent at ``res`` of BIGINT cell ``column`` (``(c & keep) | set``)."""
    keep, set_bits = parent_masks(res)
    return f"(({column} & CAST({keep} AS BIGINT)) | CAST({set_bits} AS BIGINT))"


def bucket_sql(column: str) -> str:
    """SQL of the sketch key of ``column`` (:func:`geo.quantile_sketch.bucket_keys`)."""
    ln_gamma = repr(math.log(GAMMA))
    return (
        f"CASE WHEN abs({column}) < {TINY!r} THEN CAST({ZERO_KEY} AS BIGINT) "
        f"WHEN {column} > 0 THEN CAST(ceil(ln({column}) / {ln_gamma}) AS BIGINT) "
        f"ELSE CAST({NEGATIVE_BASE} AS BIGINT) - CAST(ceil(ln(-{column}) / {ln_gamma}) AS BIGINT) END"
    )


def _cells(prefix: str) -> str:
    """The coarser parents of the stored cell ``{prefix}h3`` as columns ``c10`` … ``c7``."""
    return ", ".join(f"{parent_sql(prefix + 'h3', r)} AS c{r}" for r in PARENT_RES)


def _unit_sets(keys: str) -> tuple[str, str]:
    """Grouping sets over the grid and H3 units (``keys`` in each) and the level/res/cell/key
    columns of the grouped rows."""
    cells = ["h3", *(f"c{r}" for r in PARENT_RES)]
    sets = ", ".join(f"({keys}, {u})" for u in ["grid_id", *cells])
    res = " ".join(f"WHEN grouping({c}) = 0 THEN {FINE_H3_RES if c == 'h3' else c[1:]}" for c in cells)
    cell = " ".join(f"WHEN grouping({c}) = 0 THEN {c}" for c in cells)
    unit_cols = (
        "CASE WHEN grouping(grid_id) = 0 THEN 'grid' ELSE 'h3' END AS level, "
        f"CAST(CASE {res} END AS INT) AS res, CAST(CASE {cell} END AS BIGINT) AS cell, "
        "CASE WHEN grouping(grid_id) = 0 THEN grid_id END AS unit_key"
    )
    return sets, unit_cols


def _present() -> str:
    """The condition that drops a grid / cell group of sensors without one."""
    return "NOT (level = 'grid' AND unit_key IS NULL) AND NOT (level = 'h3' AND cell IS NULL)"


def readings_source(engine: str) -> str:
    """The joined readings with their hour, day, sensor attributes, parents and sketch key."""
    return f"""
SELECT r.sensor_id, r.ts, r.value, CAST(r.ts AS DATE) AS day, {HOUR[engine]} AS hour,
       s.kind, s.h3, s.grid_id, s.threshold, {_cells("s.")}, {bucket_sql("r.value")} AS bucket
FROM readings r
JOIN sensors s ON s.sensor_id = r.sensor_id
"""


def sensor_hours_sql(engine: str) -> str:
    """Stage one, per day × kind × sensor × hour (at most one row per sensor-hour, so counting
    rows counts sensors exactly): readings, sum, max, exceedances, exact P95, threshold, first
    reading above it; the coarser units add these up (:func:`reading_hours_sql`)."""
    return f"""
SELECT day, kind, sensor_id, hour, count(*) AS readings, sum(value) AS value_sum, max(value) AS max_value,
       count(*) FILTER (WHERE value > threshold) AS exceedances, {P95[engine]} AS p95_value,
       min(threshold) AS threshold, min(ts) FILTER (WHERE value > threshold) AS first_over_ts
FROM joined
GROUP BY day, kind, sensor_id, hour
"""


def reading_hours_sql(engine: str) -> str:
    """Per day × kind × unit × hour: sensors, readings, value sum and mean, max, exceedances,
    exact P95, lowest threshold, and the first reading above the threshold (time, value).

    Sensor rows are stage one's (``sensor_hours``); grid and H3 rows add up the sensor-hours
    of their sensors (counts, sums, maxima, minima combine exactly) and take the exact P95 of
    their readings in one grouping-sets pass that computes nothing else."""
    sets, unit_cols = _unit_sets("day, kind, hour")
    return f"""
WITH units AS (
    SELECT * FROM (
        SELECT day, kind, {unit_cols}, hour,
               count(*) AS sensors, sum(readings) AS readings, sum(value_sum) AS value_sum,
               sum(value_sum) / sum(readings) AS mean_value, max(max_value) AS max_value,
               sum(exceedances) AS exceedances, min(threshold) AS threshold, min(first_over_ts) AS first_over_ts
        FROM (SELECT h.*, s.grid_id, s.h3, {_cells("s.")}
              FROM sensor_hours h JOIN sensors s ON s.sensor_id = h.sensor_id) sh
        GROUP BY GROUPING SETS ({sets})
    ) g
    WHERE {_present()}
),
p95 AS (
    SELECT * FROM (
        SELECT day, kind, {unit_cols}, hour, {P95[engine]} AS p95_value
        FROM joined
        GROUP BY GROUPING SETS ({sets})
    ) g
    WHERE {_present()}
)
SELECT day, kind, 'sensor' AS level, CAST(NULL AS INT) AS res, CAST(NULL AS BIGINT) AS cell,
       sensor_id AS unit_key, hour, CAST(1 AS BIGINT) AS sensors, readings, value_sum,
       value_sum / readings AS mean_value, max_value, exceedances, p95_value, threshold, first_over_ts
FROM sensor_hours
UNION ALL
SELECT u.day, u.kind, u.level, u.res, u.cell, u.unit_key, u.hour, u.sensors, u.readings, u.value_sum,
       u.mean_value, u.max_value, u.exceedances, p.p95_value, u.threshold, u.first_over_ts
FROM units u
JOIN p95 p ON p.day = u.day AND p.kind = u.kind AND p.hour = u.hour AND p.level = u.level
          AND coalesce(p.res, -1) = coalesce(u.res, -1) AND coalesce(p.cell, -1) = coalesce(u.cell, -1)
          AND coalesce(p.unit_key, '') = coalesce(u.unit_key, '')
"""


def reading_sketches_sql(engine: str) -> str:
    """Per day × kind × sensor × sketch key: the number of readings (``level='sensor'``; a
    grid's or cell's sketch is the sum of its sensors' sketches, which the page's queries
    merge, so coarser levels are not stored)."""
    del engine
    return """
SELECT day, kind, 'sensor' AS level, CAST(NULL AS INT) AS res, CAST(NULL AS BIGINT) AS cell,
       sensor_id AS unit_key, bucket, count(*) AS n
FROM joined
GROUP BY day, kind, sensor_id, bucket
"""


def event_days_sql(engine: str) -> str:
    """Per report day × unit (H3 res 7-10, grid) × category × source: the chain counts."""
    del engine
    cols = _cells("e.")
    cells = [f"c{r}" for r in PARENT_RES]
    sets = ", ".join(f"(day, category, source, {u})" for u in ["grid_id", *cells])
    res = " ".join(f"WHEN grouping({c}) = 0 THEN {c[1:]}" for c in cells)
    cell = " ".join(f"WHEN grouping({c}) = 0 THEN {c}" for c in cells)
    return f"""
WITH e AS (
    SELECT e.category, e.source, e.grid_id, e.status, e.closed_at, e.close_due_at, e.responded_at,
           e.respond_due_at, e.satisfaction, e.reopened, CAST(e.reported_at AS DATE) AS day, {cols},
           CASE WHEN e.status = 'cancelled' THEN 1
                WHEN e.status IN ('closed', 'rated') AND e.closed_at IS NULL THEN 2 ELSE 0 END AS outcome
    FROM events e
)
SELECT * FROM (
    SELECT day, CASE WHEN grouping(grid_id) = 0 THEN 'grid' ELSE 'h3' END AS level,
           CAST(CASE {res} END AS INT) AS res, CAST(CASE {cell} END AS BIGINT) AS cell,
           CASE WHEN grouping(grid_id) = 0 THEN grid_id END AS unit_key, category, source,
           count(*) AS events,
           count(*) FILTER (WHERE outcome = 1) AS cancelled,
           count(*) FILTER (WHERE outcome = 2 OR (outcome = 0 AND closed_at IS NOT NULL)) AS closed,
           count(*) FILTER (WHERE outcome = 2) AS closed_untimed,
           count(*) FILTER (WHERE outcome = 0 AND closed_at <= close_due_at) AS closed_on_time,
           count(*) FILTER (WHERE outcome = 0 AND closed_at IS NULL) AS open,
           count(*) FILTER (WHERE responded_at IS NOT NULL) AS responded,
           count(*) FILTER (WHERE responded_at <= respond_due_at) AS responded_on_time,
           count(*) FILTER (WHERE (outcome = 2 OR (outcome = 0 AND closed_at IS NOT NULL))
                            AND satisfaction IS NOT NULL) AS rated,
           count(*) FILTER (WHERE (outcome = 2 OR (outcome = 0 AND closed_at IS NOT NULL))
                            AND satisfaction >= 4) AS satisfied,
           count(*) FILTER (WHERE reopened) AS reopened
    FROM e
    GROUP BY GROUPING SETS ({sets})
) g
WHERE NOT (level = 'grid' AND unit_key IS NULL)
"""


STAGE_SQL = {"sensor_hours": sensor_hours_sql}
"""Intermediate views of a readings rollup, materialised (in order) before the outputs."""

OUTPUT_SQL = {
    "reading_hours": reading_hours_sql,
    "reading_sketches": reading_sketches_sql,
    "event_days": event_days_sql,
}
"""The SQL of each rollup dataset."""
