-- Filtered events per area of level :level ('street' | 'community' | 'grid') and per time
-- slice of :slice_days days counted back from :end (age_slice 0 = the latest slice).
-- Areas and slices without events are absent; events without an area are left out.
SELECT area_id, age_slice, count(*) AS events
FROM (
    SELECT {{event_area}} AS area_id, {{event_age_slice}} AS age_slice
    FROM events e
    WHERE {{event_filter}}
) s
WHERE area_id IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2
