-- Hourly readings of sensor :sensor_id in [:start, :end) with the sensor's threshold
-- (one row per reading, oldest first).
SELECT r.ts, r.value, s.threshold, s.unit
FROM readings r
JOIN sensors s ON s.sensor_id = r.sensor_id
WHERE r.sensor_id = :sensor_id AND r.ts >= :start AND r.ts < :end
ORDER BY r.ts
