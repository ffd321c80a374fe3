-- Categories whose SLA hours are assumed (categories.sla_assumed: the defaults an events
-- import gave a category it created) among the filtered events, with their hours and the
-- number of filtered events of each; most events first. Every on-time rate, overdue count
-- and ranking of these events rests on those hours, so the pages name them.
SELECT c.code, c.name_zh, c.name_en, c.sla_response_h, c.sla_close_h, count(*) AS events
FROM events e
JOIN categories c ON c.code = e.category
WHERE c.sla_assumed AND {{event_filter}}
GROUP BY c.code, c.name_zh, c.name_en, c.sla_response_h, c.sla_close_h
ORDER BY events DESC, c.code
