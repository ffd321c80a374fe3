-- Filtered events of area :area_id (level :level) per ISO week (week = its Monday).
-- Weeks without events are absent (the page fills zeros).
SELECT CAST(date_trunc('week', e.reported_at) AS DATE) AS week, count(*) AS events
FROM events e
WHERE {{event_filter}}
  AND CASE CAST(:level AS VARCHAR)
          WHEN 'street' THEN e.street_id
          WHEN 'community' THEN e.community_id
          ELSE e.grid_id END = CAST(:area_id AS VARCHAR)
GROUP BY 1
ORDER BY 1
