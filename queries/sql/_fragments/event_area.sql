CASE CAST(:level AS VARCHAR)
            WHEN 'street' THEN e.street_id
            WHEN 'community' THEN e.community_id
            ELSE e.grid_id END
