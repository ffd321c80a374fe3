-- Statement: recompute the stored SLA deadlines (respond_due_at, close_due_at) of events of
-- category :category (NULL = every category) from the categories table; only rows whose
-- deadline changed are written. Run after bulk loads, imports and SLA edits.
UPDATE events
SET respond_due_at = events.reported_at + c.sla_response_h * INTERVAL '1 hour',
    close_due_at = events.reported_at + c.sla_close_h * INTERVAL '1 hour'
FROM categories c
WHERE c.code = events.category
  AND (CAST(:category AS VARCHAR) IS NULL OR events.category = CAST(:category AS VARCHAR))
  AND (events.close_due_at IS NULL
       OR events.respond_due_at IS NULL
       OR events.close_due_at <> events.reported_at + c.sla_close_h * INTERVAL '1 hour'
       OR events.respond_due_at <> events.reported_at + c.sla_response_h * INTERVAL '1 hour')
