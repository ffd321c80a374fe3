-- Published layer (data/publish/): the KPI counts of events reported in
-- [:start, :through_end) per period (:grain 'month' | 'week', ISO weeks start on Monday;
-- :step is the period length as an interval, '1 month' | '1 week') and per finest unit:
-- street, community, H3 cell at resolution :res, category group and source (data/publish
-- sums them up to the district, streets, communities and cells; the medians, which do not
-- add up, come from publish_medians).
-- Every period is judged as of its own end capped at :through_end (the end of the last
-- published day): as_of, read by the kpi_counts fragment, exactly as the overview KPIs
-- (kpi_summary) judge a window with now = :through_end, so nothing that happened after the
-- publication cut-off is counted.
-- sens: the category is in :sensitive (its own group, never in the 'all' rows, see
-- data/publish/aggregate.py); grp: the category's own code when sensitive, else its
-- category group = the category's default department (categories.department).
SELECT CAST(e.period_start AS DATE) AS period_start, e.sens, e.grp, e.source,
       e.street_id, e.community_id, e.cell,
       {{kpi_counts}}
FROM ({{publish_events}}) e
GROUP BY e.period_start, e.sens, e.grp, e.source, e.street_id, e.community_id, e.cell
