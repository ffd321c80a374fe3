-- PostGIS override of kpi_summary: the same rows as the portable query (see it for the
-- definitions), read from the daily rollup event_rollup (migrations 005, 007) when the rollup
-- is current, every window edge and both as-of times are midnight, and no community or
-- grid filter is set; otherwise from events exactly as the portable query does.
WITH flags AS (
    SELECT {{rollup_usable}}
       AND CAST(:prev_start AS TIMESTAMP) = date_trunc('day', CAST(:prev_start AS TIMESTAMP))
       AND LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP))
           = date_trunc('day', LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)))
       AND LEAST(CAST(:start AS TIMESTAMP), CAST(:now AS TIMESTAMP))
           = date_trunc('day', LEAST(CAST(:start AS TIMESTAMP), CAST(:now AS TIMESTAMP))) AS rollup
),
cur AS (SELECT CAST(LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS DATE) AS as_of),
prev AS (SELECT CAST(LEAST(CAST(:start AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS DATE) AS as_of)
SELECT 'current' AS period, {{kpi_counts}}
FROM (SELECT e.closed_at, e.close_due_at, e.satisfaction, {{event_outcome}} AS outcome,
             LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
      FROM events e
      WHERE NOT (SELECT rollup FROM flags) AND {{event_filter}}) e
HAVING NOT (SELECT rollup FROM flags)
UNION ALL
SELECT 'previous' AS period, {{kpi_counts}}
FROM (SELECT e.closed_at, e.close_due_at, e.satisfaction, {{event_outcome}} AS outcome,
             LEAST(CAST(:start AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AS as_of
      FROM events e
      WHERE NOT (SELECT rollup FROM flags)
        AND e.reported_at >= :prev_start AND e.reported_at < :start AND {{event_lists}}) e
HAVING NOT (SELECT rollup FROM flags)
UNION ALL
SELECT 'current' AS period,
    COALESCE(CAST(sum(r.n) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'cancelled') AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE (r.outcome = 'untimed' OR (r.outcome = 'timed' AND r.close_day < c.as_of))) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'untimed') AS BIGINT), 0),
    COALESCE(CAST(sum(r.n_on_time) FILTER (WHERE r.outcome = 'timed' AND r.close_day < c.as_of) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'timed' AND (r.close_day IS NULL OR r.close_day >= c.as_of) AND r.due_day < c.as_of) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n_rated) FILTER (WHERE (r.outcome = 'untimed' OR (r.outcome = 'timed' AND r.close_day < c.as_of))) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n_satisfied) FILTER (WHERE (r.outcome = 'untimed' OR (r.outcome = 'timed' AND r.close_day < c.as_of))) AS BIGINT), 0)
FROM event_rollup r CROSS JOIN cur c
WHERE (SELECT rollup FROM flags)
  AND r.day >= CAST(:start AS DATE) AND r.day < CAST(:end AS DATE) AND {{rollup_lists}}
HAVING (SELECT rollup FROM flags)
UNION ALL
SELECT 'previous' AS period,
    COALESCE(CAST(sum(r.n) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'cancelled') AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE (r.outcome = 'untimed' OR (r.outcome = 'timed' AND r.close_day < p.as_of))) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'untimed') AS BIGINT), 0),
    COALESCE(CAST(sum(r.n_on_time) FILTER (WHERE r.outcome = 'timed' AND r.close_day < p.as_of) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n) FILTER (WHERE r.outcome = 'timed' AND (r.close_day IS NULL OR r.close_day >= p.as_of) AND r.due_day < p.as_of) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n_rated) FILTER (WHERE (r.outcome = 'untimed' OR (r.outcome = 'timed' AND r.close_day < p.as_of))) AS BIGINT), 0),
    COALESCE(CAST(sum(r.n_satisfied) FILTER (WHERE (r.outcome = 'untimed' OR (r.outcome = 'timed' AND r.close_day < p.as_of))) AS BIGINT), 0)
FROM event_rollup r CROSS JOIN prev p
WHERE (SELECT rollup FROM flags)
  AND r.day >= CAST(:prev_start AS DATE) AND r.day < CAST(:start AS DATE) AND {{rollup_lists}}
HAVING (SELECT rollup FROM flags)
ORDER BY period
