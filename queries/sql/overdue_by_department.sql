-- Open overdue cases (as in overdue_cases) of the filtered events counted per department,
-- with the median and largest hours past the deadline; departments without overdue cases
-- are absent. Most overdue cases first.
WITH f AS (
    {{chain_events}}
),
o AS (
    SELECT department, EXTRACT(EPOCH FROM (as_of - close_deadline)) / 3600.0 AS hours_overdue
    FROM f
    WHERE NOT cancelled AND NOT closed_untimed
      AND (closed_at IS NULL OR closed_at >= as_of) AND close_deadline < as_of
)
SELECT o.department, d.name_zh, d.name_en,
       count(*) AS open_overdue,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY o.hours_overdue) AS median_hours_overdue,
       max(o.hours_overdue) AS max_hours_overdue
FROM o
LEFT JOIN departments d ON d.code = o.department
GROUP BY o.department, d.name_zh, d.name_en
ORDER BY open_overdue DESC, o.department
