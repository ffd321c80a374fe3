-- Rejected rows of import batch :batch_id in row order, at most :limit (reason, raw content).
SELECT row_number, reason, raw
FROM import_rejects
WHERE batch_id = :batch_id
ORDER BY row_number
LIMIT :limit
