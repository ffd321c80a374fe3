SELECT e.event_id, e.category, e.department, e.street_id, e.grid_id, e.reported_at, e.close_due_at,
       EXTRACT(EPOCH FROM (CAST(:now AS TIMESTAMP) - e.close_due_at)) / 3600.0 AS hours_overdue,
       CASE WHEN e.close_due_at > CAST(:now AS TIMESTAMP) - INTERVAL '1 day' THEN 'lt_1d'
            WHEN e.close_due_at > CAST(:now AS TIMESTAMP) - INTERVAL '3 days' THEN 'd1_3'
            WHEN e.close_due_at > CAST(:now AS TIMESTAMP) - INTERVAL '7 days' THEN 'd3_7'
            WHEN e.close_due_at > CAST(:now AS TIMESTAMP) - INTERVAL '30 days' THEN 'd7_30'
            ELSE 'gt_30d' END AS bucket,
       CASE WHEN e.verified_at < :now THEN 'verified'
            WHEN e.resolved_at < :now THEN 'resolved'
            WHEN e.responded_at < :now THEN 'responded'
            WHEN e.dispatched_at < :now THEN 'dispatched'
            WHEN e.registered_at < :now THEN 'registered'
            ELSE 'reported' END AS stage
FROM events e
WHERE {{event_lists}}
  AND e.status <> 'cancelled'
  AND NOT (e.closed_at IS NULL AND e.status IN ('closed', 'rated'))
  AND (e.closed_at IS NULL OR e.closed_at >= :now)
  AND e.close_due_at < :now
