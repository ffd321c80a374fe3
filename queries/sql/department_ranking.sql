-- Departments ranked for the filtered events, as of LEAST(:end, :now): events, closure
-- rate, on-time closure rate, on-time response rate, reopen rate (reopened among closed),
-- satisfaction rate (4-5 of rated) and median hours to close (definitions in the
-- chain_counts / chain_rates fragments). Only departments with at least :min_events
-- events are ranked (rank 1 = highest on-time closure rate, then closure rate, then more
-- events); the others follow with rank NULL, so a unit with one case cannot top the table.
WITH f AS (
    {{chain_events}}
),
g AS (
    SELECT department, {{chain_counts}}
    FROM f
    GROUP BY department
),
r AS (
    SELECT g.*, {{chain_rates}}, g.events >= :min_events AS ranked
    FROM g
)
SELECT r.department, d.name_zh, d.name_en,
       CASE WHEN r.ranked THEN rank() OVER (
           PARTITION BY r.ranked
           ORDER BY r.on_time_rate DESC NULLS LAST, r.closure_rate DESC NULLS LAST, r.events DESC) END AS rank,
       r.events, r.cancelled, r.closed, r.closed_untimed, r.closed_on_time, r.open_overdue, r.responded, r.responded_on_time,
       r.response_overdue, r.reopened_cases, r.rated, r.satisfied, r.median_close_h,
       r.closure_rate, r.on_time_rate, r.response_on_time_rate, r.reopen_rate, r.satisfaction_rate
FROM r
LEFT JOIN departments d ON d.code = r.department
ORDER BY rank NULLS LAST, r.events DESC, r.department
