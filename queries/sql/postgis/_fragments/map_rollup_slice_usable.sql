{{map_rollup_usable}}
           AND CAST(:slice_days AS NUMERIC) >= 1 AND CAST(:slice_days AS NUMERIC) = trunc(CAST(:slice_days AS NUMERIC))
