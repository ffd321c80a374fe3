e.reported_at >= :start AND e.reported_at < :end
  AND (CAST(:categories AS VARCHAR[]) IS NULL OR e.category = ANY(CAST(:categories AS VARCHAR[])))
  AND (CAST(:sources AS VARCHAR[]) IS NULL OR e.source = ANY(CAST(:sources AS VARCHAR[])))
  AND (CAST(:departments AS VARCHAR[]) IS NULL OR e.department = ANY(CAST(:departments AS VARCHAR[])))
  AND (CAST(:street_ids AS VARCHAR[]) IS NULL OR e.street_id = ANY(CAST(:street_ids AS VARCHAR[])))
  AND (CAST(:community_ids AS VARCHAR[]) IS NULL OR e.community_id = ANY(CAST(:community_ids AS VARCHAR[])))
  AND (CAST(:grid_ids AS VARCHAR[]) IS NULL OR e.grid_id = ANY(CAST(:grid_ids AS VARCHAR[])))
