-- The user a signed-in person is (data/users.py): the row whose subject is :subject, else
-- the row whose e-mail equals :email case-folded (NULL: subject only); the subject match first.
SELECT subject, email, display_name, role, streets, created_at, updated_at
FROM users
WHERE subject = CAST(:subject AS VARCHAR)
   OR (CAST(:email AS VARCHAR) IS NOT NULL AND lower(email) = lower(CAST(:email AS VARCHAR)))
ORDER BY CASE WHEN subject = CAST(:subject AS VARCHAR) THEN 0 ELSE 1 END, subject
