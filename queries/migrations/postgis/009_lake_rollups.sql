-- Rollups of a Parquet lake (`gridscope rollup … --load`, data/lake/; DuckDB: queries/schema/duckdb.sql):
-- readings per day × kind × unit (sensor, grid, H3 cell at res 12 and 7-10) × hour, their
-- mergeable quantile sketches per day, events per report day × unit × category × source.
-- Loads replace whole days (delete_lake_days), so the day leads every index.
CREATE TABLE IF NOT EXISTS reading_hours (
    day date NOT NULL, kind text COLLATE "C" NOT NULL, level text COLLATE "C" NOT NULL, res integer,
    cell bigint, unit_key text COLLATE "C", hour timestamp NOT NULL, sensors bigint NOT NULL,
    readings bigint NOT NULL, value_sum double precision NOT NULL, mean_value double precision,
    max_value double precision, exceedances bigint NOT NULL, p95_value double precision,
    threshold double precision, first_over_ts timestamp);
CREATE TABLE IF NOT EXISTS reading_sketches (
    day date NOT NULL, kind text COLLATE "C" NOT NULL, level text COLLATE "C" NOT NULL, res integer,
    cell bigint, unit_key text COLLATE "C", bucket bigint NOT NULL, n bigint NOT NULL);
CREATE TABLE IF NOT EXISTS event_days (
    day date NOT NULL, level text COLLATE "C" NOT NULL, res integer, cell bigint, unit_key text COLLATE "C",
    category text COLLATE "C" NOT NULL, source text COLLATE "C" NOT NULL, events bigint NOT NULL,
    cancelled bigint NOT NULL, closed bigint NOT NULL, closed_untimed bigint NOT NULL,
    closed_on_time bigint NOT NULL, open bigint NOT NULL, responded bigint NOT NULL,
    responded_on_time bigint NOT NULL, rated bigint NOT NULL, satisfied bigint NOT NULL,
    reopened bigint NOT NULL);
CREATE INDEX IF NOT EXISTS reading_hours_unit_idx ON reading_hours (level, kind, res, day);
CREATE INDEX IF NOT EXISTS reading_sketches_unit_idx ON reading_sketches (level, kind, res, day);
CREATE INDEX IF NOT EXISTS event_days_day_idx ON event_days (day, level, res);
GRANT SELECT ON reading_hours, reading_sketches, event_days TO gridscope_reader;
