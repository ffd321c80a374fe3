-- The user a signed-in person is (dashboard/auth/identity.py): the row whose subject is :subject,
-- else a row added by e-mail and not yet signed in to (its subject is still its e-mail, lower
-- case) whose e-mail equals :email case-folded (NULL: subject only). A row that already has a
-- provider's subject is never matched by e-mail: another account with that address cannot take it.
SELECT subject, email, display_name, role, streets, created_at, updated_at
FROM users
WHERE subject = CAST(:subject AS VARCHAR)
   OR (CAST(:email AS VARCHAR) IS NOT NULL
       AND subject = lower(CAST(:email AS VARCHAR)) AND lower(email) = lower(CAST(:email AS VARCHAR)))
ORDER BY CASE WHEN subject = CAST(:subject AS VARCHAR) THEN 0 ELSE 1 END, subject
