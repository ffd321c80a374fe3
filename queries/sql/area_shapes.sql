-- Areas of level :level with their geometry as WKB (for map layers).
SELECT area_id, parent_id, name_zh, name_en, ST_AsBinary(geom) AS wkb
FROM areas
WHERE level = :level
ORDER BY area_id
