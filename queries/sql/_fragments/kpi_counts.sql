count(*) AS events,
    count(*) FILTER (WHERE e.status = 'cancelled') AS cancelled,
    count(*) FILTER (WHERE e.status <> 'cancelled' AND (e.closed_at < LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) OR (e.closed_at IS NULL AND e.status IN ('closed', 'rated')))) AS closed,
    count(*) FILTER (WHERE e.closed_at IS NULL AND e.status IN ('closed', 'rated')) AS closed_untimed,
    count(*) FILTER (WHERE e.status <> 'cancelled' AND e.closed_at < LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) AND e.closed_at <= e.close_due_at) AS closed_on_time,
    count(*) FILTER (WHERE e.status <> 'cancelled' AND NOT (e.closed_at IS NULL AND e.status IN ('closed', 'rated')) AND (e.closed_at IS NULL OR e.closed_at >= LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP))) AND e.close_due_at < LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP))) AS open_overdue,
    count(*) FILTER (WHERE e.status <> 'cancelled' AND (e.closed_at < LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) OR (e.closed_at IS NULL AND e.status IN ('closed', 'rated'))) AND e.satisfaction IS NOT NULL) AS rated,
    count(*) FILTER (WHERE e.status <> 'cancelled' AND (e.closed_at < LEAST(CAST(:end AS TIMESTAMP), CAST(:now AS TIMESTAMP)) OR (e.closed_at IS NULL AND e.status IN ('closed', 'rated'))) AND e.satisfaction >= 4) AS satisfied
