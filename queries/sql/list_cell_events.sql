-- Filtered events inside H3 cell :cell of resolution :res (drill-down from a hotspot),
-- newest first, at most :limit rows. Description is internal: public pages never call this.
SELECT e.event_id, e.reported_at, e.category, e.source, e.status, e.department,
       e.closed_at, e.description
FROM events e
WHERE {{event_filter}}
  AND h3_parent(e.h3, :res) = CAST(:cell AS BIGINT)
ORDER BY e.reported_at DESC, e.event_id
LIMIT :limit
