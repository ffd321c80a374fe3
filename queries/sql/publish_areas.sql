-- Published layer: the district, streets and communities with their names and outlines as
-- WKB, for pub_units (data/publish/units.py simplifies them and writes GeoJSON: simplifying
-- here would differ between the backends' GEOS versions). Grids are never published.
SELECT area_id, level, parent_id, name_zh, name_en, ST_AsBinary(geom) AS wkb
FROM areas
WHERE level IN ('district', 'street', 'community')
ORDER BY level, area_id
