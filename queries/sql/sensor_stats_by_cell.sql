-- Readings in [:start, :end) of sensors of :kind (NULL = every kind; one kind per map) in
-- the streets :street_ids (NULL = all), per H3 cell at resolution :res: sensors, readings,
-- mean, 95th percentile (linear interpolation), maximum, and exceedances (readings above
-- their sensor's threshold), with the lowest threshold of the cell's sensors.
SELECT h3_parent(s.h3, :res) AS cell,
       count(DISTINCT s.sensor_id) AS sensors,
       count(*) AS readings,
       avg(r.value) AS mean_value,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY r.value) AS p95_value,
       max(r.value) AS max_value,
       count(*) FILTER (WHERE r.value > s.threshold) AS exceedances,
       min(s.threshold) AS threshold
FROM readings r
JOIN sensors s ON s.sensor_id = r.sensor_id
WHERE r.ts >= :start AND r.ts < :end AND {{sensor_scope}}
GROUP BY 1
ORDER BY exceedances DESC, cell
