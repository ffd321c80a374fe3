-- Filtered events per area of level :level ('street' | 'community' | 'grid') and per time
-- slice of :slice_days days counted back from :end (age_slice 0 = the latest slice).
-- Areas and slices without events are absent; events without an area are left out.
SELECT area_id, age_slice, count(*) AS events
FROM (
    SELECT
        CASE CAST(:level AS VARCHAR)
            WHEN 'street' THEN e.street_id
            WHEN 'community' THEN e.community_id
            ELSE e.grid_id END AS area_id,
        CAST(FLOOR(EXTRACT(EPOCH FROM (CAST(:end AS TIMESTAMP) - e.reported_at)) / (86400.0 * :slice_days)) AS INTEGER) AS age_slice
    FROM events e
    WHERE {{event_filter}}
) s
WHERE area_id IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2
