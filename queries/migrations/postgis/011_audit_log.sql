-- audit_log: who did what and when (全程留痕): page views, exports with their filters, SLA
-- changes with old and new values, import batches, user changes, sign-ins (data/audit.py).
-- Append-only:
-- * the dashboard's role gridscope_reader has SELECT (migration 003's default privileges) and
--   EXECUTE on audit_append() below, a SECURITY DEFINER function that only inserts; it holds
--   no INSERT, UPDATE, DELETE or TRUNCATE grant on the table;
-- * a trigger refuses UPDATE, DELETE and TRUNCATE for every role, the owner included (only
--   the owner or a superuser could drop the trigger: schema changes are migrations).
-- The CHECKs hold what data/audit.py validates, so a caller of the function that skips it
-- cannot store an empty actor, a malformed action or oversized details.
CREATE TABLE IF NOT EXISTS audit_log (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "at" timestamp NOT NULL,
    actor text COLLATE "C" NOT NULL CHECK (actor <> '' AND length(actor) <= 200),
    role text COLLATE "C" CHECK (length(role) <= 40),
    action text COLLATE "C" NOT NULL CHECK (action ~ '^[a-z_]{1,40}$'),
    page text COLLATE "C" CHECK (length(page) <= 200),
    details text COLLATE "C" CHECK (length(details) <= 16384));
CREATE INDEX IF NOT EXISTS audit_log_at_idx ON audit_log ("at");
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON audit_log (actor, "at");
GRANT SELECT ON audit_log TO gridscope_reader;

CREATE OR REPLACE FUNCTION audit_append(
    p_at timestamp, p_actor text, p_role text, p_action text, p_page text, p_details text)
RETURNS bigint
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    INSERT INTO public.audit_log ("at", actor, role, action, page, details)
    VALUES (p_at, p_actor, p_role, p_action, p_page, p_details)
    RETURNING seq
$$;
-- Functions are executable by PUBLIC by default: only the dashboard's role may append.
REVOKE ALL ON FUNCTION audit_append(timestamp, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append(timestamp, text, text, text, text, text) TO gridscope_reader;

CREATE OR REPLACE FUNCTION audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
