-- Every sensor's id, kind, WGS-84 position and grid (readings import; re-assigning sensors to areas).
SELECT sensor_id, kind, lon, lat, grid_id
FROM sensors
ORDER BY sensor_id
