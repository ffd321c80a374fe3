(CAST(:end AS DATE) - r.day - 1) / CAST(:slice_days AS INTEGER)
