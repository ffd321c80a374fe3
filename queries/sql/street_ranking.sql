-- Streets ranked by filtered events, with closure rate and on-time closure rate as of
-- LEAST(:end, :now) (definitions as in kpi_summary: cancelled events are left out of both
-- rates, closed_untimed ones count as closed but not in the on-time rate), top :limit.
WITH f AS (
    SELECT e.street_id, e.closed_at,
           e.close_due_at AS close_deadline,
           {{event_outcome}} AS outcome,
           LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
    FROM events e
    WHERE {{event_filter}} AND e.street_id IS NOT NULL
),
s AS (
    SELECT street_id,
           count(*) AS events,
           count(*) FILTER (WHERE outcome = 1) AS cancelled,
           count(*) FILTER (WHERE outcome = 2 OR (outcome = 0 AND closed_at < as_of)) AS closed,
           count(*) FILTER (WHERE outcome = 2) AS closed_untimed,
           count(*) FILTER (WHERE outcome = 0 AND closed_at < as_of AND closed_at <= close_deadline) AS closed_on_time,
           count(*) FILTER (WHERE outcome = 0 AND (closed_at IS NULL OR closed_at >= as_of)
                            AND close_deadline < as_of) AS open_overdue
    FROM f
    GROUP BY street_id
)
SELECT s.street_id, a.name_zh, a.name_en, s.events, s.cancelled, s.closed, s.closed_untimed, s.closed_on_time,
       s.open_overdue,
       CASE WHEN s.events > s.cancelled
            THEN CAST(s.closed AS DOUBLE PRECISION) / (s.events - s.cancelled) END AS closure_rate,
       CASE WHEN s.closed - s.closed_untimed + s.open_overdue > 0
            THEN CAST(s.closed_on_time AS DOUBLE PRECISION) / (s.closed - s.closed_untimed + s.open_overdue) END AS on_time_rate
FROM s
JOIN areas a ON a.area_id = s.street_id
ORDER BY s.events DESC, s.street_id
LIMIT :limit
