-- Published layer (data/publish/): median seconds from report to close of the events closed
-- with a close time by their period's as_of (see publish_counts), per period and grouping
-- set: the district, each street, community and H3 cell at :res, each crossed with all
-- events, each category group and each source (a median does not add up, so it is computed
-- per published unit here). Whole seconds, as in the chain fragment. Sensitive categories
-- (sens) are kept apart as in publish_counts. g_*: GROUPING() flags, 1 where rolled up.
SELECT CAST(e.period_start AS DATE) AS period_start, e.sens,
       e.street_id, e.community_id, e.cell, e.grp, e.source,
       GROUPING(e.street_id) AS g_street, GROUPING(e.community_id) AS g_community,
       GROUPING(e.cell) AS g_cell, GROUPING(e.grp) AS g_grp, GROUPING(e.source) AS g_source,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.seconds) AS median_close_s
FROM (SELECT p.*, CAST(floor(EXTRACT(EPOCH FROM p.closed_at) - EXTRACT(EPOCH FROM p.reported_at)) AS INTEGER)
             AS seconds
      FROM ({{publish_events}}) p
      WHERE p.outcome = 0 AND p.closed_at < p.as_of) e
GROUP BY e.period_start, e.sens, GROUPING SETS (
    (), (e.grp), (e.source),
    (e.street_id), (e.street_id, e.grp), (e.street_id, e.source),
    (e.community_id), (e.community_id, e.grp), (e.community_id, e.source),
    (e.cell), (e.cell, e.grp), (e.cell, e.source))
