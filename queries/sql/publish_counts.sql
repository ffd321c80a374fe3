-- Published layer (data/publish/): the KPI counts of events reported in
-- [:start, :through_end), per period (:grain 'month' | 'week', ISO weeks start on Monday;
-- :step is the period length as an interval, '1 month' | '1 week') and per grouping set:
-- the district, each street, community and H3 cell at resolution :res, each crossed with
-- all events, each category group and each source.
-- Every period is judged as of its own end capped at :through_end (the end of the last
-- published day): as_of, read by the kpi_counts fragment, exactly as the overview KPIs
-- (kpi_summary) judge a window with now = :through_end, so nothing that happened after the
-- publication cut-off is counted.
-- sens: the category is in :sensitive (its own group, never in the 'all' rows, see
-- data/publish/aggregate.py); grp: the category's own code when sensitive, else its
-- category group = the category's default department (categories.department).
-- median_close_s: median seconds from report to close of the events closed (with a close
-- time) by as_of, whole seconds as in the chain fragment.
-- g_*: GROUPING() flags, 1 where the column is rolled up in that row.
SELECT CAST(e.period_start AS DATE) AS period_start, e.sens,
       e.street_id, e.community_id, e.cell, e.grp, e.source,
       GROUPING(e.street_id) AS g_street, GROUPING(e.community_id) AS g_community,
       GROUPING(e.cell) AS g_cell, GROUPING(e.grp) AS g_grp, GROUPING(e.source) AS g_source,
       {{kpi_counts}},
       percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN e.outcome = 0 AND e.closed_at < e.as_of
           THEN CAST(floor(EXTRACT(EPOCH FROM e.closed_at) - EXTRACT(EPOCH FROM e.reported_at)) AS INTEGER) END)
           AS median_close_s
FROM (SELECT date_trunc(CAST(:grain AS VARCHAR), e.reported_at) AS period_start,
             COALESCE(e.category = ANY(CAST(:sensitive AS VARCHAR[])), FALSE) AS sens,
             CASE WHEN COALESCE(e.category = ANY(CAST(:sensitive AS VARCHAR[])), FALSE) THEN e.category
                  ELSE COALESCE(c.department, '') END AS grp,
             e.street_id, e.community_id, h3_parent(e.h3, CAST(:res AS INTEGER)) AS cell, e.source,
             e.reported_at, e.closed_at, e.close_due_at, e.satisfaction, {{event_outcome}} AS outcome,
             LEAST(date_trunc(CAST(:grain AS VARCHAR), e.reported_at) + CAST(:step AS INTERVAL),
                   CAST(:through_end AS TIMESTAMP)) AS as_of
      FROM events e
      LEFT JOIN categories c ON c.code = e.category
      WHERE e.reported_at >= :start AND e.reported_at < :through_end) e
GROUP BY e.period_start, e.sens, GROUPING SETS (
    (), (e.grp), (e.source),
    (e.street_id), (e.street_id, e.grp), (e.street_id, e.source),
    (e.community_id), (e.community_id, e.grp), (e.community_id, e.source),
    (e.cell), (e.cell, e.grp), (e.cell, e.source))
