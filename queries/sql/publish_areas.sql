-- Published layer: the district, streets and communities with their names and outlines as
-- GeoJSON, simplified by :tolerance degrees (topology kept), for pub_units. Grids are never
-- published.
SELECT area_id, level, parent_id, name_zh, name_en,
       ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, CAST(:tolerance AS DOUBLE PRECISION))) AS geojson
FROM areas
WHERE level IN ('district', 'street', 'community')
ORDER BY level, area_id
