-- Statement: append one row to the audit trail (data/audit.py validates every value first).
-- The only statement on audit_log that writes: no named query updates or deletes it.
INSERT INTO audit_log ("at", actor, role, action, page, details)
VALUES (CAST(:at AS TIMESTAMP), CAST(:actor AS VARCHAR), CAST(:role AS VARCHAR), CAST(:action AS VARCHAR),
        CAST(:page AS VARCHAR), CAST(:details AS VARCHAR))
