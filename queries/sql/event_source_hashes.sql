-- Stored hash of the imported row (events.source_hash; null for an event from no file) of the
-- events among :ids (one text, the ids separated by U+001F: binding one
-- string is several times faster than a list of 250k): what a re-import compares a file's rows
-- with (data/ingest/unchanged.py).
SELECT e.event_id, e.source_hash
FROM events e
JOIN (SELECT DISTINCT unnest(string_to_array(CAST(:ids AS VARCHAR), chr(31))) AS event_id) i ON i.event_id = e.event_id
