-- Areas of level :level ('street' | 'community' | 'grid') under :parent_id (NULL = every
-- area of the level) ranked like department_ranking for the filtered events, as of
-- LEAST(:end, :now). Every area of the level is listed, those without events with zero
-- counts and NULL rates; only areas with at least :min_events events get a rank.
WITH f AS (
    {{chain_events}}
),
g AS (
    SELECT CASE CAST(:level AS VARCHAR) WHEN 'street' THEN street_id
                                        WHEN 'community' THEN community_id
                                        ELSE grid_id END AS area_id,
           {{chain_counts}}
    FROM f
    GROUP BY 1
),
a AS (
    SELECT a.area_id, a.parent_id, a.name_zh, a.name_en, a.households,
           COALESCE(g.events, 0) AS events,
           COALESCE(g.cancelled, 0) AS cancelled,
           COALESCE(g.closed_untimed, 0) AS closed_untimed,
           COALESCE(g.closed, 0) AS closed,
           COALESCE(g.closed_on_time, 0) AS closed_on_time,
           COALESCE(g.open_overdue, 0) AS open_overdue,
           COALESCE(g.responded, 0) AS responded,
           COALESCE(g.responded_on_time, 0) AS responded_on_time,
           COALESCE(g.response_overdue, 0) AS response_overdue,
           COALESCE(g.reopened_cases, 0) AS reopened_cases,
           COALESCE(g.rated, 0) AS rated,
           COALESCE(g.satisfied, 0) AS satisfied,
           g.median_close_h
    FROM areas a
    LEFT JOIN g ON g.area_id = a.area_id
    WHERE a.level = :level
      AND (CAST(:parent_id AS VARCHAR) IS NULL OR a.parent_id = CAST(:parent_id AS VARCHAR))
),
r AS (
    SELECT a.*, {{chain_rates}}, a.events >= :min_events AS ranked
    FROM a
)
SELECT r.area_id, r.parent_id, r.name_zh, r.name_en, r.households,
       CASE WHEN r.ranked THEN rank() OVER (
           PARTITION BY r.ranked
           ORDER BY r.on_time_rate DESC NULLS LAST, r.closure_rate DESC NULLS LAST, r.events DESC) END AS rank,
       r.events, r.cancelled, r.closed, r.closed_untimed, r.closed_on_time, r.open_overdue, r.responded, r.responded_on_time,
       r.response_overdue, r.reopened_cases, r.rated, r.satisfied, r.median_close_h,
       r.closure_rate, r.on_time_rate, r.response_on_time_rate, r.reopen_rate, r.satisfaction_rate
FROM r
ORDER BY rank NULLS LAST, r.events DESC, r.area_id
