-- Daily rollup of events for the PostGIS overrides of kpi_summary, street_ranking and
-- daily_trend (queries/sql/postgis/). One row per (report day, category, source,
-- department, street, close day, due day) with counts of events, of those closed on time,
-- rated and satisfied: for an as-of time at midnight, "closed before as-of" and "overdue
-- at as-of" become comparisons of days, so those queries are answered exactly from it.
--
-- Never read stale: a statement trigger on events bumps meta 'events_version'; the
-- refresh (PostGISStore.refresh_rollups, run by checkpoint() after loads and imports)
-- records in 'event_rollup_version' the version it saw before refreshing; the overrides
-- read the rollup only when both are equal, and the events table otherwise.
CREATE MATERIALIZED VIEW event_rollup AS
SELECT CAST(reported_at AS date) AS day,
       category, source, department, street_id,
       CAST(closed_at AS date) AS close_day,
       CAST(close_due_at AS date) AS due_day,
       count(*) AS n,
       count(*) FILTER (WHERE closed_at <= close_due_at) AS n_on_time,
       count(satisfaction) AS n_rated,
       count(*) FILTER (WHERE satisfaction >= 4) AS n_satisfied
FROM events
GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE INDEX event_rollup_day_idx ON event_rollup (day);

INSERT INTO meta (key, value) VALUES ('events_version', '0'), ('event_rollup_version', '0')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

CREATE FUNCTION bump_events_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meta SET value = CAST(CAST(value AS bigint) + 1 AS text) WHERE key = 'events_version';
    RETURN NULL;
END $$;

CREATE TRIGGER events_version_bump
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION bump_events_version();

-- The reader role reads the rollup like every table (default privileges cover views
-- created later; this migration's own view is granted explicitly).
GRANT SELECT ON event_rollup TO gridscope_reader;
