CROSS JOIN LATERAL (
        VALUES ((CAST(:end AS DATE) - CAST(e.reported_at AS DATE) - 1) / CAST(:slice_days AS INTEGER), -1),
               ({{event_age_slice}}, 1)
    ) AS m (age_slice, n)
    WHERE (SELECT rollup FROM flags)
      AND e.reported_at = ANY(ARRAY(SELECT generate_series(CAST(:start AS TIMESTAMP),
                                                           CAST(:end AS TIMESTAMP) - INTERVAL '1 day',
                                                           INTERVAL '1 day')))
      AND {{event_filter}}
