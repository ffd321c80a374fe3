-- Filtered events inside area :area_id of level :level ('street' | 'community' | 'grid')
-- (drill-down from a hotspot), newest first, at most :limit rows. Internal pages only.
SELECT e.event_id, e.reported_at, e.category, e.source, e.status, e.department,
       e.closed_at, e.description
FROM events e
WHERE {{event_filter}}
  AND CASE CAST(:level AS VARCHAR)
          WHEN 'street' THEN e.street_id
          WHEN 'community' THEN e.community_id
          ELSE e.grid_id END = CAST(:area_id AS VARCHAR)
ORDER BY e.reported_at DESC, e.event_id
LIMIT :limit
