-- sensor_stats_by_grid from the rollups (level 'sensor' rows merged per grid): sensors,
-- readings, mean, 95th percentile (merged sketches, within 1 %), maximum, exceedances,
-- lowest threshold and the grid's names in [:start, :end), sensors of :kind in the streets
-- :street_ids (NULL = all). Sensors outside every grid are absent.
WITH g AS (
    SELECT s.grid_id,
           count(DISTINCT s.sensor_id) AS sensors,
           sum(r.readings) AS readings,
           sum(r.value_sum) / sum(r.readings) AS mean_value,
           max(r.max_value) AS max_value,
           sum(r.exceedances) AS exceedances,
           min(s.threshold) AS threshold
    FROM reading_hours r
    JOIN sensors s ON s.sensor_id = r.unit_key
    WHERE r.level = 'sensor' AND r.hour >= :start AND r.hour < :end AND s.grid_id IS NOT NULL AND {{sensor_scope}}
    GROUP BY s.grid_id
),
k AS (
    SELECT s.grid_id AS unit_id, r.bucket, sum(r.n) AS n
    FROM reading_sketches r
    JOIN sensors s ON s.sensor_id = r.unit_key
    WHERE r.level = 'sensor' AND r.day >= CAST(:start AS DATE) AND r.day < CAST(:end AS DATE)
      AND s.grid_id IS NOT NULL AND {{sensor_scope}}
    GROUP BY 1, 2
),
p AS (
    {{sketch_p95}}
)
SELECT g.grid_id AS area_id, a.name_zh, a.name_en, g.sensors, g.readings, g.mean_value,
       p.p95_value, g.max_value, g.exceedances, g.threshold
FROM g
LEFT JOIN areas a ON a.area_id = g.grid_id
LEFT JOIN p ON p.unit_id = g.grid_id
ORDER BY g.exceedances DESC, g.grid_id
