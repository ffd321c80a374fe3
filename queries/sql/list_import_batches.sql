-- Import batches, newest first, at most :limit; each filter applies when not null: :kind
-- (events, readings, areas), :sha256 (the file's content hash), :batch_id.
SELECT batch_id, kind, file_name, file_size, file_sha256, state, started_at, updated_at,
       finished_at, chunks, rows_read, rows_stored, rows_rejected, attempts, pid, host, error
FROM import_batches
WHERE (CAST(:kind AS VARCHAR) IS NULL OR kind = CAST(:kind AS VARCHAR))
  AND (CAST(:sha256 AS VARCHAR) IS NULL OR file_sha256 = CAST(:sha256 AS VARCHAR))
  AND (CAST(:batch_id AS VARCHAR) IS NULL OR batch_id = CAST(:batch_id AS VARCHAR))
ORDER BY started_at DESC, batch_id DESC
LIMIT :limit
