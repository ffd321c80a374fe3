-- The readings of [:start, :end) (sensor id, time, value) for a Parquet day partition,
-- by sensor and time.
SELECT r.sensor_id, r.ts, r.value
FROM readings r
WHERE r.ts >= :start AND r.ts < :end
ORDER BY r.sensor_id, r.ts
