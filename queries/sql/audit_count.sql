-- How many audit rows audit_list's filters match (:since <= at < :until, :actor, :action;
-- each when not null), for paging.
SELECT count(*) AS n
FROM audit_log
{{audit_filter}}
