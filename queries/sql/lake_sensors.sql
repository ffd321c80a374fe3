-- Every sensor with what a rollup needs: kind, unit, position, fine H3 cell, grid, threshold.
SELECT sensor_id, kind, unit, lon, lat, h3, grid_id, threshold
FROM sensors
ORDER BY sensor_id
