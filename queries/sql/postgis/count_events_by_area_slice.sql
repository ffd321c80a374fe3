-- PostGIS override of count_events_by_area_slice: the same rows as the portable query (see it),
-- added up from the daily map rollups (migration 012) when they are current, both window edges
-- are midnight and :slice_days is a whole number of days; the window's events reported at
-- midnight exactly moved to their own slice as in count_events_by_cell_slice (see it).
-- Otherwise from events as the portable query does.
WITH flags AS (
    SELECT {{map_rollup_slice_usable}} AS rollup, {{map_rollup_plain}} AS plain
),
counted AS (
    SELECT {{map_rollup_area}} AS area_id, {{map_rollup_age_slice}} AS age_slice, sum(r.n) AS n
    FROM event_map_days r
    WHERE (SELECT rollup AND plain FROM flags) AND {{map_rollup_lists}}
    GROUP BY 1, 2
    UNION ALL
    SELECT {{map_rollup_area}} AS area_id, {{map_rollup_age_slice}} AS age_slice, sum(r.n) AS n
    FROM event_map_day_kinds r
    WHERE (SELECT rollup AND NOT plain FROM flags) AND {{map_rollup_lists}} AND {{map_rollup_kinds}}
    GROUP BY 1, 2
    UNION ALL
    SELECT {{event_area}} AS area_id, m.age_slice, m.n
    FROM events e
    {{midnight_moves}}
)
SELECT area_id, age_slice, CAST(sum(n) AS BIGINT) AS events
FROM counted
WHERE area_id IS NOT NULL
GROUP BY 1, 2
HAVING sum(n) > 0
UNION ALL
SELECT area_id, age_slice, count(*) AS events
FROM (
    SELECT {{event_area}} AS area_id, {{event_age_slice}} AS age_slice
    FROM events e
    WHERE NOT (SELECT rollup FROM flags) AND {{event_filter}}
) s
WHERE area_id IS NOT NULL
GROUP BY 1, 2
ORDER BY 1, 2
