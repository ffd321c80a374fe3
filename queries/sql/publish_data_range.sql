-- Published layer: first and last report day in the store (the publication lag counts back
-- from the last one, data/publish/periods.py).
SELECT CAST(min(reported_at) AS DATE) AS first_day, CAST(max(reported_at) AS DATE) AS last_day
FROM events
