-- Street scope (issue 10): a user scoped to some streets sees only their rows, enforced by
-- row-level security on every table that holds street data, for every role the policies
-- apply to (not the tables' owner, not superusers: queries/scoped_store.py switches such a
-- session to gridscope_reader with SET LOCAL ROLE for its scoped reads).
--
-- The scope is the transaction-local setting gridscope.streets that the scoped store sets,
-- by parameter, at the start of each read (set_config(..., true)):
--   '*'              every street (PostGISStore sets it for the session on every connection
--                    it opens, so the unscoped dashboard, the CLI and the loaders see all);
--   'S1,S2'          those street area_ids (their communities and grids, events of those
--                    streets and their logs, sensors in those grids and their readings);
--   absent or ''     nothing at all: a session that did not declare its scope is denied
--                    (a psql session as gridscope_reader sees empty tables).
-- Rollups at H3-cell level cannot be split by street: event_days, reading_hours and
-- reading_sketches (and import_rejects, raw rows of any street) are empty to a scoped
-- session, so the services fall back to the raw tables. The materialized view event_rollup
-- cannot have policies: its readers (the PostGIS overrides, fragment rollup_lists) add
-- the same street predicate, which tests/queries/test_scoped_store.py checks for every
-- query that names it.

-- The streets in scope: NULL = every street (the setting is '*', or row-level security does
-- not apply to this session on events: table owner, superuser, BYPASSRLS); else the list,
-- empty when the setting is absent or blank (default deny).
CREATE OR REPLACE FUNCTION gridscope_scope() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
    SELECT CASE WHEN NOT row_security_active('events') THEN NULL
                WHEN s.v = '*' THEN NULL
                ELSE coalesce(string_to_array(nullif(s.v, ''), ','), '{}')
           END
    FROM (SELECT current_setting('gridscope.streets', true) AS v) s
$$;

-- Area ids of ``streets`` (street level), their communities and those communities' grids.
-- SECURITY DEFINER: reads areas as the owner (a policy on areas cannot query areas itself).
CREATE OR REPLACE FUNCTION gridscope_scope_areas(streets text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
    SELECT coalesce(array_agg(x.area_id), '{}')
    FROM (SELECT s.area_id FROM areas s WHERE s.level = 'street' AND s.area_id = ANY(streets)
          UNION ALL
          SELECT c.area_id FROM areas c JOIN areas s ON s.area_id = c.parent_id
          WHERE c.level = 'community' AND s.level = 'street' AND s.area_id = ANY(streets)
          UNION ALL
          SELECT g.area_id FROM areas g JOIN areas c ON c.area_id = g.parent_id JOIN areas s ON s.area_id = c.parent_id
          WHERE g.level = 'grid' AND c.level = 'community' AND s.level = 'street' AND s.area_id = ANY(streets)) x
$$;

-- The schema's own tables before a session's temporary ones (SET search_path FROM CURRENT
-- would search pg_temp first: a session could shadow areas for the SECURITY DEFINER function).
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION gridscope_scope_areas(text[]) SET search_path = pg_catalog, %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION gridscope_scope() SET search_path = pg_catalog, %I, pg_temp', current_schema());
END $$;

REVOKE ALL ON FUNCTION gridscope_scope_areas(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gridscope_scope() TO gridscope_reader;
GRANT EXECUTE ON FUNCTION gridscope_scope_areas(text[]) TO gridscope_reader;

-- Each policy is FOR ALL (a role that is not the owner writes rows under '*' like the reader
-- reads; but PostgreSQL refuses COPY FROM into a table whose policies bind the role, so the
-- loaders and GRIDSCOPE_WRITER_DSN use the owner, or a role with BYPASSRLS) and starts with
-- the "every street" test as an InitPlan, evaluated once per statement, so an unscoped read
-- pays one comparison per row.
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON events FOR ALL
    USING ((SELECT gridscope_scope()) IS NULL OR street_id = ANY(CAST((SELECT gridscope_scope()) AS text[])))
    WITH CHECK (true);

ALTER TABLE event_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON event_log FOR ALL
    -- correlated: one index probe of events per log row (event_history reads one event's log)
    USING ((SELECT gridscope_scope()) IS NULL
           OR EXISTS (SELECT 1 FROM events e WHERE e.event_id = event_log.event_id))
    WITH CHECK (true);

ALTER TABLE areas ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON areas FOR ALL
    USING ((SELECT gridscope_scope()) IS NULL
           OR area_id = ANY(CAST((SELECT gridscope_scope_areas(gridscope_scope())) AS text[])))
    WITH CHECK (true);

ALTER TABLE sensors ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON sensors FOR ALL
    USING ((SELECT gridscope_scope()) IS NULL
           OR grid_id = ANY(CAST((SELECT gridscope_scope_areas(gridscope_scope())) AS text[])))
    WITH CHECK (true);

ALTER TABLE readings ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON readings FOR ALL
    USING ((SELECT gridscope_scope()) IS NULL OR sensor_id IN (SELECT s.sensor_id FROM sensors s))
    WITH CHECK (true);

ALTER TABLE event_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON event_days FOR ALL USING ((SELECT gridscope_scope()) IS NULL) WITH CHECK (true);

ALTER TABLE reading_hours ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON reading_hours FOR ALL USING ((SELECT gridscope_scope()) IS NULL) WITH CHECK (true);

ALTER TABLE reading_sketches ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON reading_sketches FOR ALL USING ((SELECT gridscope_scope()) IS NULL) WITH CHECK (true);

ALTER TABLE import_rejects ENABLE ROW LEVEL SECURITY;
CREATE POLICY street_scope ON import_rejects FOR ALL USING ((SELECT gridscope_scope()) IS NULL) WITH CHECK (true);
