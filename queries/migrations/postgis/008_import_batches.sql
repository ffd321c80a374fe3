-- import_batches: the state of every import (data/batches.py), so an import that was killed
-- part-way leaves a trace: which file, how many chunks and rows it had committed, and that
-- it never finished. Each chunk's rows, its rejects and this row's counts commit together.
-- state: running | finished | stopped (the file could not be read further; what was read is
-- kept) | failed (an error; re-running the same file completes the batch). A batch still
-- "running" whose process is gone was interrupted (kill -9, power loss).
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id text COLLATE "C" PRIMARY KEY,
    kind text COLLATE "C" NOT NULL,
    file_name text COLLATE "C" NOT NULL,
    file_size bigint,
    file_sha256 text COLLATE "C",
    state text COLLATE "C" NOT NULL,
    started_at timestamp NOT NULL,
    updated_at timestamp NOT NULL,
    finished_at timestamp,
    chunks bigint NOT NULL DEFAULT 0,
    rows_read bigint NOT NULL DEFAULT 0,
    rows_stored bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 1,
    pid integer,
    host text COLLATE "C",
    error text COLLATE "C");
CREATE INDEX IF NOT EXISTS import_batches_file_idx ON import_batches (file_sha256, kind);
GRANT SELECT ON import_batches TO gridscope_reader;
