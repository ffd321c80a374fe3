-- Remove the event_days rows from day :since on (every row when :since is NULL), before a
-- rollup's days are loaded again (data/lake/load.py).
DELETE FROM event_days
WHERE CAST(:since AS DATE) IS NULL OR day >= CAST(:since AS DATE)
