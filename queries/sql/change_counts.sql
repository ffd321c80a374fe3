-- Filtered event counts per value of :dim ('category' | 'street'; anything else: one key
-- 'all') in the window [:start, :end) (current_events) and in the window before it,
-- [:prev_start, :start) (previous_events); the lists of the filter apply to both. Events
-- without a value of the dimension have key NULL; keys without events in either window are
-- absent. The overview's "what changed" panel ranks the movers from these counts.
SELECT CASE CAST(:dim AS VARCHAR) WHEN 'category' THEN e.category
                                  WHEN 'street' THEN e.street_id
                                  ELSE 'all' END AS key,
       count(*) FILTER (WHERE e.reported_at >= :start) AS current_events,
       count(*) FILTER (WHERE e.reported_at < :start) AS previous_events
FROM events e
WHERE e.reported_at >= :prev_start AND e.reported_at < :end
  AND {{event_lists}}
GROUP BY 1
ORDER BY 1
