-- Every event's id and WGS-84 position (for re-assigning events to newly imported areas).
SELECT event_id, lon, lat
FROM events
ORDER BY event_id
