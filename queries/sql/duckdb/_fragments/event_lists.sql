-- DuckDB: list_contains scans a list parameter ~2x faster than = ANY(...); same answers.
(CAST(:categories AS VARCHAR[]) IS NULL OR list_contains(CAST(:categories AS VARCHAR[]), e.category))
  AND (CAST(:sources AS VARCHAR[]) IS NULL OR list_contains(CAST(:sources AS VARCHAR[]), e.source))
  AND (CAST(:departments AS VARCHAR[]) IS NULL OR list_contains(CAST(:departments AS VARCHAR[]), e.department))
  AND (CAST(:street_ids AS VARCHAR[]) IS NULL OR list_contains(CAST(:street_ids AS VARCHAR[]), e.street_id))
  AND (CAST(:community_ids AS VARCHAR[]) IS NULL OR list_contains(CAST(:community_ids AS VARCHAR[]), e.community_id))
  AND (CAST(:grid_ids AS VARCHAR[]) IS NULL OR list_contains(CAST(:grid_ids AS VARCHAR[]), e.grid_id))
