-- One event by its id (:event_id; no row when none has it): every stored field but the
-- geometry, with its category's names and SLA hours (and whether they are assumed), its
-- department's names and its grid, community and street names.
SELECT e.event_id, e.source, e.category, c.name_zh AS category_zh, c.name_en AS category_en,
       c.sla_response_h, c.sla_close_h, c.sla_assumed,
       e.department, d.name_zh AS department_zh, d.name_en AS department_en,
       e.description, e.lon, e.lat, e.priority, e.status,
       e.reported_at, e.registered_at, e.dispatched_at, e.responded_at, e.resolved_at,
       e.verified_at, e.closed_at, e.respond_due_at, e.close_due_at,
       e.satisfaction, e.reopened, e.sensor_id,
       e.grid_id, g.name_zh AS grid_zh, g.name_en AS grid_en,
       e.community_id, m.name_zh AS community_zh, m.name_en AS community_en,
       e.street_id, s.name_zh AS street_zh, s.name_en AS street_en
FROM events e
LEFT JOIN categories c ON c.code = e.category
LEFT JOIN departments d ON d.code = e.department
LEFT JOIN areas g ON g.area_id = e.grid_id
LEFT JOIN areas m ON m.area_id = e.community_id
LEFT JOIN areas s ON s.area_id = e.street_id
WHERE e.event_id = CAST(:event_id AS VARCHAR)
