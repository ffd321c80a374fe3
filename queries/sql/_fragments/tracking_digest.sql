sha256(:opad || unhex(sha256(:ipad || encode(c.event_id) || '\x1f'::BLOB || encode(c.code))))
