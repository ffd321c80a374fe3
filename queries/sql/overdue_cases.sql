-- Open overdue cases among the filtered events, as of LEAST(:end, :now): not closed, not
-- cancelled, not closed without a time, and past the category's close deadline, most overdue first (at most :limit). With the
-- stage reached by the as-of time, hours past the deadline, and the grid, street and
-- department with their names. The same definition as open_overdue in kpi_summary.
-- The :limit cases are picked before the names are joined, by the close deadline (the earliest
-- is the most hours overdue: the same order and ties), as in overdue_backlog_cases (10m
-- city, a 400-day window: 0.03 s instead of 0.3 s, the same rows).
WITH f AS (
    {{chain_events}}
),
o AS (
    SELECT event_id, category, department, grid_id, community_id, street_id, reported_at,
           close_deadline,
           CASE WHEN verified_at < as_of THEN 'verified'
                WHEN resolved_at < as_of THEN 'resolved'
                WHEN responded_at < as_of THEN 'responded'
                WHEN dispatched_at < as_of THEN 'dispatched'
                WHEN registered_at < as_of THEN 'registered'
                ELSE 'reported' END AS stage,
           EXTRACT(EPOCH FROM (as_of - close_deadline)) / 3600.0 AS hours_overdue
    FROM f
    WHERE NOT cancelled AND NOT closed_untimed
      AND (closed_at IS NULL OR closed_at >= as_of) AND close_deadline < as_of
    ORDER BY close_deadline, event_id
    LIMIT :limit
)
SELECT o.event_id, o.category, c.name_zh AS category_zh, c.name_en AS category_en,
       o.department, d.name_zh AS department_zh, d.name_en AS department_en,
       o.stage, o.reported_at, o.close_deadline, o.hours_overdue,
       o.grid_id, g.name_zh AS grid_zh, g.name_en AS grid_en,
       o.street_id, s.name_zh AS street_zh, s.name_en AS street_en
FROM o
LEFT JOIN categories c ON c.code = o.category
LEFT JOIN departments d ON d.code = o.department
LEFT JOIN areas g ON g.area_id = o.grid_id
LEFT JOIN areas s ON s.area_id = o.street_id
ORDER BY o.hours_overdue DESC, o.event_id
LIMIT :limit
