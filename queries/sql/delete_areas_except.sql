-- Statement: delete every area whose id is not in :keep (an import replacing the district's areas).
DELETE FROM areas
WHERE NOT (area_id = ANY(CAST(:keep AS VARCHAR[])))
