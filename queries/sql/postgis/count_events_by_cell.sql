-- PostGIS override of count_events_by_cell: the same rows as the portable query (see it),
-- added up from the daily map rollups (migration 012) when they are current, both window
-- edges are midnight and :res <= 9 (the rollups hold res-9 cells; h3_parent of a res-9
-- parent is the event's own parent); open_overdue from the open events (partial index
-- events_open_idx, migration 016), since it depends on :now. Otherwise from events as the
-- portable query does.
WITH flags AS (
    SELECT {{map_rollup_usable}} AND CAST(:res AS INTEGER) <= 9 AS rollup, {{map_rollup_plain}} AS plain
),
summed AS (
    SELECT h3_parent(r.cell, :res) AS cell, sum(r.n) AS events, sum(r.n_closed) AS closed
    FROM event_map_days r
    WHERE (SELECT rollup AND plain FROM flags) AND {{map_rollup_lists}}
    GROUP BY 1
    UNION ALL
    SELECT h3_parent(r.cell, :res) AS cell, sum(r.n) AS events, sum(r.n_closed) AS closed
    FROM event_map_day_kinds r
    WHERE (SELECT rollup AND NOT plain FROM flags) AND {{map_rollup_lists}} AND {{map_rollup_kinds}}
    GROUP BY 1
),
overdue AS (
    SELECT h3_parent(e.h3, :res) AS cell, count(*) AS open_overdue
    FROM events e
    WHERE (SELECT rollup FROM flags) AND {{event_open_overdue}} AND {{event_filter}}
    GROUP BY 1
)
SELECT s.cell, CAST(s.events AS BIGINT) AS events, CAST(s.closed AS BIGINT) AS closed,
       COALESCE(o.open_overdue, 0) AS open_overdue
FROM summed s
LEFT JOIN overdue o ON o.cell = s.cell
UNION ALL
SELECT h3_parent(e.h3, :res) AS cell, {{event_counts}}
FROM events e
WHERE NOT (SELECT rollup FROM flags) AND {{event_filter}}
GROUP BY 1
ORDER BY events DESC, cell
