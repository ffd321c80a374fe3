"""The rollup SQL, one text for both engines (DuckDB and Spark SQL).

The inputs are two views the engine registers: ``readings`` (``sensor_id, ts, value``) and
``sensors`` (``sensor_id, kind, h3, grid_id, threshold``), and ``events`` (the stored columns
and ``day``). The only dialect holes are the exact percentile (``quantile_cont`` /
``percentile``, both linear interpolation like ``percentile_cont``) and the cast of a
timestamp to the hour. H3 parents are two int64 masks from :mod:`geo.h3bits`; the sketch key
is :func:`geo.quantile_sketch.bucket_keys` written in SQL.

Readings (``reading_hours``, one row per day × kind × unit × hour; ``reading_sketches``, per
day × kind × sensor × sketch key): a unit is a sensor (``level='sensor'``, ``unit_key`` its id),
a grid (``level='grid'``) or an H3 cell (``level='h3'``, ``res`` 12 = the stored cell, and 7-10,
``cell``). Readings of a sensor the sensors file does not know are left out (the report counts
them); a sensor without a grid is in no grid row, one without a cell in no H3 row.

How (every pass over the readings groups by small integer keys, nothing is sorted):

1. ``sensor_keys``: each sensor's integer id ``sidx``, and ``units`` / ``members``: every
   (kind, grid or cell) unit with an integer ``uid``, its sensor count, and which sensors
   belong to it (the cells by the bit macro on the sensors, not on the readings).
2. ``sensor_hours``, one pass over the readings: per sensor × hour the count, sum, max,
   exceedances, first reading over the threshold and the exact P95.
3. ``unit_hours``: the grid/H3 units add up their members' sensor-hours (exact for counts,
   sums, maxima, minima; a sensor has one row per hour, so counting rows counts sensors).
4. ``unit_p95``: the exact P95 of the readings of units with two or more sensors, one pass
   over the readings of just those units' members grouped by (uid, hour); a unit of one
   sensor takes its sensor-hour's P95 (the same readings).
5. ``reading_sketches``, one pass: per sensor × day × key the count.

Events (``event_days``): per report day × unit (H3 res 7-10 or grid) × category × source, the
chain counts of the KPIs as of the data's end (closed = closed with a time or untimed, on time
= closed by the close deadline, …).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from data.contracts import FINE_H3_RES
from geo.h3bits import parent_masks
from geo.quantile_sketch import GAMMA, NEGATIVE_BASE, POSITIVE_FLOOR, TINY, ZERO_KEY

PARENT_RES: tuple[int, ...] = (10, 9, 8, 7)
"""Coarser H3 resolutions rolled up (besides the stored one)."""
P95 = {"duckdb": "quantile_cont(value, 0.95)", "spark": "percentile(value, 0.95)"}
"""Exact 95th percentile with linear interpolation, per engine."""
HOUR = {"duckdb": "date_trunc('hour', ts)", "spark": "CAST(date_trunc('HOUR', ts) AS TIMESTAMP_NTZ)"}
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


def sensor_keys_sql(engine: str) -> str:
    """Each known sensor with an integer id ``sidx`` (by sensor id)."""
    del engine
    return """
SELECT sensor_id, kind, threshold, grid_id, h3, CAST(dense_rank() OVER (ORDER BY sensor_id) AS INT) AS sidx
FROM sensors
"""


def _unit_members() -> str:
    """(sidx, kind, level, res, cell, unit_key) of every unit a sensor belongs to."""
    parts = ["SELECT sidx, kind, threshold, 'grid' AS level, CAST(NULL AS INT) AS res, CAST(NULL AS BIGINT) AS cell, "
             "grid_id AS unit_key FROM sensor_keys WHERE grid_id IS NOT NULL",
             f"SELECT sidx, kind, threshold, 'h3', {FINE_H3_RES}, h3, CAST(NULL AS STRING) "
             "FROM sensor_keys WHERE h3 IS NOT NULL"]  # fmt: skip
    parts += [
        f"SELECT sidx, kind, threshold, 'h3', {r}, {parent_sql('h3', r)}, CAST(NULL AS STRING) "
        "FROM sensor_keys WHERE h3 IS NOT NULL"
        for r in PARENT_RES
    ]
    return "\nUNION ALL\n".join(parts)


def units_sql(engine: str) -> str:
    """Every (kind, unit) with members: an integer ``uid`` and its number of sensors."""
    del engine
    return f"""
SELECT kind, level, res, cell, unit_key, count(*) AS members,
       CAST(row_number() OVER (ORDER BY kind, level, res, cell, unit_key) AS INT) AS uid
FROM ({_unit_members()}) m
GROUP BY kind, level, res, cell, unit_key
"""


def members_sql(engine: str) -> str:
    """Which sensor (``sidx``) belongs to which unit (``uid``), with the unit's size."""
    del engine
    return f"""
SELECT m.sidx, m.threshold, u.uid, u.members
FROM ({_unit_members()}) m
JOIN units u ON u.kind = m.kind AND u.level = m.level AND coalesce(u.res, -1) = coalesce(m.res, -1)
            AND coalesce(u.cell, -1) = coalesce(m.cell, -1) AND coalesce(u.unit_key, '') = coalesce(m.unit_key, '')
"""


