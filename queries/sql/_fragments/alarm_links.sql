SELECT a.sensor_id, a.kind, a.unit, a.grid_id, a.threshold, a.ts, a.value,
       e.event_id, e.reported_at, e.responded_at, e.closed_at, e.close_due_at,
       ROW_NUMBER() OVER (PARTITION BY a.sensor_id, a.ts ORDER BY e.reported_at, e.event_id) AS nth
FROM alarms a
LEFT JOIN events e
  ON e.sensor_id = a.sensor_id
 AND e.reported_at >= a.ts
 AND e.reported_at < a.ts + INTERVAL '1 day'
 AND (a.next_alarm_ts IS NULL OR e.reported_at < a.next_alarm_ts)
