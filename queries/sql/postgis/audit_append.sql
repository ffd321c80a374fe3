-- Statement: append one row to the audit trail through migration 011's SECURITY DEFINER
-- function, the one write the reader role may make (queries/postgis_store.py READER_APPENDS).
SELECT audit_append(CAST(:at AS timestamp), CAST(:actor AS text), CAST(:role AS text), CAST(:action AS text),
                    CAST(:page AS text), CAST(:details AS text))
