lpad(CAST(CAST('0x' || left(sha256(:code_opad || unhex(sha256(:code_ipad || encode(e.event_id)))), 12)
               AS BIGINT) % 1000000 AS VARCHAR), 6, '0')
