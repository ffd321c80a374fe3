-- Filtered events per area of level :level ('street' | 'community' | 'grid'), every area
-- of that level listed (zero when it has no events), with names for tooltips.
WITH counts AS (
    SELECT
        CASE CAST(:level AS VARCHAR)
            WHEN 'street' THEN e.street_id
            WHEN 'community' THEN e.community_id
            ELSE e.grid_id END AS area_id,
        count(*) AS events,
        count(*) FILTER (WHERE e.status <> 'cancelled'
                         AND (e.closed_at IS NOT NULL OR e.status IN ('closed', 'rated'))) AS closed,
        count(*) FILTER (WHERE e.closed_at IS NULL AND e.status NOT IN ('cancelled', 'closed', 'rated')
                         AND e.close_due_at < CAST(:now AS TIMESTAMP)) AS open_overdue
    FROM events e
    WHERE {{event_filter}}
    GROUP BY 1
)
SELECT a.area_id, a.name_zh, a.name_en, a.households,
       COALESCE(n.events, 0) AS events,
       COALESCE(n.closed, 0) AS closed,
       COALESCE(n.open_overdue, 0) AS open_overdue
FROM areas a
LEFT JOIN counts n ON n.area_id = a.area_id
WHERE a.level = :level
ORDER BY events DESC, a.area_id
