-- Every event's id, WGS-84 position and area ids (for re-assigning events to newly imported areas).
SELECT event_id, lon, lat, grid_id, community_id, street_id
FROM events
ORDER BY event_id
