SELECT a.area_id, a.name_zh, a.name_en, a.households,
       COALESCE(n.events, 0) AS events,
       COALESCE(n.closed, 0) AS closed,
       COALESCE(n.open_overdue, 0) AS open_overdue
FROM areas a
LEFT JOIN counts n ON n.area_id = a.area_id
WHERE a.level = :level
ORDER BY events DESC, a.area_id
