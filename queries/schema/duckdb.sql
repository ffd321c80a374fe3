-- GridScope schema for the embedded DuckDB store (the logical model in data/contracts.py).
-- Idempotent: every statement may run again on an existing file.

CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS departments (
    code VARCHAR PRIMARY KEY, name_zh VARCHAR NOT NULL, name_en VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS categories (
    code VARCHAR PRIMARY KEY, name_zh VARCHAR NOT NULL, name_en VARCHAR NOT NULL,
    department VARCHAR NOT NULL, sla_response_h DOUBLE NOT NULL DEFAULT 2,
    sla_close_h DOUBLE NOT NULL DEFAULT 24, sla_assumed BOOLEAN NOT NULL DEFAULT FALSE);
-- sla_assumed: the SLA hours are the defaults an events import gave a category it created
-- (files from before the column get it once, see queries/duckdb_store.py).
ALTER TABLE categories ADD COLUMN IF NOT EXISTS sla_assumed BOOLEAN DEFAULT FALSE;

CREATE TABLE IF NOT EXISTS areas (
    area_id VARCHAR PRIMARY KEY, level VARCHAR NOT NULL, parent_id VARCHAR,
    name_zh VARCHAR NOT NULL, name_en VARCHAR, households INTEGER, population INTEGER,
    geom GEOMETRY NOT NULL);

CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR NOT NULL, source VARCHAR NOT NULL, category VARCHAR NOT NULL,
    description VARCHAR, lon DOUBLE NOT NULL, lat DOUBLE NOT NULL, h3 BIGINT NOT NULL,
    grid_id VARCHAR, community_id VARCHAR, street_id VARCHAR, department VARCHAR,
    priority INTEGER, status VARCHAR NOT NULL,
    reported_at TIMESTAMP NOT NULL, registered_at TIMESTAMP, dispatched_at TIMESTAMP,
    responded_at TIMESTAMP, resolved_at TIMESTAMP, verified_at TIMESTAMP,
    closed_at TIMESTAMP, satisfaction INTEGER, reopened BOOLEAN DEFAULT FALSE,
    sensor_id VARCHAR, respond_due_at TIMESTAMP, close_due_at TIMESTAMP,
    geom GEOMETRY AS (ST_Point(lon, lat)) VIRTUAL);
ALTER TABLE events ADD COLUMN IF NOT EXISTS respond_due_at TIMESTAMP;
ALTER TABLE events ADD COLUMN IF NOT EXISTS close_due_at TIMESTAMP;
-- the imported row an event was stored from (data/ingest/unchanged.py; PostGIS: migration 018)
ALTER TABLE events ADD COLUMN IF NOT EXISTS source_hash BIGINT;

CREATE TABLE IF NOT EXISTS event_log (
    event_id VARCHAR NOT NULL, stage VARCHAR NOT NULL, "at" TIMESTAMP NOT NULL,
    actor VARCHAR, note VARCHAR);

CREATE TABLE IF NOT EXISTS sensors (
    sensor_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    lon DOUBLE NOT NULL, lat DOUBLE NOT NULL, h3 BIGINT NOT NULL, grid_id VARCHAR,
    threshold DOUBLE NOT NULL);

CREATE TABLE IF NOT EXISTS readings (
    sensor_id VARCHAR NOT NULL, ts TIMESTAMP NOT NULL, value DOUBLE NOT NULL);

CREATE TABLE IF NOT EXISTS import_rejects (
    batch_id VARCHAR NOT NULL, row_number BIGINT NOT NULL, reason VARCHAR NOT NULL,
    raw VARCHAR);

-- The state of every import (data/batches.py; PostGIS: migration 008): an import killed
-- part-way stays "running" with the chunks and rows it had committed.
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
    file_size BIGINT, file_sha256 VARCHAR, state VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
    chunks BIGINT NOT NULL DEFAULT 0, rows_read BIGINT NOT NULL DEFAULT 0,
    rows_stored BIGINT NOT NULL DEFAULT 0, rows_rejected BIGINT NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 1, pid INTEGER, host VARCHAR, error VARCHAR);

