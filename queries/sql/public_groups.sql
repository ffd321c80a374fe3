-- Published category groups and sources with their names and whether they are sensitive
-- (published only at street level or not at all).
SELECT kind, code, name_zh, name_en, sensitive
FROM pub_groups
ORDER BY kind, code