def sensor_hours_sql(engine: str) -> str:
    """Per sensor × hour, one pass over the readings: readings, sum, max, exceedances, P95
    (exact on DuckDB; on Spark from ``sensor_p95``) and the first reading above the threshold."""
    p95 = P95[engine] if engine == "duckdb" else "CAST(NULL AS DOUBLE)"
    hours = f"""
SELECT k.sidx, {HOUR[engine]} AS hour, count(*) AS readings, sum(value) AS value_sum, max(value) AS max_value,
       count(*) FILTER (WHERE value > k.threshold) AS exceedances, {p95} AS p95_value,
       min(ts) FILTER (WHERE value > k.threshold) AS first_over_ts
FROM readings r
JOIN sensor_keys k ON k.sensor_id = r.sensor_id
GROUP BY k.sidx, {HOUR[engine]}
"""
    if engine == "duckdb":
        return hours
    return f"""
SELECT h.sidx, h.hour, h.readings, h.value_sum, h.max_value, h.exceedances, p.p95_value, h.first_over_ts
FROM ({hours}) h
JOIN sensor_p95 p ON p.sidx = h.sidx AND p.hour = h.hour
"""


def sensor_buckets_sql(engine: str) -> str:
    """Spark: per sensor × hour × sketch key the number of readings (one pass, counts only)."""
    return f"""
SELECT k.sidx, {HOUR[engine]} AS hour, {bucket_sql("value")} AS bucket, count(*) AS n
FROM readings r
JOIN sensor_keys k ON k.sensor_id = r.sensor_id
GROUP BY k.sidx, {HOUR[engine]}, {bucket_sql("value")}
"""


def sketch_p95_sql(source: str, keys: str) -> str:
    """The P95 per ``keys`` from ``(keys, bucket, n)`` rows of ``source``: the two ranks
    around ``0.95 (N - 1)`` found by cumulative counts, their representatives interpolated
    (:func:`geo.quantile_sketch.sketch_quantile` in SQL; within ``ALPHA`` of the exact value)."""
    g = repr(GAMMA)
    rep = (
        f"CASE WHEN bucket >= {POSITIVE_FLOOR} THEN 2 * power({g}, CAST(bucket AS DOUBLE)) / ({g} + 1) "
        f"WHEN bucket = {ZERO_KEY} THEN CAST(0 AS DOUBLE) "
        f"ELSE -2 * power({g}, CAST({NEGATIVE_BASE} - bucket AS DOUBLE)) / ({g} + 1) END"
    )
    cols = ", ".join(f"q.{k.strip()}" for k in keys.split(","))
    return f"""
SELECT {cols}, q.lo_v + (q.pos - q.lo) * (q.hi_v - q.lo_v) AS p95_value
FROM (
    SELECT {keys}, pos, lo,
           max(CASE WHEN cum - n <= lo AND lo < cum THEN rep END) AS lo_v,
           max(CASE WHEN cum - n <= hi AND hi < cum THEN rep END) AS hi_v
    FROM (
        SELECT {keys}, n, rep, cum, 0.95 * (total - 1) AS pos, floor(0.95 * (total - 1)) AS lo,
               ceil(0.95 * (total - 1)) AS hi
        FROM (
            SELECT {keys}, CAST(n AS DOUBLE) AS n, {rep} AS rep,
                   CAST(sum(n) OVER (PARTITION BY {keys} ORDER BY bucket
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE) AS cum,
                   CAST(sum(n) OVER (PARTITION BY {keys}) AS DOUBLE) AS total
            FROM {source}
        ) w
    ) c
    GROUP BY {keys}, pos, lo
) q
"""


def sensor_p95_sql(engine: str) -> str:
    """Spark: the sketch P95 of each sensor-hour."""
    del engine
    return sketch_p95_sql("sensor_buckets", "sidx, hour")


def unit_hours_sql(engine: str) -> str:
    """Per unit × hour: its members' sensor-hours added up (and the P95 of a lone sensor)."""
    del engine
    return """
SELECT m.uid, h.hour, count(*) AS sensors, sum(h.readings) AS readings, sum(h.value_sum) AS value_sum,
       max(h.max_value) AS max_value, sum(h.exceedances) AS exceedances, min(m.threshold) AS threshold,
       min(h.first_over_ts) AS first_over_ts, min(h.p95_value) AS lone_p95
FROM sensor_hours h
JOIN members m ON m.sidx = h.sidx
GROUP BY m.uid, h.hour
"""