-- Who may use the dashboard (issue 10, data/users.py; PostGIS: migration 010). A signed-in
-- person is matched on the OIDC subject, then on the e-mail; role: leader | analyst |
-- supervisor | admin; streets: comma-separated street area_ids, empty = the whole district.
CREATE TABLE IF NOT EXISTS users (
    subject VARCHAR PRIMARY KEY, email VARCHAR, display_name VARCHAR,
    role VARCHAR NOT NULL CHECK (role IN ('leader', 'analyst', 'supervisor', 'admin')),
    streets VARCHAR NOT NULL DEFAULT '', created_at TIMESTAMP, updated_at TIMESTAMP);

-- Ground truth of the demo city's planted patterns (empty for imported data).
CREATE TABLE IF NOT EXISTS demo_truth (
    pattern VARCHAR NOT NULL, lon DOUBLE NOT NULL, lat DOUBLE NOT NULL,
    radius_m DOUBLE NOT NULL, start_day INTEGER NOT NULL, end_day INTEGER NOT NULL,
    multiplier_start DOUBLE NOT NULL, multiplier_end DOUBLE NOT NULL);

-- Parent of a stored H3 cell at resolution r, from the H3 bit layout: set the
-- resolution field (bits 52-55) to r and every digit finer than r to 7.
-- Equal to h3.cell_to_parent (tests/geo/test_h3.py); PostGIS defines the same function.
CREATE OR REPLACE MACRO h3_parent(h, r) AS
    ((h & ~(CAST(15 AS BIGINT) << 52)) | (CAST(r AS BIGINT) << 52))
    | ((CAST(1 AS BIGINT) << (3 * (15 - r))) - 1);

-- Rollups of a Parquet lake (`gridscope rollup … --load`, data/lake/; PostGIS: migration 009):
-- readings per day × kind × unit (sensor, grid, H3 cell at res 12 and 7-10) × hour, their
-- mergeable quantile sketches per day, events per report day × unit × category × source.
CREATE TABLE IF NOT EXISTS reading_hours (
    day DATE NOT NULL, kind VARCHAR NOT NULL, level VARCHAR NOT NULL, res INTEGER, cell BIGINT,
    unit_key VARCHAR, hour TIMESTAMP NOT NULL, sensors BIGINT NOT NULL, readings BIGINT NOT NULL,
    value_sum DOUBLE NOT NULL, mean_value DOUBLE, max_value DOUBLE, exceedances BIGINT NOT NULL,
    p95_value DOUBLE, threshold DOUBLE, first_over_ts TIMESTAMP);
CREATE TABLE IF NOT EXISTS reading_sketches (
    day DATE NOT NULL, kind VARCHAR NOT NULL, level VARCHAR NOT NULL, res INTEGER, cell BIGINT,
    unit_key VARCHAR, bucket BIGINT NOT NULL, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS event_days (
    day DATE NOT NULL, level VARCHAR NOT NULL, res INTEGER, cell BIGINT, unit_key VARCHAR,
    category VARCHAR NOT NULL, source VARCHAR NOT NULL, events BIGINT NOT NULL,
    cancelled BIGINT NOT NULL, closed BIGINT NOT NULL, closed_untimed BIGINT NOT NULL,
    closed_on_time BIGINT NOT NULL, open BIGINT NOT NULL, responded BIGINT NOT NULL,
    responded_on_time BIGINT NOT NULL, rated BIGINT NOT NULL, satisfied BIGINT NOT NULL,
    reopened BIGINT NOT NULL);

-- The audit trail (data/audit.py; PostGIS: migration 011, append-only there by grants and a
-- trigger). Nothing in the store protocol deletes or changes a row: the one named statement
-- on it is audit_append; clear(), insert_frame() and upsert_frame() refuse the table. A DuckDB
-- file has no roles, so whoever may write the file could still change it (docs/AUDIT.md).
CREATE SEQUENCE IF NOT EXISTS audit_seq;
CREATE TABLE IF NOT EXISTS audit_log (
    seq BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'), "at" TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL, role VARCHAR, action VARCHAR NOT NULL, page VARCHAR, details VARCHAR);
-- When the row was written, by the store's own clock ("at" is the caller's account of when it happened).
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS recorded_at TIMESTAMP DEFAULT current_localtimestamp();
