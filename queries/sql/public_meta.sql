-- The published layer's facts (pub_meta): through_date, published_at, lag_days, min_count,
-- rounding_base, max_res, district_zh/en, latest_month, latest_week; one row per key.
SELECT key, value
FROM pub_meta
ORDER BY key
