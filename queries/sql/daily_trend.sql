-- Filtered events per day for the period [:start, :end) and the previous period of the
-- same length [:prev_start, :start); day_index counts days from each period's start so
-- the two series overlay. Days without events are absent (the page fills zeros).
SELECT
    CASE WHEN e.reported_at >= :start THEN 'current' ELSE 'previous' END AS period,
    CAST(e.reported_at AS DATE) AS day,
    count(*) AS events
FROM events e
WHERE e.reported_at >= :prev_start AND e.reported_at < :end
  AND {{event_lists}}
GROUP BY 1, 2
ORDER BY 1, 2
