-- Filtered event counts per :grain bucket ('day' | 'week' | 'month') and per value of
-- :dim ('category' | 'source' | 'department' | 'street'; anything else: one key 'all')
-- in [:start, :end). Events without a value of the dimension have key NULL. Pairs without
-- events are absent.
SELECT date_trunc(CAST(:grain AS VARCHAR), e.reported_at) AS bucket,
       CASE CAST(:dim AS VARCHAR) WHEN 'category' THEN e.category
                                  WHEN 'source' THEN e.source
                                  WHEN 'department' THEN e.department
                                  WHEN 'street' THEN e.street_id
                                  ELSE 'all' END AS key,
       count(*) AS events
FROM events e
WHERE {{event_filter}}
GROUP BY 1, 2
ORDER BY 1, 2
