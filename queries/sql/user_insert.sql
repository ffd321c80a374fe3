-- Add a dashboard user (data/users.py validates every value first).
INSERT INTO users (subject, email, display_name, role, streets, created_at, updated_at)
VALUES (CAST(:subject AS VARCHAR), CAST(:email AS VARCHAR), CAST(:display_name AS VARCHAR),
        CAST(:role AS VARCHAR), CAST(:streets AS VARCHAR), CAST(:now AS TIMESTAMP), CAST(:now AS TIMESTAMP))
