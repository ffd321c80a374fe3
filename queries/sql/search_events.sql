-- Events found by a search text: the event whose id is :q exactly, and events whose id,
-- description, or grid, community or street name (zh or en) contains the text. :pattern
-- is a LIKE pattern made by queries/answers/search.py: the text lower-cased with \, % and
-- _ escaped by a backslash, between two %. An exact id first, then newest first, at most
-- :limit, with the category, department, street and grid names.
SELECT e.event_id, e.reported_at, e.status, e.source,
       e.category, c.name_zh AS category_zh, c.name_en AS category_en,
       e.department, d.name_zh AS department_zh, d.name_en AS department_en,
       e.street_id, s.name_zh AS street_zh, s.name_en AS street_en,
       e.grid_id, g.name_zh AS grid_zh, g.name_en AS grid_en,
       e.description,
       e.event_id = CAST(:q AS VARCHAR) AS exact
FROM events e
LEFT JOIN categories c ON c.code = e.category
LEFT JOIN departments d ON d.code = e.department
LEFT JOIN areas g ON g.area_id = e.grid_id
LEFT JOIN areas m ON m.area_id = e.community_id
LEFT JOIN areas s ON s.area_id = e.street_id
WHERE e.event_id = CAST(:q AS VARCHAR)
   OR lower(e.event_id) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
   OR lower(e.description) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
   OR lower(g.name_zh) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
   OR lower(g.name_en) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
   OR lower(m.name_zh) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
   OR lower(m.name_en) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
   OR lower(s.name_zh) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
   OR lower(s.name_en) LIKE CAST(:pattern AS VARCHAR) ESCAPE '\'
ORDER BY exact DESC, e.reported_at DESC, e.event_id
LIMIT :limit
