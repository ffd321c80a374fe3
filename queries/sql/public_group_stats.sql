-- One unit's published figures per category group (all sources) in one period: the
-- categories section. Withheld rows included, so the pattern is visible.
SELECT category_group, received, closed, closure_rate, on_time_rate, median_days_to_close,
       satisfaction_rate, withheld
FROM pub_stats
WHERE period = :period
  AND level = :level
  AND unit_id = :unit_id
  AND period_label = :period_label
  AND source = 'all'
  AND category_group <> 'all'
ORDER BY category_group
