encode(sha256(CAST(:opad AS BYTEA) || sha256(CAST(:ipad AS BYTEA) || convert_to(c.event_id, 'UTF8') || '\x1f'::BYTEA || convert_to(c.code, 'UTF8'))), 'hex')
