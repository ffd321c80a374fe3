-- Sources compared (patrol, hotline, app, sensor, video) for the filtered events, as of
-- LEAST(:end, :now): events and share of all filtered events, median hours from report to
-- response and to closure (whole seconds, as in stage_durations), and the chain rates
-- (chain_counts / chain_rates fragments).
WITH f AS (
    {{chain_events}}
),
g AS (
    SELECT source, {{chain_counts}},
           percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN responded_at < as_of
               THEN CAST(floor(EXTRACT(EPOCH FROM responded_at) - EXTRACT(EPOCH FROM reported_at)) AS INTEGER)
               END) / 3600.0 AS median_respond_h
    FROM f
    GROUP BY source
)
SELECT g.source, g.events,
       CAST(g.events AS DOUBLE PRECISION) / sum(g.events) OVER () AS share,
       g.median_respond_h, g.median_close_h,
       g.cancelled, g.closed, g.closed_untimed, g.closed_on_time, g.open_overdue, g.responded, g.responded_on_time,
       g.response_overdue, g.reopened_cases, g.rated, g.satisfied,
       {{chain_rates}}
FROM g
ORDER BY g.events DESC, g.source
