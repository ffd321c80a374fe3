-- GridScope schema for PostGIS: the logical model of data/contracts.py, the same columns
-- as queries/schema/duckdb.sql. Geometry in SRID 4326. Secondary indexes live in
-- 002_indexes.sql so bulk loads can drop and rebuild them (queries/postgis_store.py).
-- Text columns use COLLATE "C" (byte order, as DuckDB sorts) so ORDER BY and min() on
-- ids and names give the same answer whatever locale the database was created with.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text COLLATE "C");

CREATE TABLE departments (
    code text COLLATE "C" PRIMARY KEY, name_zh text COLLATE "C" NOT NULL, name_en text COLLATE "C" NOT NULL);

CREATE TABLE categories (
    code text COLLATE "C" PRIMARY KEY, name_zh text COLLATE "C" NOT NULL, name_en text COLLATE "C" NOT NULL,
    department text COLLATE "C" NOT NULL, sla_response_h double precision NOT NULL DEFAULT 2,
    sla_close_h double precision NOT NULL DEFAULT 24);

CREATE TABLE areas (
    area_id text COLLATE "C" PRIMARY KEY, level text COLLATE "C" NOT NULL, parent_id text COLLATE "C",
    name_zh text COLLATE "C" NOT NULL, name_en text COLLATE "C", households integer, population integer,
    geom geometry(Geometry, 4326) NOT NULL);

-- geom is derived from lon/lat by the server (STORED), so COPY sends only the numbers.
CREATE TABLE events (
    event_id text COLLATE "C" NOT NULL, source text COLLATE "C" NOT NULL, category text COLLATE "C" NOT NULL,
    description text COLLATE "C", lon double precision NOT NULL, lat double precision NOT NULL,
    h3 bigint NOT NULL,
    grid_id text COLLATE "C", community_id text COLLATE "C", street_id text COLLATE "C", department text COLLATE "C",
    priority integer, status text COLLATE "C" NOT NULL,
    reported_at timestamp NOT NULL, registered_at timestamp, dispatched_at timestamp,
    responded_at timestamp, resolved_at timestamp, verified_at timestamp,
    closed_at timestamp, satisfaction integer, reopened boolean DEFAULT false,
    sensor_id text COLLATE "C",
    geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED);

CREATE TABLE event_log (
    event_id text COLLATE "C" NOT NULL, stage text COLLATE "C" NOT NULL, "at" timestamp NOT NULL,
    actor text COLLATE "C", note text COLLATE "C");

CREATE TABLE sensors (
    sensor_id text COLLATE "C" PRIMARY KEY, kind text COLLATE "C" NOT NULL, unit text COLLATE "C" NOT NULL,
    lon double precision NOT NULL, lat double precision NOT NULL, h3 bigint NOT NULL,
    grid_id text COLLATE "C", threshold double precision NOT NULL);

CREATE TABLE readings (
    sensor_id text COLLATE "C" NOT NULL, ts timestamp NOT NULL, value double precision NOT NULL);

CREATE TABLE import_rejects (
    batch_id text COLLATE "C" NOT NULL, row_number bigint NOT NULL, reason text COLLATE "C" NOT NULL, raw text COLLATE "C");

-- Ground truth of the demo city's planted patterns (empty for imported data).
CREATE TABLE demo_truth (
    pattern text COLLATE "C" NOT NULL, lon double precision NOT NULL, lat double precision NOT NULL,
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
