-- PostGIS override of count_events_by_area: the same rows as the portable query (see it),
-- added up from the daily map rollups (migration 012) when they are current and both window
-- edges are midnight; open_overdue from the open events (partial index events_open_idx,
-- migration 016), since it depends on :now. Otherwise from events as the portable query does.
WITH flags AS (
    SELECT {{map_rollup_usable}} AS rollup, {{map_rollup_plain}} AS plain
),
summed AS (
    SELECT {{map_rollup_area}} AS area_id, sum(r.n) AS events, sum(r.n_closed) AS closed
    FROM event_map_days r
    WHERE (SELECT rollup AND plain FROM flags) AND {{map_rollup_lists}}
    GROUP BY 1
    UNION ALL
    SELECT {{map_rollup_area}} AS area_id, sum(r.n) AS events, sum(r.n_closed) AS closed
    FROM event_map_day_kinds r
    WHERE (SELECT rollup AND NOT plain FROM flags) AND {{map_rollup_lists}} AND {{map_rollup_kinds}}
    GROUP BY 1
),
overdue AS (
    SELECT {{event_area}} AS area_id, count(*) AS open_overdue
    FROM events e
    WHERE (SELECT rollup FROM flags) AND {{event_open_overdue}} AND {{event_filter}}
    GROUP BY 1
),
counts AS (
    SELECT s.area_id, CAST(s.events AS BIGINT) AS events, CAST(s.closed AS BIGINT) AS closed,
           COALESCE(o.open_overdue, 0) AS open_overdue
    FROM summed s
    LEFT JOIN overdue o ON o.area_id = s.area_id
    UNION ALL
    SELECT {{event_area}} AS area_id, {{event_counts}}
    FROM events e
    WHERE NOT (SELECT rollup FROM flags) AND {{event_filter}}
    GROUP BY 1
)
-- every area of level :level with the counts of CTE counts (zero without)
{{areas_with_counts}}
