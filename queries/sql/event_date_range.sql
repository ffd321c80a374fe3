-- First and last report time in the store (the dashboard's default window ends at the last).
SELECT min(reported_at) AS first_reported, max(reported_at) AS last_reported, count(*) AS events
FROM events
