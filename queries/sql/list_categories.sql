-- Every category with its names, default department, SLA hours and whether those hours are
-- the defaults an events import assumed (sla_assumed).
SELECT code, name_zh, name_en, department, sla_response_h, sla_close_h, sla_assumed
FROM categories
ORDER BY code
