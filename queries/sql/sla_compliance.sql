-- SLA compliance per category: every category with its SLA hours (sla_response_h,
-- sla_close_h, as stored now, so an edit shows at once) and, for the filtered events as of
-- LEAST(:end, :now), the counts and rates of the chain_counts / chain_rates fragments:
--   response_on_time_rate = responded within sla_response_h / (responded + open past the
--                           response deadline, not responded and not closed)
--   on_time_rate          = closed within sla_close_h / (closed with a close time + open
--                           past the close deadline) (按期处置率)
-- Cancelled events (closed without a resolution) are in events and cancelled only; events
-- closed without a close time (closed_untimed) count as closed, never on time or overdue.
-- Deadlines are the events' stored respond_due_at / close_due_at (reported_at + the SLA,
-- refreshed by refresh_event_deadlines after an SLA edit). A stage time exactly at the
-- deadline is on time. Categories without events show zeros and NULL rates.
WITH f AS (
    {{chain_events}}
),
g AS (
    SELECT category, {{chain_counts}}
    FROM f
    GROUP BY category
),
n AS (
    SELECT c.code, c.name_zh, c.name_en, c.department, c.sla_response_h, c.sla_close_h,
           COALESCE(g.events, 0) AS events,
           COALESCE(g.cancelled, 0) AS cancelled,
           COALESCE(g.closed_untimed, 0) AS closed_untimed,
           COALESCE(g.responded, 0) AS responded,
           COALESCE(g.responded_on_time, 0) AS responded_on_time,
           COALESCE(g.response_overdue, 0) AS response_overdue,
           COALESCE(g.closed, 0) AS closed,
           COALESCE(g.closed_on_time, 0) AS closed_on_time,
           COALESCE(g.open_overdue, 0) AS open_overdue,
           COALESCE(g.reopened_cases, 0) AS reopened_cases,
           COALESCE(g.rated, 0) AS rated,
           COALESCE(g.satisfied, 0) AS satisfied,
           g.median_close_h
    FROM categories c
    LEFT JOIN g ON g.category = c.code
)
SELECT n.*, {{chain_rates}}
FROM n
ORDER BY n.code