def unit_p95_sql(engine: str) -> str:
    """P95 per unit × hour of the units with two or more sensors: exact over their readings
    (DuckDB), or from their members' merged sensor-hour sketches (Spark)."""
    if engine == "spark":
        merged = """(
    SELECT m.uid, b.hour, b.bucket, sum(b.n) AS n
    FROM sensor_buckets b
    JOIN members m ON m.sidx = b.sidx AND m.members > 1
    GROUP BY m.uid, b.hour, b.bucket
) b"""
        return sketch_p95_sql(merged, "uid, hour")
    return f"""
SELECT m.uid, {HOUR[engine]} AS hour, {P95[engine]} AS p95_value
FROM readings r
JOIN sensor_keys k ON k.sensor_id = r.sensor_id
JOIN members m ON m.sidx = k.sidx AND m.members > 1
GROUP BY m.uid, {HOUR[engine]}
"""


def reading_hours_sql(engine: str) -> str:
    """Per day × kind × unit × hour: sensors, readings, value sum and mean, max, exceedances,
    exact P95, lowest threshold and the first reading above it (see the module docstring)."""
    del engine
    return """
SELECT CAST(h.hour AS DATE) AS day, k.kind, 'sensor' AS level, CAST(NULL AS INT) AS res,
       CAST(NULL AS BIGINT) AS cell, k.sensor_id AS unit_key, h.hour, CAST(1 AS BIGINT) AS sensors, h.readings,
       h.value_sum, h.value_sum / h.readings AS mean_value, h.max_value, h.exceedances, h.p95_value,
       k.threshold, h.first_over_ts
FROM sensor_hours h
JOIN sensor_keys k ON k.sidx = h.sidx
UNION ALL
SELECT CAST(h.hour AS DATE) AS day, u.kind, u.level, u.res, u.cell, u.unit_key, h.hour, h.sensors, h.readings,
       h.value_sum, h.value_sum / h.readings AS mean_value, h.max_value, h.exceedances,
       coalesce(p.p95_value, h.lone_p95) AS p95_value, h.threshold, h.first_over_ts
FROM unit_hours h
JOIN units u ON u.uid = h.uid
LEFT JOIN unit_p95 p ON p.uid = h.uid AND p.hour = h.hour
"""


def reading_sketches_sql(engine: str) -> str:
    """Per day × kind × sensor × sketch key: the number of readings (``level='sensor'``; a
    grid's or cell's sketch is the sum of its sensors' sketches, which the page's queries
    merge, so coarser levels are not stored). Spark adds up its sensor-hour sketches."""
    if engine == "spark":
        return """
SELECT g.day, k.kind, 'sensor' AS level, CAST(NULL AS INT) AS res,
       CAST(NULL AS BIGINT) AS cell, k.sensor_id AS unit_key, g.bucket, g.n
FROM (
    SELECT sidx, CAST(hour AS DATE) AS day, bucket, sum(n) AS n
    FROM sensor_buckets
    GROUP BY sidx, CAST(hour AS DATE), bucket
) g
JOIN sensor_keys k ON k.sidx = g.sidx
"""
    return f"""
SELECT g.day, k.kind, 'sensor' AS level, CAST(NULL AS INT) AS res,
       CAST(NULL AS BIGINT) AS cell, k.sensor_id AS unit_key, g.bucket, g.n
FROM (
    SELECT k.sidx, CAST(ts AS DATE) AS day, {bucket_sql("value")} AS bucket, count(*) AS n
    FROM readings r
    JOIN sensor_keys k ON k.sensor_id = r.sensor_id
    GROUP BY k.sidx, CAST(ts AS DATE), {bucket_sql("value")}
) g
JOIN sensor_keys k ON k.sidx = g.sidx
"""


def _cells(prefix: str) -> str:
    """The coarser parents of the stored cell ``{prefix}h3`` as columns ``c10`` … ``c7``."""
    return ", ".join(f"{parent_sql(prefix + 'h3', r)} AS c{r}" for r in PARENT_RES)


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


_KEYS: dict[str, Callable[[str], str]] = {"sensor_keys": sensor_keys_sql, "units": units_sql, "members": members_sql}
STAGE_SQL: dict[str, dict[str, dict[str, Callable[[str], str]]]] = {
    "duckdb": {
        "readings": {**_KEYS, "sensor_hours": sensor_hours_sql, "unit_hours": unit_hours_sql, "unit_p95": unit_p95_sql},
        "events": {},
    },
    "spark": {
        "readings": {
            **_KEYS,
            "sensor_buckets": sensor_buckets_sql,
            "sensor_p95": sensor_p95_sql,
            "sensor_hours": sensor_hours_sql,
            "unit_hours": unit_hours_sql,
            "unit_p95": unit_p95_sql,
        },
        "events": {},
    },
}
"""Intermediate tables of a rollup per engine and kind, materialised in order before the outputs."""

OUTPUT_SQL = {
    "reading_hours": reading_hours_sql,
    "reading_sketches": reading_sketches_sql,
    "event_days": event_days_sql,
}
"""The SQL of each rollup dataset."""
