-- event_rollup (migration 005) gains the column outcome, so the PostGIS overrides of
-- kpi_summary and street_ranking count events closed without a resolution and closures
-- without a time as the portable queries do (README "Definitions"):
--   'cancelled'  status 'cancelled' (cancelled, duplicate, referred out): in events only
--   'untimed'    status closed or rated without closed_at: closed, when is unknown
--   'timed'      every other event (closed, on time and overdue judged by its times)
-- n_on_time counts only 'timed' closures within the deadline. The view is rebuilt with its
-- data (current as of this migration; the staleness check of 005 is unchanged).
DROP MATERIALIZED VIEW IF EXISTS event_rollup;

CREATE MATERIALIZED VIEW event_rollup AS
SELECT CAST(reported_at AS date) AS day,
       category, source, department, street_id,
       CAST(closed_at AS date) AS close_day,
       CAST(close_due_at AS date) AS due_day,
       CASE WHEN status = 'cancelled' THEN 'cancelled'
            WHEN closed_at IS NULL AND status IN ('closed', 'rated') THEN 'untimed'
            ELSE 'timed' END AS outcome,
       count(*) AS n,
       count(*) FILTER (WHERE status <> 'cancelled' AND closed_at <= close_due_at) AS n_on_time,
       count(satisfaction) AS n_rated,
       count(*) FILTER (WHERE satisfaction >= 4) AS n_satisfied
FROM events
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE INDEX event_rollup_day_idx ON event_rollup (day);

GRANT SELECT ON event_rollup TO gridscope_reader;
