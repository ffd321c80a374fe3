SELECT a.sensor_id, a.kind, a.unit, a.grid_id, a.threshold, a.ts, a.value,
       e.event_id, e.reported_at, e.responded_at, e.closed_at, e.close_due_at, e.status,
       ROW_NUMBER() OVER (PARTITION BY a.sensor_id, a.ts ORDER BY e.reported_at, e.event_id) AS nth
FROM alarms a
LEFT JOIN (
    SELECT sensor_id, event_id, reported_at, responded_at, closed_at, close_due_at, status
    FROM events
    WHERE sensor_id IS NOT NULL
      AND reported_at >= :start AND reported_at < CAST(:end AS TIMESTAMP) + INTERVAL '1 day'
) e
  ON e.sensor_id = a.sensor_id
 AND e.reported_at >= a.ts
 AND e.reported_at < LEAST(COALESCE(a.next_alarm_ts, a.ts + INTERVAL '1 day'), a.ts + INTERVAL '1 day')
