"""The rollup SQL, one text for both engines (DuckDB and Spark SQL).

The inputs are two views the engine registers: ``readings`` (``sensor_id, ts, value``) and
``sensors`` (``sensor_id, kind, h3, grid_id, threshold``), and ``events`` (the stored columns
and ``day``). The dialect holes are the exact percentile (DuckDB's ``quantile_cont``; on Spark
the interpolation read off a sorted array, both linear like ``percentile_cont``), the list of
an hour's values and the cast of a timestamp to the hour. H3 parents are two int64 masks from
:mod:`geo.h3bits`; the sketch key is :func:`geo.quantile_sketch.bucket_keys` written in SQL.

Readings (``reading_hours``, one row per day × kind × unit × hour; ``reading_sketches``, per
day × kind × sensor × sketch key): a unit is a sensor (``level='sensor'``, ``unit_key`` its id),
a grid (``level='grid'``) or an H3 cell (``level='h3'``, ``res`` 12 = the stored cell, and 7-10,
``cell``). Readings of a sensor the sensors file does not know are left out (the report counts
them); a sensor without a grid is in no grid row, one without a cell in no H3 row.

How (one pass over the readings; everything after it reads the sensor-hours):

1. ``sensor_keys``: each sensor's integer id ``sidx``, and ``units`` / ``members``: every
   (kind, grid or cell) unit with an integer ``uid``, its sensor count, and which sensors
   belong to it (the cells by the bit macro on the sensors, not on the readings).
2. ``sensor_hours``, the one pass over the readings: per sensor × hour the count, sum, max,
   exceedances, first reading over the threshold, the exact P95 and the hour's values.
3. ``unit_hours``: the grid/H3 units add up their members' sensor-hours (exact for counts,
   sums, maxima, minima; a sensor has one row per hour, so counting rows counts sensors).
4. ``unit_p95``: the exact P95 of the units with two or more sensors from their members'
   sensor-hour values grouped by (uid, hour); a unit of one sensor takes its sensor-hour's P95.
5. ``reading_sketches``: per sensor × day × key the count, from the sensor-hour values.

Events (``event_days``): per report day × unit (H3 res 7-10 or grid) × category × source, the
chain counts of the KPIs as of the data's end (closed = closed with a time or untimed, on time
= closed by the close deadline, …).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from data.contracts import FINE_H3_RES
from geo.h3bits import parent_masks
from geo.quantile_sketch import GAMMA, NEGATIVE_BASE, TINY, ZERO_KEY

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
    """Per sensor × hour, the one pass over the readings: readings, sum, max, exceedances, the
    first reading above the threshold, the exact P95 and the hour's values ``vals`` (for the
    P95 of the units and the day sketches, so no second pass over the readings). DuckDB keeps
    ``vals`` unsorted and takes ``quantile_cont``; Spark sorts them (``sort_array`` of a
    primitive array) and reads the P95 off them (:func:`sorted_p95_sql`), since its exact
    ``percentile`` boxes every value into a per-group map."""
    if engine == "duckdb":
        vals, p95 = "list(value)", f"{P95[engine]} AS p95_value, "
    else:
        vals, p95 = "sort_array(collect_list(value))", ""
    hours = f"""
SELECT k.sidx, {HOUR[engine]} AS hour, count(*) AS readings, sum(value) AS value_sum, max(value) AS max_value,
       count(*) FILTER (WHERE value > k.threshold) AS exceedances, {p95}
       min(ts) FILTER (WHERE value > k.threshold) AS first_over_ts, {vals} AS vals
FROM readings r
JOIN sensor_keys k ON k.sensor_id = r.sensor_id
GROUP BY k.sidx, {HOUR[engine]}
"""
    if engine == "duckdb":
        return hours
    return f"""
SELECT h.sidx, h.hour, h.readings, h.value_sum, h.max_value, h.exceedances, {sorted_p95_sql("h.vals")} AS p95_value,
       h.first_over_ts, h.vals
FROM ({hours}) h
"""


def sorted_p95_sql(column: str) -> str:
    """The P95 of the sorted non-empty array ``column`` with linear interpolation between the
    ranks around ``0.95 (n - 1)``, as ``percentile_cont`` / ``quantile_cont`` (Spark SQL)."""
    n = f"size({column})"
    lo = f"element_at({column}, CAST(floor(0.95 * ({n} - 1)) AS INT) + 1)"
    hi = f"element_at({column}, CAST(ceil(0.95 * ({n} - 1)) AS INT) + 1)"
    return f"({lo} + (0.95 * ({n} - 1) - floor(0.95 * ({n} - 1))) * ({hi} - {lo}))"


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
    """Exact P95 per unit × hour of the units with two or more sensors, from their members'
    sensor-hour values (no second pass over the readings): DuckDB unnests them into
    ``quantile_cont``; Spark concatenates the sorted arrays, sorts and reads the P95 off."""
    if engine == "spark":
        return f"""
SELECT uid, hour, {sorted_p95_sql("v")} AS p95_value
FROM (
    SELECT m.uid, h.hour, sort_array(flatten(collect_list(h.vals))) AS v
    FROM sensor_hours h
    JOIN members m ON m.sidx = h.sidx AND m.members > 1
    GROUP BY m.uid, h.hour
) u
"""
    return f"""
SELECT uid, hour, {P95[engine]} AS p95_value
FROM (
    SELECT m.uid, h.hour, unnest(h.vals) AS value
    FROM sensor_hours h
    JOIN members m ON m.sidx = h.sidx AND m.members > 1
) u
GROUP BY uid, hour
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
    merge, so coarser levels are not stored), from the sensor-hours' values."""
    unnest = "unnest(vals)" if engine == "duckdb" else "explode(vals)"
    return f"""
SELECT g.day, k.kind, 'sensor' AS level, CAST(NULL AS INT) AS res,
       CAST(NULL AS BIGINT) AS cell, k.sensor_id AS unit_key, g.bucket, g.n
FROM (
    SELECT sidx, day, {bucket_sql("value")} AS bucket, count(*) AS n
    FROM (SELECT sidx, CAST(hour AS DATE) AS day, {unnest} AS value FROM sensor_hours) v
    GROUP BY sidx, day, {bucket_sql("value")}
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
_READING_STAGES: dict[str, Callable[[str], str]] = {
    **_KEYS,
    "sensor_hours": sensor_hours_sql,
    "unit_hours": unit_hours_sql,
    "unit_p95": unit_p95_sql,
}
STAGE_SQL: dict[str, dict[str, dict[str, Callable[[str], str]]]] = {
    "duckdb": {"readings": _READING_STAGES, "events": {}},
    "spark": {"readings": _READING_STAGES, "events": {}},
}
"""Intermediate tables of a rollup per engine and kind, materialised in order before the outputs."""

OUTPUT_SQL = {
    "reading_hours": reading_hours_sql,
    "reading_sketches": reading_sketches_sql,
    "event_days": event_days_sql,
}
"""The SQL of each rollup dataset."""
