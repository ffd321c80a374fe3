-- Remove a dashboard user (their next page load shows "no access").
DELETE FROM users WHERE subject = CAST(:subject AS VARCHAR)
