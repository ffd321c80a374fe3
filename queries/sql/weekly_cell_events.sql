-- Filtered events of H3 cell :cell (resolution :res) per ISO week (week = its Monday).
-- Weeks without events are absent (the page fills zeros).
SELECT CAST(date_trunc('week', e.reported_at) AS DATE) AS week, count(*) AS events
FROM events e
WHERE {{event_filter}}
  AND h3_parent(e.h3, :res) = CAST(:cell AS BIGINT)
GROUP BY 1
ORDER BY 1
