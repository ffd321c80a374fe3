count(*) AS events,
    count(*) FILTER (WHERE e.outcome = 1) AS cancelled,
    count(*) FILTER (WHERE (e.outcome = 2 OR (e.outcome = 0 AND e.closed_at < e.as_of))) AS closed,
    count(*) FILTER (WHERE e.outcome = 2) AS closed_untimed,
    count(*) FILTER (WHERE e.outcome = 0 AND e.closed_at < e.as_of AND e.closed_at <= e.close_due_at) AS closed_on_time,
    count(*) FILTER (WHERE e.outcome = 0 AND (e.closed_at IS NULL OR e.closed_at >= e.as_of) AND e.close_due_at < e.as_of) AS open_overdue,
    count(*) FILTER (WHERE (e.outcome = 2 OR (e.outcome = 0 AND e.closed_at < e.as_of)) AND e.satisfaction IS NOT NULL) AS rated,
    count(*) FILTER (WHERE (e.outcome = 2 OR (e.outcome = 0 AND e.closed_at < e.as_of)) AND e.satisfaction >= 4) AS satisfied
