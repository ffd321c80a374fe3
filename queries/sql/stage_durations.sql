-- Stage durations (hours) of the filtered events per :by ('department' | 'category' |
-- 'source'), as of LEAST(:end, :now): for each step the number of events timed, the median
-- and the 90th percentile (linear interpolation, as numpy's default). A step is timed only
-- when both of its stage times exist and the later one is before the as-of time, so an
-- event without a dispatch time is not in the dispatch or respond steps. Durations are
-- whole seconds (floor), so the percentiles sort integers (3x faster than doubles) and
-- both quantiles of a step come from one sort. Steps: register (reported -> registered),
-- dispatch (registered -> dispatched), respond (dispatched -> responded), resolve
-- (responded -> resolved), verify (resolved -> verified), close (verified -> closed); and
-- the totals to_respond (reported -> responded, the response SLA's span) and to_close
-- (reported -> closed, the close SLA's span); a cancelled event's close time ends no
-- resolution, so it is in neither close step. name_zh/name_en: the department's or
-- category's names (NULL for sources).
WITH f AS (
    {{chain_events}}
),
d AS (
    SELECT
        CASE CAST(:by AS VARCHAR) WHEN 'department' THEN department
                                  WHEN 'category' THEN category
                                  ELSE source END AS group_key,
        CASE WHEN registered_at < as_of THEN CAST(floor(EXTRACT(EPOCH FROM registered_at) - EXTRACT(EPOCH FROM reported_at)) AS INTEGER) END AS register_s,
        CASE WHEN dispatched_at < as_of THEN CAST(floor(EXTRACT(EPOCH FROM dispatched_at) - EXTRACT(EPOCH FROM registered_at)) AS INTEGER) END AS dispatch_s,
        CASE WHEN responded_at < as_of THEN CAST(floor(EXTRACT(EPOCH FROM responded_at) - EXTRACT(EPOCH FROM dispatched_at)) AS INTEGER) END AS respond_s,
        CASE WHEN resolved_at < as_of THEN CAST(floor(EXTRACT(EPOCH FROM resolved_at) - EXTRACT(EPOCH FROM responded_at)) AS INTEGER) END AS resolve_s,
        CASE WHEN verified_at < as_of THEN CAST(floor(EXTRACT(EPOCH FROM verified_at) - EXTRACT(EPOCH FROM resolved_at)) AS INTEGER) END AS verify_s,
        CASE WHEN closed_at < as_of AND NOT cancelled THEN CAST(floor(EXTRACT(EPOCH FROM closed_at) - EXTRACT(EPOCH FROM verified_at)) AS INTEGER) END AS close_s,
        CASE WHEN responded_at < as_of THEN CAST(floor(EXTRACT(EPOCH FROM responded_at) - EXTRACT(EPOCH FROM reported_at)) AS INTEGER) END AS to_respond_s,
        CASE WHEN closed_at < as_of AND NOT cancelled THEN CAST(floor(EXTRACT(EPOCH FROM closed_at) - EXTRACT(EPOCH FROM reported_at)) AS INTEGER) END AS to_close_s
    FROM f
),
g AS (
    SELECT group_key, count(*) AS events,
        count(register_s) AS register_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY register_s) AS register_q,
        count(dispatch_s) AS dispatch_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY dispatch_s) AS dispatch_q,
        count(respond_s) AS respond_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY respond_s) AS respond_q,
        count(resolve_s) AS resolve_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolve_s) AS resolve_q,
        count(verify_s) AS verify_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY verify_s) AS verify_q,
        count(close_s) AS close_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY close_s) AS close_q,
        count(to_respond_s) AS to_respond_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY to_respond_s) AS to_respond_q,
        count(to_close_s) AS to_close_n,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY to_close_s) AS to_close_q
    FROM d
    GROUP BY group_key
)
SELECT g.group_key, g.events,
       g.register_n, g.register_q[1] / 3600.0 AS register_p50, g.register_q[2] / 3600.0 AS register_p90,
       g.dispatch_n, g.dispatch_q[1] / 3600.0 AS dispatch_p50, g.dispatch_q[2] / 3600.0 AS dispatch_p90,
       g.respond_n, g.respond_q[1] / 3600.0 AS respond_p50, g.respond_q[2] / 3600.0 AS respond_p90,
       g.resolve_n, g.resolve_q[1] / 3600.0 AS resolve_p50, g.resolve_q[2] / 3600.0 AS resolve_p90,
       g.verify_n, g.verify_q[1] / 3600.0 AS verify_p50, g.verify_q[2] / 3600.0 AS verify_p90,
       g.close_n, g.close_q[1] / 3600.0 AS close_p50, g.close_q[2] / 3600.0 AS close_p90,
       g.to_respond_n, g.to_respond_q[1] / 3600.0 AS to_respond_p50, g.to_respond_q[2] / 3600.0 AS to_respond_p90,
       g.to_close_n, g.to_close_q[1] / 3600.0 AS to_close_p50, g.to_close_q[2] / 3600.0 AS to_close_p90,
       COALESCE(dp.name_zh, ct.name_zh) AS name_zh, COALESCE(dp.name_en, ct.name_en) AS name_en
FROM g
LEFT JOIN departments dp ON CAST(:by AS VARCHAR) = 'department' AND dp.code = g.group_key
LEFT JOIN categories ct ON CAST(:by AS VARCHAR) = 'category' AND ct.code = g.group_key
ORDER BY g.events DESC, g.group_key
