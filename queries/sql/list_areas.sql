-- Areas of level :level with their parent and names (no geometry).
SELECT area_id, parent_id, name_zh, name_en, households, population
FROM areas
WHERE level = :level
ORDER BY area_id
