-- Every dashboard user (data/users.py), by subject.
SELECT subject, email, display_name, role, streets, created_at, updated_at
FROM users
ORDER BY subject
