-- Every category with its names, default department and SLA hours.
SELECT code, name_zh, name_en, department, sla_response_h, sla_close_h
FROM categories
ORDER BY code
