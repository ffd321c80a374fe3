-- The audit trail, newest first (by time, then by seq): rows with :since <= at < :until, by :actor, of :action
-- (each filter applies when not null), :limit rows after skipping :offset (paging).
SELECT seq, "at", actor, role, action, page, details
FROM audit_log
{{audit_filter}}
ORDER BY "at" DESC, seq DESC
LIMIT :limit OFFSET :offset
