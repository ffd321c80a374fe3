-- GridScope schema for PostGIS: the logical model of data/contracts.py, the same columns
-- as queries/schema/duckdb.sql. Geometry in SRID 4326. Secondary indexes live in
-- 002_indexes.sql so bulk loads can drop and rebuild them (queries/postgis_store.py).

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE meta (key text PRIMARY KEY, value text);

CREATE TABLE departments (
    code text PRIMARY KEY, name_zh text NOT NULL, name_en text NOT NULL);

CREATE TABLE categories (
    code text PRIMARY KEY, name_zh text NOT NULL, name_en text NOT NULL,
    department text NOT NULL, sla_response_h double precision NOT NULL DEFAULT 2,
    sla_close_h double precision NOT NULL DEFAULT 24);

CREATE TABLE areas (
    area_id text PRIMARY KEY, level text NOT NULL, parent_id text,
    name_zh text NOT NULL, name_en text, households integer, population integer,
    geom geometry(Geometry, 4326) NOT NULL);

-- geom is derived from lon/lat by the server (STORED), so COPY sends only the numbers.
CREATE TABLE events (
    event_id text NOT NULL, source text NOT NULL, category text NOT NULL,
    description text, lon double precision NOT NULL, lat double precision NOT NULL,
    h3 bigint NOT NULL,
    grid_id text, community_id text, street_id text, department text,
    priority integer, status text NOT NULL,
    reported_at timestamp NOT NULL, registered_at timestamp, dispatched_at timestamp,
    responded_at timestamp, resolved_at timestamp, verified_at timestamp,
    closed_at timestamp, satisfaction integer, reopened boolean DEFAULT false,
    sensor_id text,
    geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED);

CREATE TABLE event_log (
    event_id text NOT NULL, stage text NOT NULL, "at" timestamp NOT NULL,
    actor text, note text);

CREATE TABLE sensors (
    sensor_id text PRIMARY KEY, kind text NOT NULL, unit text NOT NULL,
    lon double precision NOT NULL, lat double precision NOT NULL, h3 bigint NOT NULL,
    grid_id text, threshold double precision NOT NULL);

CREATE TABLE readings (
    sensor_id text NOT NULL, ts timestamp NOT NULL, value double precision NOT NULL);

CREATE TABLE import_rejects (
    batch_id text NOT NULL, row_number bigint NOT NULL, reason text NOT NULL, raw text);

-- Ground truth of the demo city's planted patterns (empty for imported data).
CREATE TABLE demo_truth (
    pattern text NOT NULL, lon double precision NOT NULL, lat double precision NOT NULL,
    radius_m double precision NOT NULL, start_day integer NOT NULL, end_day integer NOT NULL,
    multiplier_start double precision NOT NULL, multiplier_end double precision NOT NULL);

-- Parent of a stored H3 cell at resolution r, from the H3 bit layout: set the resolution
-- field (bits 52-55) to r and every digit finer than r to 7. The same arithmetic as the
-- DuckDB macro in queries/schema/duckdb.sql; equal to h3.cell_to_parent
-- (tests/queries/test_postgis_schema.py). A one-expression SQL function: the planner inlines it.
CREATE FUNCTION h3_parent(h bigint, r integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ((h & ~(15::bigint << 52)) | (r::bigint << 52))
                 | ((1::bigint << (3 * (15 - r))) - 1) $$;
