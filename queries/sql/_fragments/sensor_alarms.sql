SELECT x.sensor_id, x.kind, x.unit, x.grid_id, x.threshold, x.ts, x.value,
       LEAD(x.ts) OVER (PARTITION BY x.sensor_id ORDER BY x.ts) AS next_alarm_ts
FROM (
    SELECT r.sensor_id, s.kind, s.unit, s.grid_id, s.threshold, r.ts, r.value,
           r.value > s.threshold AS over,
           LAG(r.value > s.threshold) OVER (PARTITION BY r.sensor_id ORDER BY r.ts) AS prev_over
    FROM readings r
    JOIN sensors s ON s.sensor_id = r.sensor_id
    WHERE r.ts >= CAST(:start AS TIMESTAMP) - INTERVAL '1 day' AND r.ts < :end AND {{sensor_scope}}
) x
WHERE x.over AND NOT COALESCE(x.prev_over, FALSE) AND x.ts >= :start
