CAST(FLOOR(EXTRACT(EPOCH FROM (CAST(:end AS TIMESTAMP) - e.reported_at)) / (86400.0 * :slice_days)) AS INTEGER)
