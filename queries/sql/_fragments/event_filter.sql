e.reported_at >= :start AND e.reported_at < :end
  AND {{event_lists}}
