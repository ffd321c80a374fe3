-- KPIs of the filtered events for the period [:start, :end) and the previous period
-- [:prev_start, :start), one row each (period = 'current' | 'previous').
-- Each period is judged as of its own end (capped at :now), so the previous period is
-- not flattered by the time that has passed since:
--   closed        closed before the as-of time
--   closed_on_time closed within the category's close SLA (sla_close_h; boundary = on time)
--   open_overdue  not closed at the as-of time and past the close deadline
--   due           closed + open_overdue (denominator of the on-time closure rate 按期处置率)
--   rated, satisfied  rated events among the closed ones; satisfied = rating 4 or 5
WITH f AS (
    SELECT
        CASE WHEN e.reported_at >= :start THEN 'current' ELSE 'previous' END AS period,
        CASE WHEN e.reported_at >= :start THEN LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP))
             ELSE LEAST(CAST(:start AS TIMESTAMP), CAST(:now AS TIMESTAMP)) END AS as_of,
        e.reported_at,
        e.closed_at,
        e.satisfaction,
        e.reported_at + c.sla_close_h * INTERVAL '1 hour' AS close_deadline
    FROM events e
    JOIN categories c ON c.code = e.category
    WHERE e.reported_at >= :prev_start AND e.reported_at < :end
      AND {{event_lists}}
),
periods AS (
    SELECT 'current' AS period UNION ALL SELECT 'previous'
)
SELECT
    p.period,
    count(f.reported_at) AS events,
    count(*) FILTER (WHERE f.closed_at < f.as_of) AS closed,
    count(*) FILTER (WHERE f.closed_at < f.as_of AND f.closed_at <= f.close_deadline) AS closed_on_time,
    count(*) FILTER (WHERE (f.closed_at IS NULL OR f.closed_at >= f.as_of) AND f.close_deadline < f.as_of) AS open_overdue,
    count(*) FILTER (WHERE f.closed_at < f.as_of AND f.satisfaction IS NOT NULL) AS rated,
    count(*) FILTER (WHERE f.closed_at < f.as_of AND f.satisfaction >= 4) AS satisfied
FROM periods p
LEFT JOIN f ON f.period = p.period
GROUP BY p.period
ORDER BY p.period
