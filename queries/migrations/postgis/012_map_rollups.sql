-- Daily rollups for the map queries (count_events_by_cell at res <= 9, count_events_by_area):
-- their PostGIS overrides (queries/sql/postgis/) add up these rows instead of the window's
-- events when the rollups are current and the window edges are midnight; the open-overdue
-- count (which depends on the as-of time) is taken from the few open events through the
-- partial index below. Issue 11: at 10M events a 90-day window is ~2.9M events but
-- ~0.47M rows of event_map_days.
--
--   event_map_days        per report day x H3 cell at res 9 x grid/community/street
--                         (windows without category/source/department filters)
--   event_map_day_kinds   the same per category x source x department as well (filtered
--                         windows; indexed by category and by source)
--
-- n counts events, n_closed those the portable queries count as closed (not cancelled, and
-- closed_at set or status closed/rated). Both are refreshed with event_rollup by
-- PostGISStore.refresh_rollups (checkpoint() after loads and imports) under the version
-- check of migration 005: read only while meta 'event_rollup_version' = 'events_version'.
-- Materialized views have no row-level security: the overrides add the street-scope
-- predicate (as the fragment rollup_lists does for event_rollup).
CREATE MATERIALIZED VIEW event_map_days AS
SELECT CAST(reported_at AS date) AS day,
       h3_parent(h3, 9) AS cell,
       grid_id, community_id, street_id,
       count(*) AS n,
       count(*) FILTER (WHERE status <> 'cancelled'
                        AND (closed_at IS NOT NULL OR status IN ('closed', 'rated'))) AS n_closed
FROM events
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2;  -- stored in day order: a window's rows are neighbours on disk

CREATE INDEX event_map_days_day_idx ON event_map_days (day);

CREATE MATERIALIZED VIEW event_map_day_kinds AS
SELECT CAST(reported_at AS date) AS day,
       category, source, department,
       h3_parent(h3, 9) AS cell,
       grid_id, community_id, street_id,
       count(*) AS n,
       count(*) FILTER (WHERE status <> 'cancelled'
                        AND (closed_at IS NOT NULL OR status IN ('closed', 'rated'))) AS n_closed
FROM events
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
ORDER BY 1, 2, 3;

CREATE INDEX event_map_day_kinds_day_idx ON event_map_day_kinds (day);
CREATE INDEX event_map_day_kinds_category_idx ON event_map_day_kinds (category, day);
CREATE INDEX event_map_day_kinds_source_idx ON event_map_day_kinds (source, day);

-- The open events (not closed, not cancelled): ~1 % of a district's events; the overrides'
-- open-overdue counts read them through this index.
CREATE INDEX events_open_reported_idx ON events (reported_at)
    WHERE closed_at IS NULL AND status NOT IN ('cancelled', 'closed', 'rated');

GRANT SELECT ON event_map_days, event_map_day_kinds TO gridscope_reader;
