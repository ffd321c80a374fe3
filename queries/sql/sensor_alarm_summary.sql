-- Alarms (as in sensor_alarms) in [:start, :end) per sensor kind, for sensors of :kind
-- (NULL = every kind) in the streets :street_ids (NULL = all): sensors that alarmed,
-- alarms, alarms that became events, the share that did, and for those events (the first
-- per alarm) the median hours to response and to closure as of :now and the share closed
-- within the category's close SLA among those closed or past it (cancelled events and
-- closures without a time counted as in kpi_summary).
WITH alarms AS (
    {{sensor_alarms}}
),
linked AS (
    {{alarm_links}}
),
j AS (
    SELECT l.*, l.close_due_at AS close_deadline, CAST(:now AS TIMESTAMP) AS as_of,
           COALESCE(l.status = 'cancelled', FALSE) AS cancelled,
           COALESCE(l.closed_at IS NULL AND l.status IN ('closed', 'rated'), FALSE) AS closed_untimed
    FROM linked l
    WHERE l.nth = 1
),
g AS (
    SELECT kind,
           count(DISTINCT sensor_id) AS sensors_alarmed,
           count(*) AS alarms,
           count(event_id) AS to_events,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN responded_at < as_of
               THEN EXTRACT(EPOCH FROM (responded_at - reported_at)) / 3600.0 END) AS median_respond_h,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN closed_at < as_of AND NOT cancelled
               THEN EXTRACT(EPOCH FROM (closed_at - reported_at)) / 3600.0 END) AS median_close_h,
           count(*) FILTER (WHERE NOT cancelled AND (closed_at < as_of OR closed_untimed)) AS closed,
           count(*) FILTER (WHERE closed_untimed) AS closed_untimed,
           count(*) FILTER (WHERE NOT cancelled AND closed_at < as_of AND closed_at <= close_deadline) AS closed_on_time,
           count(*) FILTER (WHERE event_id IS NOT NULL AND NOT cancelled AND NOT closed_untimed
                            AND (closed_at IS NULL OR closed_at >= as_of) AND close_deadline < as_of) AS open_overdue
    FROM j
    GROUP BY kind
)
SELECT g.kind, g.sensors_alarmed, g.alarms, g.to_events,
       CAST(g.to_events AS DOUBLE PRECISION) / g.alarms AS event_share,
       g.median_respond_h, g.median_close_h, g.closed, g.closed_on_time, g.open_overdue,
       CASE WHEN g.closed - g.closed_untimed + g.open_overdue > 0
            THEN CAST(g.closed_on_time AS DOUBLE PRECISION) / (g.closed - g.closed_untimed + g.open_overdue) END
            AS on_time_rate
FROM g
ORDER BY g.kind
