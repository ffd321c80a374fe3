-- The published units of one level (district | street | community | cell): id, parent,
-- names and simplified geometry as GeoJSON text.
SELECT level, unit_id, parent_id, name_zh, name_en, res, geojson
FROM pub_units
WHERE level = :level
ORDER BY unit_id
