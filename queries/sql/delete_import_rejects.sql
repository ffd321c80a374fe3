-- Statement: delete the rejected rows of import batch :batch_id (before a re-run of the same
-- file completes an interrupted batch, which writes them again).
DELETE FROM import_rejects
WHERE batch_id = :batch_id
