-- Filtered events per area of level :level ('street' | 'community' | 'grid'), every area
-- of that level listed (zero when it has no events), with names for tooltips.
WITH counts AS (
    SELECT
        {{event_area}} AS area_id,
        {{event_counts}}
    FROM events e
    WHERE {{event_filter}}
    GROUP BY 1
)
-- every area of level :level with the counts of CTE counts (zero without)
{{areas_with_counts}}
