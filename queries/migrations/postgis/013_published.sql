-- The published layer (issue 12, data/publish/): schema `published` with the pub_* tables
-- (the same columns as data/publish/schema.py; tests/publish compare them) and the role
-- `gridscope_public` the public app connects as, which may SELECT these tables and nothing
-- else: no grant on any table of schema public (events, event_log, import_rejects, ...), so
-- a leaked public connection string reads only what is published anyway.
-- `gridscope publish` (as the owner) replaces the rows in one transaction (TRUNCATE + COPY),
-- so a reader sees the old publication or the new one, never a mix.
CREATE SCHEMA IF NOT EXISTS published;

CREATE TABLE IF NOT EXISTS published.pub_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS published.pub_units (
    level VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, parent_id VARCHAR, name_zh VARCHAR,
    name_en VARCHAR, res INTEGER, geojson VARCHAR);
CREATE TABLE IF NOT EXISTS published.pub_groups (
    kind VARCHAR NOT NULL, code VARCHAR NOT NULL, name_zh VARCHAR, name_en VARCHAR,
    sensitive BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS published.pub_stats (
    period VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
    period_label VARCHAR NOT NULL, level VARCHAR NOT NULL, unit_id VARCHAR NOT NULL,
    category_group VARCHAR NOT NULL, source VARCHAR NOT NULL, received BIGINT, closed BIGINT,
    closure_rate DOUBLE PRECISION, on_time_rate DOUBLE PRECISION,
    median_days_to_close DOUBLE PRECISION, satisfaction_rate DOUBLE PRECISION, withheld VARCHAR);
CREATE INDEX IF NOT EXISTS pub_stats_unit_idx ON published.pub_stats (level, unit_id, period, period_start);
CREATE INDEX IF NOT EXISTS pub_stats_period_idx ON published.pub_stats (period, period_label, level);
CREATE TABLE IF NOT EXISTS published.pub_tracking (
    digest VARCHAR NOT NULL, stage VARCHAR NOT NULL, reached_on DATE, ord INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS pub_tracking_digest_idx ON published.pub_tracking (digest, ord);
CREATE TABLE IF NOT EXISTS published.pub_tracking_case (
    digest VARCHAR PRIMARY KEY, status VARCHAR NOT NULL, closed_on_time BOOLEAN,
    rated BOOLEAN NOT NULL, can_rate BOOLEAN NOT NULL);

-- Roles are cluster-wide: create once, tolerate another database having made it (see 003).
DO $$
BEGIN
    CREATE ROLE gridscope_public LOGIN;
    ALTER ROLE gridscope_public SET default_transaction_read_only = on;
    ALTER ROLE gridscope_public SET statement_timeout = '10s';
    ALTER ROLE gridscope_public SET search_path = published;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO gridscope_public', current_database());
END $$;
GRANT USAGE ON SCHEMA published TO gridscope_public;
GRANT SELECT ON ALL TABLES IN SCHEMA published TO gridscope_public;
ALTER DEFAULT PRIVILEGES IN SCHEMA published GRANT SELECT ON TABLES TO gridscope_public;
-- The internal dashboard's reader may look at what was published, too.
GRANT USAGE ON SCHEMA published TO gridscope_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA published TO gridscope_reader;
