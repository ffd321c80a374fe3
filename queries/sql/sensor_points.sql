-- Every sensor's id, kind and WGS-84 position (readings import; re-assigning sensors to areas).
SELECT sensor_id, kind, lon, lat
FROM sensors
ORDER BY sensor_id
