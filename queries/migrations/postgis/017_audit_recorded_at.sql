-- audit_log.recorded_at: when the server wrote the row, by its own clock. "at" is what the
-- caller of audit_append() says (the dashboard passes now; tests and imports of history pass
-- other times), so a holder of the reader's connection could backdate "at"; recorded_at it
-- cannot set: audit_append() does not take it and the reader cannot insert or update rows.
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS recorded_at timestamp NOT NULL DEFAULT localtimestamp;
