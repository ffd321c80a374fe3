-- The transition log (event_log, append-only) of one event (:event_id): every stage with
-- its time, actor and note, in time order (stages at the same time in chain order).
SELECT l.stage, l."at", l.actor, l.note
FROM event_log l
WHERE l.event_id = CAST(:event_id AS VARCHAR)
ORDER BY l."at",
         CASE l.stage WHEN 'reported' THEN 0 WHEN 'registered' THEN 1 WHEN 'dispatched' THEN 2
                      WHEN 'responded' THEN 3 WHEN 'resolved' THEN 4 WHEN 'verified' THEN 5
                      WHEN 'closed' THEN 6 WHEN 'rated' THEN 7 ELSE 8 END,
         l.stage
