-- The read-only dashboard role. Roles are cluster-wide, so the role may already exist
-- (another GridScope database on the same server): create it once, tolerate a race.
-- LOGIN without a password: on a server with password auth, the administrator sets one
-- (`gridscope db init --reader-password ...` or ALTER ROLE). Read-only by default
-- transaction mode as a second fence behind the SELECT-only grants. The role settings are
-- made only by the session that creates the role (concurrent ALTER ROLE on one role can
-- fail with "tuple concurrently updated" when several databases are initialised at once).
DO $$
BEGIN
    CREATE ROLE gridscope_reader LOGIN;
    ALTER ROLE gridscope_reader SET default_transaction_read_only = on;
    ALTER ROLE gridscope_reader SET statement_timeout = '60s';
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO gridscope_reader', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO gridscope_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO gridscope_reader;
-- Tables and views created later by the role that runs the migrations are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO gridscope_reader;
