CASE CAST(:level AS VARCHAR)
               WHEN 'street' THEN r.street_id
               WHEN 'community' THEN r.community_id
               ELSE r.grid_id END
