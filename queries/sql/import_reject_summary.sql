-- Rejected rows of import batch :batch_id: count per reason head (text before ': ') and an example row.
SELECT split_part(reason, ': ', 1) AS reason, count(*) AS n, min(row_number) AS first_row
FROM import_rejects
WHERE batch_id = :batch_id
GROUP BY 1
ORDER BY n DESC, reason
