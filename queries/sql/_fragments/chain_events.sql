SELECT e.event_id, e.source, e.category, e.department, e.street_id, e.community_id, e.grid_id,
       e.reported_at, e.registered_at, e.dispatched_at, e.responded_at, e.resolved_at,
       e.verified_at, e.closed_at, e.satisfaction, e.reopened, e.sensor_id,
       e.reported_at + c.sla_response_h * INTERVAL '1 hour' AS response_deadline,
       e.reported_at + c.sla_close_h * INTERVAL '1 hour' AS close_deadline,
       LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
FROM events e
JOIN categories c ON c.code = e.category
WHERE {{event_filter}}
