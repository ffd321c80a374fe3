-- The events reported in [:start, :end) for a Parquet day partition: every stored column
-- but the geometry (derived from lon/lat), by event id.
SELECT e.event_id, e.source, e.category, e.description, e.lon, e.lat, e.h3, e.grid_id,
       e.community_id, e.street_id, e.department, e.priority, e.status, e.reported_at,
       e.registered_at, e.dispatched_at, e.responded_at, e.resolved_at, e.verified_at,
       e.closed_at, e.satisfaction, e.reopened, e.sensor_id, e.respond_due_at, e.close_due_at
FROM events e
WHERE e.reported_at >= :start AND e.reported_at < :end
ORDER BY e.event_id
