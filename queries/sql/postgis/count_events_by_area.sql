-- PostGIS override of count_events_by_area: the same rows as the portable query (see it),
-- added up from the daily map rollups (migration 012) when they are current and both window
-- edges are midnight; open_overdue from the open events (partial index
-- events_open_reported_idx), since it depends on :now. Otherwise from events as the
-- portable query does.
WITH flags AS (
    SELECT {{map_rollup_usable}} AS rollup,
           CAST(:categories AS VARCHAR[]) IS NULL AND CAST(:sources AS VARCHAR[]) IS NULL
           AND CAST(:departments AS VARCHAR[]) IS NULL AS plain
),
summed AS (
    SELECT CASE CAST(:level AS VARCHAR)
               WHEN 'street' THEN r.street_id
               WHEN 'community' THEN r.community_id
               ELSE r.grid_id END AS area_id,
           sum(r.n) AS events, sum(r.n_closed) AS closed
    FROM event_map_days r
    WHERE (SELECT rollup AND plain FROM flags) AND {{map_rollup_lists}}
    GROUP BY 1
    UNION ALL
    SELECT CASE CAST(:level AS VARCHAR)
               WHEN 'street' THEN r.street_id
               WHEN 'community' THEN r.community_id
               ELSE r.grid_id END AS area_id,
           sum(r.n) AS events, sum(r.n_closed) AS closed
    FROM event_map_day_kinds r
    WHERE (SELECT rollup AND NOT plain FROM flags) AND {{map_rollup_lists}} AND {{map_rollup_kinds}}
    GROUP BY 1
),
overdue AS (
    SELECT CASE CAST(:level AS VARCHAR)
               WHEN 'street' THEN e.street_id
               WHEN 'community' THEN e.community_id
               ELSE e.grid_id END AS area_id,
           count(*) AS open_overdue
    FROM events e
    WHERE (SELECT rollup FROM flags)
      AND e.closed_at IS NULL AND e.status NOT IN ('cancelled', 'closed', 'rated')
      AND e.close_due_at < CAST(:now AS TIMESTAMP) AND {{event_filter}}
    GROUP BY 1
),
counts AS (
    SELECT s.area_id, CAST(s.events AS BIGINT) AS events, CAST(s.closed AS BIGINT) AS closed,
           COALESCE(o.open_overdue, 0) AS open_overdue
    FROM summed s
    LEFT JOIN overdue o ON o.area_id = s.area_id
    UNION ALL
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
    WHERE NOT (SELECT rollup FROM flags) AND {{event_filter}}
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
