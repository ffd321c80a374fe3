-- Stored SLA deadlines (see data/contracts.py DEADLINE_COLUMNS): respond_due_at and
-- close_due_at = reported_at + the category's SLA, kept current by the named statement
-- refresh_event_deadlines after loads, imports and SLA edits.
ALTER TABLE events ADD COLUMN IF NOT EXISTS respond_due_at timestamp;
ALTER TABLE events ADD COLUMN IF NOT EXISTS close_due_at timestamp;
UPDATE events e
SET respond_due_at = e.reported_at + c.sla_response_h * INTERVAL '1 hour',
    close_due_at = e.reported_at + c.sla_close_h * INTERVAL '1 hour'
FROM categories c
WHERE c.code = e.category;
