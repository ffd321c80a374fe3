-- The oldest cases of the overdue backlog as of :now (see overdue_backlog.sql: every open
-- overdue event whatever its report date, the filter's lists apply), most hours past the
-- deadline first, at most :limit, with the stage reached by :now, the age bucket and the
-- category, department, grid and street with their names.
-- The :limit cases are picked before the names are joined, ordered by the close deadline (the
-- earliest deadline is the most hours overdue; the same order and ties): DuckDB then reads
-- the other columns for those rows only and skips row groups whose deadlines are later than
-- the cases kept so far (10m city: ~0.05-0.1 s instead of 0.3-0.7 s, the same rows).
WITH o AS (
    {{backlog_events}}
    ORDER BY e.close_due_at, e.event_id
    LIMIT :limit
)
SELECT o.event_id, o.category, c.name_zh AS category_zh, c.name_en AS category_en,
       o.department, d.name_zh AS department_zh, d.name_en AS department_en,
       o.stage, o.bucket, o.reported_at, o.close_due_at, o.hours_overdue,
       o.grid_id, g.name_zh AS grid_zh, g.name_en AS grid_en,
       o.street_id, s.name_zh AS street_zh, s.name_en AS street_en
FROM o
LEFT JOIN categories c ON c.code = o.category
LEFT JOIN departments d ON d.code = o.department
LEFT JOIN areas g ON g.area_id = o.grid_id
LEFT JOIN areas s ON s.area_id = o.street_id
ORDER BY o.hours_overdue DESC, o.event_id
LIMIT :limit
