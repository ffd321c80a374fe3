SELECT e.event_id, e.source, e.category, e.department, e.street_id, e.community_id, e.grid_id,
       e.reported_at, e.registered_at, e.dispatched_at, e.responded_at, e.resolved_at,
       e.verified_at, e.closed_at, e.satisfaction, e.reopened, e.sensor_id,
       e.respond_due_at AS response_deadline,
       e.close_due_at AS close_deadline,
       e.status = 'cancelled' AS cancelled,
       e.closed_at IS NULL AND e.status IN ('closed', 'rated') AS closed_untimed,
       LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
FROM events e
WHERE {{event_filter}}
