-- Filtered events per H3 cell at resolution :res (7-10 on the map), derived from the
-- stored fine cell with h3_parent; with closed and open-overdue counts for tooltips
-- (fragment event_counts).
SELECT
    h3_parent(e.h3, :res) AS cell,
    {{event_counts}}
FROM events e
WHERE {{event_filter}}
GROUP BY 1
ORDER BY events DESC, cell
