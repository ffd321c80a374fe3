-- Every department with its names.
SELECT code, name_zh, name_en FROM departments ORDER BY code
