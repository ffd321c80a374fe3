-- Change a dashboard user's e-mail, name, role and streets (data/users.py validates them).
UPDATE users
SET email = CAST(:email AS VARCHAR), display_name = CAST(:display_name AS VARCHAR),
    role = CAST(:role AS VARCHAR), streets = CAST(:streets AS VARCHAR), updated_at = CAST(:now AS TIMESTAMP)
WHERE subject = CAST(:subject AS VARCHAR)
