(CAST(:kind AS VARCHAR) IS NULL OR s.kind = CAST(:kind AS VARCHAR))
  AND (CAST(:street_ids AS VARCHAR[]) IS NULL OR s.grid_id IN (
        SELECT g.area_id FROM areas g JOIN areas cm ON cm.area_id = g.parent_id
        WHERE g.level = 'grid' AND cm.parent_id = ANY(CAST(:street_ids AS VARCHAR[]))))
