count(*) AS events,
    count(*) FILTER (WHERE e.status <> 'cancelled'
                     AND (e.closed_at IS NOT NULL OR e.status IN ('closed', 'rated'))) AS closed,
    count(*) FILTER (WHERE {{event_open_overdue}}) AS open_overdue
