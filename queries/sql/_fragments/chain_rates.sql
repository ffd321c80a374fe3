CASE WHEN events > cancelled THEN CAST(closed AS DOUBLE PRECISION) / (events - cancelled) END AS closure_rate,
CASE WHEN closed - closed_untimed + open_overdue > 0
     THEN CAST(closed_on_time AS DOUBLE PRECISION) / (closed - closed_untimed + open_overdue) END AS on_time_rate,
CASE WHEN responded + response_overdue > 0
     THEN CAST(responded_on_time AS DOUBLE PRECISION) / (responded + response_overdue) END AS response_on_time_rate,
CASE WHEN closed > 0 THEN CAST(reopened_cases AS DOUBLE PRECISION) / closed END AS reopen_rate,
CASE WHEN rated > 0 THEN CAST(satisfied AS DOUBLE PRECISION) / rated END AS satisfaction_rate
