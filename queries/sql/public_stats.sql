-- Published figures of every unit of one level, per month or ISO week, for one category
-- group and source ('all' for all of them), every period or just :period_label (NULL: all).
-- Withheld counts and rates are NULL and `withheld` says why (under_k | secondary | sensitive).
SELECT period_label, period_start, period_end, level, unit_id, category_group, source,
       received, closed, closure_rate, on_time_rate, median_days_to_close, satisfaction_rate, withheld
FROM pub_stats
WHERE period = :period
  AND level = :level
  AND category_group = :category_group
  AND source = :source
  AND (CAST(:period_label AS VARCHAR) IS NULL OR period_label = :period_label)
ORDER BY period_start, unit_id
