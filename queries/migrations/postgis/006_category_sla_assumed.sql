-- categories.sla_assumed (data/contracts.py): the SLA hours are the defaults (2 h / 24 h) an
-- events import gave a category it created, not hours the district set. Categories that an
-- earlier events import created (its report in meta 'import:<batch>' lists them under
-- new_categories) and whose SLA still has the default hours are marked now; a categories
-- import or an SLA edit clears the flag. A meta value that is not such a JSON report is skipped.
ALTER TABLE categories ADD COLUMN IF NOT EXISTS sla_assumed boolean NOT NULL DEFAULT false;

DO $$
DECLARE
    m record;
    doc jsonb;
BEGIN
    FOR m IN SELECT value FROM meta WHERE key LIKE 'import:%' LOOP
        BEGIN
            doc := CAST(m.value AS jsonb);
        EXCEPTION WHEN others THEN
            CONTINUE;
        END;
        IF jsonb_typeof(doc) = 'object' AND jsonb_typeof(doc -> 'new_categories') = 'array' THEN
            UPDATE categories SET sla_assumed = true
            WHERE sla_response_h = 2 AND sla_close_h = 24
              AND code IN (SELECT jsonb_array_elements_text(doc -> 'new_categories'));
        END IF;
    END LOOP;
END $$;
