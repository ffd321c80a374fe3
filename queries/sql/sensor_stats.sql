-- Every sensor of :kind (NULL = every kind) in the streets :street_ids (NULL = all) with
-- its position, grid, threshold and the statistics of its readings in [:start, :end):
-- readings, mean, 95th percentile, maximum, exceedances (readings above the threshold).
-- Sensors without readings in the window are listed with zero readings. Most exceedances
-- first.
WITH r AS (
    SELECT r.sensor_id, count(*) AS readings, avg(r.value) AS mean_value,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY r.value) AS p95_value,
           max(r.value) AS max_value,
           count(*) FILTER (WHERE r.value > s.threshold) AS exceedances
    FROM readings r
    JOIN sensors s ON s.sensor_id = r.sensor_id
    WHERE r.ts >= :start AND r.ts < :end AND {{sensor_scope}}
    GROUP BY r.sensor_id
)
SELECT s.sensor_id, s.kind, s.unit, s.lon, s.lat, s.h3, s.grid_id, s.threshold,
       COALESCE(r.readings, 0) AS readings, r.mean_value, r.p95_value, r.max_value,
       COALESCE(r.exceedances, 0) AS exceedances
FROM sensors s
LEFT JOIN r ON r.sensor_id = s.sensor_id
WHERE {{sensor_scope}}
ORDER BY exceedances DESC, s.sensor_id
