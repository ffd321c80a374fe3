-- Whether the store holds raw readings in [:start, :end): alarms (runs of readings over the
-- threshold) are found in them, so a store holding only the rollups has none to show.
SELECT count(*) AS present
FROM (SELECT 1 AS one FROM readings r WHERE r.ts >= :start AND r.ts < :end LIMIT 1) r
