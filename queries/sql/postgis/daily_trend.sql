-- PostGIS override of daily_trend: the same rows as the portable query, summed from the
-- daily rollup event_rollup (migration 005) when it is current, the window edges are
-- midnight and no community or grid filter is set; otherwise from events.
WITH flags AS (
    SELECT {{rollup_usable}}
       AND CAST(:prev_start AS TIMESTAMP) = date_trunc('day', CAST(:prev_start AS TIMESTAMP)) AS rollup
)
SELECT
    CASE WHEN e.reported_at >= :start THEN 'current' ELSE 'previous' END AS period,
    CAST(e.reported_at AS DATE) AS day,
    count(*) AS events
FROM events e
WHERE NOT (SELECT rollup FROM flags)
  AND e.reported_at >= :prev_start AND e.reported_at < :end AND {{event_lists}}
GROUP BY 1, 2
UNION ALL
SELECT
    CASE WHEN r.day >= CAST(:start AS DATE) THEN 'current' ELSE 'previous' END,
    r.day,
    CAST(sum(r.n) AS BIGINT)
FROM event_rollup r
WHERE (SELECT rollup FROM flags)
  AND r.day >= CAST(:prev_start AS DATE) AND r.day < CAST(:end AS DATE) AND {{rollup_lists}}
GROUP BY 1, 2
ORDER BY 1, 2
