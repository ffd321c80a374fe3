-- sensor_stats_by_cell from the rollups (level 'sensor' rows merged per H3 cell at :res of
-- each sensor's stored cell): sensors, readings, mean, 95th percentile (merged sketches,
-- within 1 %), maximum, exceedances and the lowest threshold in [:start, :end) for sensors of
-- :kind in the streets :street_ids (NULL = all).
WITH h AS (
    SELECT h3_parent(s.h3, :res) AS cell,
           count(DISTINCT s.sensor_id) AS sensors,
           sum(r.readings) AS readings,
           sum(r.value_sum) / sum(r.readings) AS mean_value,
           max(r.max_value) AS max_value,
           sum(r.exceedances) AS exceedances,
           min(s.threshold) AS threshold
    FROM reading_hours r
    JOIN sensors s ON s.sensor_id = r.unit_key
    WHERE r.level = 'sensor' AND r.hour >= :start AND r.hour < :end AND {{sensor_scope}}
    GROUP BY 1
),
k AS (
    SELECT h3_parent(s.h3, :res) AS unit_id, r.bucket, sum(r.n) AS n
    FROM reading_sketches r
    JOIN sensors s ON s.sensor_id = r.unit_key
    WHERE r.level = 'sensor' AND r.day >= CAST(:start AS DATE) AND r.day < CAST(:end AS DATE) AND {{sensor_scope}}
    GROUP BY 1, 2
),
p AS (
    {{sketch_p95}}
)
SELECT h.cell, h.sensors, h.readings, h.mean_value, p.p95_value, h.max_value, h.exceedances, h.threshold
FROM h
LEFT JOIN p ON p.unit_id = h.cell
ORDER BY h.exceedances DESC, h.cell
