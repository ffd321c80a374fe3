-- events.source_hash: a hash of the imported row an event was stored from, together with what
-- read it (mapping, coordinate system, time formats, the import's rules; data/ingest/unchanged.py).
-- A re-import skips the rows whose hash is stored for their id: they would store what is stored.
-- NULL for events that did not come from a file (the demo city) or were stored before this.
ALTER TABLE events ADD COLUMN IF NOT EXISTS source_hash bigint;
