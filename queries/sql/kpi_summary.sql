-- KPIs of the filtered events for the period [:start, :end) and the previous period
-- [:prev_start, :start), one row each (period = 'current' | 'previous').
-- Each period is judged as of its own end capped at :now (as_of, read by the kpi_counts fragment), so the previous period is not
-- flattered by the time that has passed since (README "Definitions"):
--   cancelled      status 'cancelled': closed without a resolution (cancelled, duplicate,
--                  referred out); in events only, left out of every other count
--   closed         not cancelled, and closed before the as-of time or closed_untimed
--   closed_untimed status closed/rated without a close time: closed, when is unknown; in
--                  every period's closed, never on time, never overdue
--   closed_on_time closed before the as-of time, no later than its close deadline (close_due_at)
--   open_overdue   not cancelled, not closed_untimed, not closed at the as-of time and past
--                  the close deadline
--   rated, satisfied  rated events among the closed ones; satisfied = rating 4 or 5
-- Closure rate (结案率) = closed / (events - cancelled); on-time closure rate (按期处置率) =
-- closed_on_time / (closed - closed_untimed + open_overdue).
-- Two scans, one per period, each pruned to its own dates (1.5x faster than one scan
-- with per-row period logic). The status is turned into the small integer outcome once
-- per row (0 timed, 1 cancelled, 2 closed_untimed; the event_outcome fragment): comparing
-- it is ~1.4x faster than comparing the status text in every count.
SELECT 'current' AS period, {{kpi_counts}}
FROM (SELECT e.closed_at, e.close_due_at, e.satisfaction, {{event_outcome}} AS outcome,
             LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
      FROM events e
      WHERE {{event_filter}}) e
UNION ALL
SELECT 'previous' AS period, {{kpi_counts}}
FROM (SELECT e.closed_at, e.close_due_at, e.satisfaction, {{event_outcome}} AS outcome,
             LEAST(CAST(:start AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
      FROM events e
      WHERE e.reported_at >= :prev_start AND e.reported_at < :start AND {{event_lists}}) e
ORDER BY period
