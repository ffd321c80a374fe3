CASE e.status WHEN 'cancelled' THEN 1
              WHEN 'closed' THEN CASE WHEN e.closed_at IS NULL THEN 2 ELSE 0 END
              WHEN 'rated' THEN CASE WHEN e.closed_at IS NULL THEN 2 ELSE 0 END
              ELSE 0 END
