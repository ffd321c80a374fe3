-- Everyone who appears in the audit trail, with their rows and latest time (the page's actor filter).
SELECT actor, count(*) AS n, max("at") AS last_at
FROM audit_log
GROUP BY actor
ORDER BY actor
