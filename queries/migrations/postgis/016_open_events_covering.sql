-- The open-overdue counts of the map overrides (queries/sql/postgis/count_events_by_*.sql) read
-- the open events of the window: migration 012's partial index gave their reported_at only,
-- so each of them cost a heap fetch from a random page of events (~3,500 pages for a 30-day
-- window at 10M events: 50-85 ms of a 300 ms query). This one covers every column those
-- reads use (the window, the filter lists, the street scope, the deadline and the H3 cell),
-- so they are index-only scans on an all-visible table. Issue 11.
CREATE INDEX events_open_idx ON events (reported_at)
    INCLUDE (close_due_at, h3, category, source, department, street_id, community_id, grid_id)
    WHERE closed_at IS NULL AND status NOT IN ('cancelled', 'closed', 'rated');

DROP INDEX events_open_reported_idx;
