WITH over AS (
    SELECT r.sensor_id, r.ts, r.value, date_trunc('hour', r.ts) AS hr
    FROM readings r
    JOIN sensors s ON s.sensor_id = r.sensor_id
    WHERE r.ts >= CAST(:start AS TIMESTAMP) - INTERVAL '1 hour' AND r.ts < :end
      AND r.value > s.threshold AND {{sensor_scope}}
),
firsts AS (
    SELECT sensor_id, hr, min(ts) AS ts
    FROM over
    GROUP BY sensor_id, hr
),
starts AS (
    SELECT f.sensor_id, f.ts
    FROM firsts f
    LEFT JOIN firsts p ON p.sensor_id = f.sensor_id AND p.hr = f.hr - INTERVAL '1 hour'
    WHERE f.ts >= :start AND p.sensor_id IS NULL
)
SELECT a.sensor_id, s.kind, s.unit, s.grid_id, s.threshold, a.ts, o.value,
       LEAD(a.ts) OVER (PARTITION BY a.sensor_id ORDER BY a.ts) AS next_alarm_ts
FROM starts a
JOIN over o ON o.sensor_id = a.sensor_id AND o.ts = a.ts
JOIN sensors s ON s.sensor_id = a.sensor_id
