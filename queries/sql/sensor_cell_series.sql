-- Hourly series of the sensors of :kind in H3 cell :cell at resolution :res, in
-- [:start, :end): per hour the number of sensors reporting, their mean and maximum value,
-- and the lowest threshold among them. Oldest first.
SELECT date_trunc('hour', r.ts) AS ts,
       count(DISTINCT r.sensor_id) AS sensors,
       avg(r.value) AS mean_value,
       max(r.value) AS max_value,
       min(s.threshold) AS threshold
FROM readings r
JOIN sensors s ON s.sensor_id = r.sensor_id
WHERE s.kind = :kind AND h3_parent(s.h3, :res) = :cell AND r.ts >= :start AND r.ts < :end
GROUP BY 1
ORDER BY 1
