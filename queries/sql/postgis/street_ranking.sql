-- PostGIS override of street_ranking: the same rows as the portable query, with the
-- per-street counts from the daily rollup event_rollup (migrations 005, 007) when it is
-- current, the window edges and the as-of time LEAST(:end, :now) are midnight and no
-- community or grid filter is set; otherwise from events.
WITH flags AS (
    SELECT {{rollup_usable}}
       AND LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP))
           = date_trunc('day', LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP))) AS rollup
),
f AS (
    SELECT e.street_id, e.closed_at,
           e.close_due_at AS close_deadline,
           {{event_outcome}} AS outcome,
           LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
    FROM events e
    WHERE NOT (SELECT rollup FROM flags) AND {{event_filter}} AND e.street_id IS NOT NULL
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
    UNION ALL
    SELECT r.street_id,
           CAST(sum(r.n) AS BIGINT),
           COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'cancelled') AS BIGINT), 0),
           COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'untimed'
                                          OR (r.outcome = 'timed' AND r.close_day < d.as_of)) AS BIGINT), 0),
           COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'untimed') AS BIGINT), 0),
           COALESCE(CAST(sum(r.n_on_time) FILTER (WHERE r.outcome = 'timed' AND r.close_day < d.as_of) AS BIGINT), 0),
           COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'timed' AND (r.close_day IS NULL OR r.close_day >= d.as_of)
                                          AND r.due_day < d.as_of) AS BIGINT), 0)
    FROM event_rollup r
    CROSS JOIN (SELECT CAST(LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS DATE) AS as_of) d
    WHERE (SELECT rollup FROM flags)
      AND r.day >= CAST(:start AS DATE) AND r.day < CAST(:end AS DATE)
      AND r.street_id IS NOT NULL AND {{rollup_lists}}
    GROUP BY r.street_id
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
