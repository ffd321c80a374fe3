-- sensor_series from the rollups (level 'sensor' rows of :sensor_id in [:start, :end)): one
-- row per hour, the hour's mean value (the reading itself for hourly readings) with the
-- sensor's threshold and unit, oldest first.
SELECT r.hour AS ts, r.value_sum / r.readings AS value, s.threshold, s.unit
FROM reading_hours r
JOIN sensors s ON s.sensor_id = r.unit_key
WHERE r.level = 'sensor' AND r.unit_key = :sensor_id AND r.hour >= :start AND r.hour < :end
ORDER BY r.hour
