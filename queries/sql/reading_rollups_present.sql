-- Whether the store holds readings rollups (gridscope rollup readings --load): the sensors
-- page reads them instead of the raw readings when they do.
SELECT count(*) AS present
FROM (SELECT 1 AS one FROM reading_hours LIMIT 1) r
