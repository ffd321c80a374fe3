SELECT date_trunc(CAST(:grain AS VARCHAR), e.reported_at) AS period_start,
             COALESCE(e.category = ANY(CAST(:sensitive AS VARCHAR[])), FALSE) AS sens,
             CASE WHEN COALESCE(e.category = ANY(CAST(:sensitive AS VARCHAR[])), FALSE) THEN e.category
                  ELSE COALESCE(c.department, '') END AS grp,
             e.street_id, e.community_id, h3_parent(e.h3, CAST(:res AS INTEGER)) AS cell, e.source,
             e.reported_at, e.closed_at, e.close_due_at, e.satisfaction, {{event_outcome}} AS outcome,
             LEAST(date_trunc(CAST(:grain AS VARCHAR), e.reported_at) + CAST(:step AS INTERVAL),
                   CAST(:through_end AS TIMESTAMP)) AS as_of
      FROM events e
      LEFT JOIN categories c ON c.code = e.category
      WHERE e.reported_at >= :start AND e.reported_at < :through_end
