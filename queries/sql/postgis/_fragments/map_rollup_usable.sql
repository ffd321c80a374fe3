(SELECT count(*) = 2 AND count(DISTINCT value) = 1 FROM meta WHERE key IN ('events_version', 'event_rollup_version'))
  AND CAST(:start AS TIMESTAMP) = date_trunc('day', CAST(:start AS TIMESTAMP))
  AND CAST(:end AS TIMESTAMP) = date_trunc('day', CAST(:end AS TIMESTAMP))
