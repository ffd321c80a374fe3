SELECT a.sensor_id, s.kind, s.unit, s.grid_id, s.threshold, a.ts, a.value,
       LEAD(a.ts) OVER (PARTITION BY a.sensor_id ORDER BY a.ts) AS next_alarm_ts
FROM (
    SELECT x.sensor_id, x.ts, x.value
    FROM (
        SELECT o.sensor_id, o.ts, o.value, o.over,
               LAG(o.over) OVER (PARTITION BY o.sensor_id ORDER BY o.ts) AS prev_over
        FROM (
            SELECT r.sensor_id, r.ts, r.value, r.value > s.threshold AS over
            FROM readings r
            JOIN sensors s ON s.sensor_id = r.sensor_id
            WHERE r.ts >= CAST(:start AS TIMESTAMP) - INTERVAL '1 day' AND r.ts < :end AND {{sensor_scope}}
        ) o
    ) x
    WHERE x.over AND NOT COALESCE(x.prev_over, FALSE) AND x.ts >= :start
) a
JOIN sensors s ON s.sensor_id = a.sensor_id
