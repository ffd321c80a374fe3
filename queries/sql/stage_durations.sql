-- Stage durations (hours) of the filtered events per :by ('department' | 'category' |
-- 'source'), as of LEAST(:end, :now): for each step the number of events timed, the median
-- and the 90th percentile (linear interpolation). A step is timed only when both of its
-- stage times exist and the later one is before the as-of time, so an event without a
-- dispatch time is not in the dispatch or respond steps. Steps: register (reported ->
-- registered), dispatch (registered -> dispatched), respond (dispatched -> responded),
-- resolve (responded -> resolved), verify (resolved -> verified), close (verified ->
-- closed); and the totals to_respond (reported -> responded, the response SLA's span) and
-- to_close (reported -> closed, the close SLA's span). name_zh/name_en: the department's
-- or category's names (NULL for sources).
WITH f AS (
    {{chain_events}}
),
d AS (
    SELECT
        CASE CAST(:by AS VARCHAR) WHEN 'department' THEN department
                                  WHEN 'category' THEN category
                                  ELSE source END AS group_key,
        CASE WHEN registered_at < as_of THEN EXTRACT(EPOCH FROM (registered_at - reported_at)) / 3600.0 END AS register_h,
        CASE WHEN dispatched_at < as_of THEN EXTRACT(EPOCH FROM (dispatched_at - registered_at)) / 3600.0 END AS dispatch_h,
        CASE WHEN responded_at < as_of THEN EXTRACT(EPOCH FROM (responded_at - dispatched_at)) / 3600.0 END AS respond_h,
        CASE WHEN resolved_at < as_of THEN EXTRACT(EPOCH FROM (resolved_at - responded_at)) / 3600.0 END AS resolve_h,
        CASE WHEN verified_at < as_of THEN EXTRACT(EPOCH FROM (verified_at - resolved_at)) / 3600.0 END AS verify_h,
        CASE WHEN closed_at < as_of THEN EXTRACT(EPOCH FROM (closed_at - verified_at)) / 3600.0 END AS close_h,
        CASE WHEN responded_at < as_of THEN EXTRACT(EPOCH FROM (responded_at - reported_at)) / 3600.0 END AS to_respond_h,
        CASE WHEN closed_at < as_of THEN EXTRACT(EPOCH FROM (closed_at - reported_at)) / 3600.0 END AS to_close_h
    FROM f
),
g AS (
    SELECT group_key, count(*) AS events,
        count(register_h) AS register_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY register_h) AS register_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY register_h) AS register_p90,
        count(dispatch_h) AS dispatch_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY dispatch_h) AS dispatch_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY dispatch_h) AS dispatch_p90,
        count(respond_h) AS respond_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY respond_h) AS respond_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY respond_h) AS respond_p90,
        count(resolve_h) AS resolve_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY resolve_h) AS resolve_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve_h) AS resolve_p90,
        count(verify_h) AS verify_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY verify_h) AS verify_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY verify_h) AS verify_p90,
        count(close_h) AS close_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY close_h) AS close_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY close_h) AS close_p90,
        count(to_respond_h) AS to_respond_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY to_respond_h) AS to_respond_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY to_respond_h) AS to_respond_p90,
        count(to_close_h) AS to_close_n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY to_close_h) AS to_close_p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY to_close_h) AS to_close_p90
    FROM d
    GROUP BY group_key
)
SELECT g.*, COALESCE(dp.name_zh, ct.name_zh) AS name_zh, COALESCE(dp.name_en, ct.name_en) AS name_en
FROM g
LEFT JOIN departments dp ON CAST(:by AS VARCHAR) = 'department' AND dp.code = g.group_key
LEFT JOIN categories ct ON CAST(:by AS VARCHAR) = 'category' AND ct.code = g.group_key
ORDER BY g.events DESC, g.group_key
