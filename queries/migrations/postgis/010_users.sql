-- users (issue 10, data/users.py; DuckDB: queries/schema/duckdb.sql): who may use the
-- dashboard. A signed-in person is matched on the OIDC subject, then on the e-mail (case
-- folded); role: leader | analyst | supervisor | admin; streets: comma-separated street
-- area_ids, empty = the whole district. Managed with `gridscope users` on the admin DSN (or
-- the dashboard's writer connection); the dashboard's reader role may only read it.
CREATE TABLE IF NOT EXISTS users (
    subject text COLLATE "C" PRIMARY KEY,
    email text COLLATE "C",
    display_name text COLLATE "C",
    role text COLLATE "C" NOT NULL CHECK (role IN ('leader', 'analyst', 'supervisor', 'admin')),
    streets text COLLATE "C" NOT NULL DEFAULT '',
    created_at timestamp,
    updated_at timestamp);
CREATE INDEX IF NOT EXISTS users_email_idx ON users (lower(email));
REVOKE ALL ON users FROM gridscope_reader;
GRANT SELECT ON users TO gridscope_reader;
