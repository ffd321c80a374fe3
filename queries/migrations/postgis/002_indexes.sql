-- Secondary indexes. Bulk loads (PostGISStore.insert_frame on large frames, bulk_load())
-- drop every non-constraint index of a table and rebuild it from pg_indexes afterwards,
-- so an index added here is rebuilt after loads without further code.

CREATE INDEX areas_geom_gist ON areas USING gist (geom);
CREATE INDEX areas_level_idx ON areas (level, area_id);
CREATE INDEX areas_parent_idx ON areas (parent_id);

-- Time window of every dashboard query (the event filter): range scans on reported_at.
CREATE INDEX events_reported_at_idx ON events (reported_at);
-- The fine H3 cell; coarser cells are h3_parent(h3, r), a range of fine cells.
CREATE INDEX events_h3_idx ON events (h3);
CREATE INDEX events_geom_gist ON events USING gist (geom);
CREATE INDEX events_event_id_idx ON events (event_id);

CREATE INDEX event_log_event_idx ON event_log (event_id, "at");
CREATE INDEX readings_sensor_ts_idx ON readings (sensor_id, ts);
