-- Published layer: every category with its category group (its default department) and the
-- names of both, for pub_groups.
SELECT c.code, c.name_zh, c.name_en, c.department,
       d.name_zh AS department_zh, d.name_en AS department_en
FROM categories c
LEFT JOIN departments d ON d.code = c.department
ORDER BY c.code
