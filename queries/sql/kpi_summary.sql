-- KPIs of the filtered events for the period [:start, :end) and the previous period
-- [:prev_start, :start), one row each (period = 'current' | 'previous').
-- Each period is judged as of its own end (capped at :now), so the previous period is
-- not flattered by the time that has passed since:
--   closed        closed before the as-of time
--   closed_on_time closed within the category's close SLA (sla_close_h; boundary = on time)
--   open_overdue  not closed at the as-of time and past the close deadline
--   due           closed + open_overdue (denominator of the on-time closure rate 按期处置率)
--   rated, satisfied  rated events among the closed ones; satisfied = rating 4 or 5
-- One scan over stored deadlines (close_due_at), conditional counts per period.
WITH f AS (
    SELECT
        e.reported_at >= :start AS cur,
        CASE WHEN e.reported_at >= :start THEN LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP))
             ELSE LEAST(CAST(:start AS TIMESTAMP), CAST(:now AS TIMESTAMP)) END AS as_of,
        e.closed_at,
        e.satisfaction,
        e.close_due_at AS deadline
    FROM events e
    WHERE e.reported_at >= :prev_start AND e.reported_at < :end
      AND {{event_lists}}
),
flags AS (
    SELECT cur,
           closed_at < as_of AS closed,
           closed_at < as_of AND closed_at <= deadline AS on_time,
           (closed_at IS NULL OR closed_at >= as_of) AND deadline < as_of AS overdue,
           closed_at < as_of AND satisfaction IS NOT NULL AS rated,
           closed_at < as_of AND satisfaction >= 4 AS satisfied
    FROM f
),
a AS (
    SELECT
        count(*) FILTER (WHERE cur) AS events_c,
        count(*) FILTER (WHERE cur AND closed) AS closed_c,
        count(*) FILTER (WHERE cur AND on_time) AS on_time_c,
        count(*) FILTER (WHERE cur AND overdue) AS overdue_c,
        count(*) FILTER (WHERE cur AND rated) AS rated_c,
        count(*) FILTER (WHERE cur AND satisfied) AS satisfied_c,
        count(*) FILTER (WHERE NOT cur) AS events_p,
        count(*) FILTER (WHERE NOT cur AND closed) AS closed_p,
        count(*) FILTER (WHERE NOT cur AND on_time) AS on_time_p,
        count(*) FILTER (WHERE NOT cur AND overdue) AS overdue_p,
        count(*) FILTER (WHERE NOT cur AND rated) AS rated_p,
        count(*) FILTER (WHERE NOT cur AND satisfied) AS satisfied_p
    FROM flags
)
SELECT 'current' AS period, events_c AS events, closed_c AS closed, on_time_c AS closed_on_time,
       overdue_c AS open_overdue, rated_c AS rated, satisfied_c AS satisfied
FROM a
UNION ALL
SELECT 'previous', events_p, closed_p, on_time_p, overdue_p, rated_p, satisfied_p
FROM a
ORDER BY period
