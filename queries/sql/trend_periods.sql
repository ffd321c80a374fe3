-- Filtered event counts per :grain bucket ('day' | 'week' | 'month'; ISO weeks start on
-- Monday) for three windows: the current one [:start, :end), the previous one
-- [:prev_start, :start) and the same period last year [:ly_start, :ly_end). period is
-- 'current' | 'previous' | 'last_year'; an event may count in two windows when they
-- overlap. Buckets without events are absent (the page fills zeros).
SELECT 'current' AS period, date_trunc(CAST(:grain AS VARCHAR), e.reported_at) AS bucket, count(*) AS events
FROM events e
WHERE {{event_filter}}
GROUP BY 2
UNION ALL
SELECT 'previous', date_trunc(CAST(:grain AS VARCHAR), e.reported_at), count(*)
FROM events e
WHERE e.reported_at >= :prev_start AND e.reported_at < :start AND {{event_lists}}
GROUP BY 2
UNION ALL
SELECT 'last_year', date_trunc(CAST(:grain AS VARCHAR), e.reported_at), count(*)
FROM events e
WHERE e.reported_at >= :ly_start AND e.reported_at < :ly_end AND {{event_lists}}
GROUP BY 2
ORDER BY 1, 2
