e.closed_at IS NULL AND e.status NOT IN ('cancelled', 'closed', 'rated')
      AND e.close_due_at < CAST(:now AS TIMESTAMP)
