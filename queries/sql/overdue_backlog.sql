-- The overdue backlog as of :now: every open overdue event whatever its report date (the
-- filter's lists apply, its dates do not), counted per department and age bucket. Open
-- overdue as in kpi_summary: not cancelled, not closed without a time, not closed at :now
-- and past its close deadline. Buckets by time past the deadline: lt_1d (< 1 day), d1_3
-- (1-3 days), d3_7 (3-7), d7_30 (7-30), gt_30d (30 days or more); a case exactly 1 day past
-- is in d1_3. With the most hours overdue in each cell.
WITH o AS (
    {{backlog_events}}
)
SELECT o.department, d.name_zh AS department_zh, d.name_en AS department_en, o.bucket,
       count(*) AS cases, max(o.hours_overdue) AS max_hours_overdue
FROM o
LEFT JOIN departments d ON d.code = o.department
GROUP BY o.department, d.name_zh, d.name_en, o.bucket
ORDER BY o.department, o.bucket
