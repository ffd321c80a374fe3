-- The days (report day of events, reading day of readings) holding rows of :table
-- ('readings' or 'events'), with their row counts, oldest first: the day partitions an
-- export to Parquet writes (data/lake/export.py).
SELECT CAST(r.ts AS DATE) AS day, count(*) AS n
FROM readings r
WHERE CAST(:table AS VARCHAR) = 'readings'
GROUP BY 1
UNION ALL
SELECT CAST(e.reported_at AS DATE) AS day, count(*) AS n
FROM events e
WHERE CAST(:table AS VARCHAR) = 'events'
GROUP BY 1
ORDER BY 1
