lpad(CAST(CAST(CAST('x' || left(encode(sha256(CAST(:code_opad AS BYTEA) || sha256(CAST(:code_ipad AS BYTEA) || convert_to(e.event_id, 'UTF8'))), 'hex'), 12)
               AS BIT(48)) AS BIGINT) % 1000000 AS VARCHAR), 6, '0')
