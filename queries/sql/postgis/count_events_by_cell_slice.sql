-- PostGIS override of count_events_by_cell_slice: the same rows as the portable query (see it),
-- added up from the daily map rollups (migration 012) when they are current, both window edges
-- are midnight, :res <= 9 and :slice_days is a whole number of days. An event reported on day d
-- after midnight is between k - 1 and k days before :end (k = :end - d in days): slice
-- (k - 1) div :slice_days, where the rows of day d count it (fragment map_rollup_age_slice).
-- One reported at midnight exactly is k days before :end, in slice k div :slice_days: the
-- window's few midnight events (an index probe of events_reported_at_idx a day) are moved
-- there (fragment midnight_moves: -1 in the slice of their day, +1 in their own). Otherwise
-- from events as the portable query does.
WITH flags AS (
    SELECT {{map_rollup_slice_usable}} AND CAST(:res AS INTEGER) <= 9 AS rollup, {{map_rollup_plain}} AS plain
),
counted AS (
    SELECT h3_parent(r.cell, :res) AS cell, {{map_rollup_age_slice}} AS age_slice, sum(r.n) AS n
    FROM event_map_days r
    WHERE (SELECT rollup AND plain FROM flags) AND {{map_rollup_lists}}
    GROUP BY 1, 2
    UNION ALL
    SELECT h3_parent(r.cell, :res) AS cell, {{map_rollup_age_slice}} AS age_slice, sum(r.n) AS n
    FROM event_map_day_kinds r
    WHERE (SELECT rollup AND NOT plain FROM flags) AND {{map_rollup_lists}} AND {{map_rollup_kinds}}
    GROUP BY 1, 2
    UNION ALL
    SELECT h3_parent(e.h3, :res) AS cell, m.age_slice, m.n
    FROM events e
    {{midnight_moves}}
)
SELECT cell, age_slice, CAST(sum(n) AS BIGINT) AS events
FROM counted
GROUP BY 1, 2
HAVING sum(n) > 0
UNION ALL
SELECT h3_parent(e.h3, :res) AS cell, {{event_age_slice}} AS age_slice, count(*) AS events
FROM events e
WHERE NOT (SELECT rollup FROM flags) AND {{event_filter}}
GROUP BY 1, 2
ORDER BY 1, 2
