count(*) AS events,
count(*) FILTER (WHERE cancelled) AS cancelled,
count(*) FILTER (WHERE NOT cancelled AND (closed_at < as_of OR closed_untimed)) AS closed,
count(*) FILTER (WHERE closed_untimed) AS closed_untimed,
count(*) FILTER (WHERE NOT cancelled AND closed_at < as_of AND closed_at <= close_deadline) AS closed_on_time,
count(*) FILTER (WHERE NOT cancelled AND NOT closed_untimed AND (closed_at IS NULL OR closed_at >= as_of)
                 AND close_deadline < as_of) AS open_overdue,
count(*) FILTER (WHERE NOT cancelled AND responded_at < as_of) AS responded,
count(*) FILTER (WHERE NOT cancelled AND responded_at < as_of AND responded_at <= response_deadline) AS responded_on_time,
count(*) FILTER (WHERE NOT cancelled AND NOT closed_untimed
                 AND (responded_at IS NULL OR responded_at >= as_of)
                 AND (closed_at IS NULL OR closed_at >= as_of)
                 AND response_deadline < as_of) AS response_overdue,
count(*) FILTER (WHERE NOT cancelled AND (closed_at < as_of OR closed_untimed) AND reopened) AS reopened_cases,
count(*) FILTER (WHERE NOT cancelled AND (closed_at < as_of OR closed_untimed) AND satisfaction IS NOT NULL) AS rated,
count(*) FILTER (WHERE NOT cancelled AND (closed_at < as_of OR closed_untimed) AND satisfaction >= 4) AS satisfied,
percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN closed_at < as_of AND NOT cancelled
    THEN CAST(floor(EXTRACT(EPOCH FROM closed_at) - EXTRACT(EPOCH FROM reported_at)) AS INTEGER) END) / 3600.0
    AS median_close_h
