-- Readings in [:start, :end) of sensors of :kind (NULL = every kind) in the streets
-- :street_ids (NULL = all), per grid (网格): sensors, readings, mean, 95th percentile,
-- maximum, exceedances (readings above their sensor's threshold), lowest threshold, and
-- the grid's names. Sensors outside every grid are absent.
WITH g AS (
    SELECT s.grid_id,
           count(DISTINCT s.sensor_id) AS sensors,
           count(*) AS readings,
           avg(r.value) AS mean_value,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY r.value) AS p95_value,
           max(r.value) AS max_value,
           count(*) FILTER (WHERE r.value > s.threshold) AS exceedances,
           min(s.threshold) AS threshold
    FROM readings r
    JOIN sensors s ON s.sensor_id = r.sensor_id
    WHERE r.ts >= :start AND r.ts < :end AND s.grid_id IS NOT NULL AND {{sensor_scope}}
    GROUP BY s.grid_id
)
SELECT g.grid_id AS area_id, a.name_zh, a.name_en, g.sensors, g.readings, g.mean_value,
       g.p95_value, g.max_value, g.exceedances, g.threshold
FROM g
LEFT JOIN areas a ON a.area_id = g.grid_id
ORDER BY g.exceedances DESC, g.grid_id
