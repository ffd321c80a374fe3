(CAST(:categories AS VARCHAR[]) IS NULL OR r.category = ANY(CAST(:categories AS VARCHAR[])))
  AND (CAST(:sources AS VARCHAR[]) IS NULL OR r.source = ANY(CAST(:sources AS VARCHAR[])))
  AND (CAST(:departments AS VARCHAR[]) IS NULL OR r.department = ANY(CAST(:departments AS VARCHAR[])))
