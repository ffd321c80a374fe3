-- Filtered events per H3 cell at resolution :res (7-10 on the map), derived from the
-- stored fine cell with h3_parent; with closed and open-overdue counts for tooltips.
SELECT
    h3_parent(e.h3, :res) AS cell,
    count(*) AS events,
    count(*) FILTER (WHERE e.status <> 'cancelled'
                     AND (e.closed_at IS NOT NULL OR e.status IN ('closed', 'rated'))) AS closed,
    count(*) FILTER (WHERE e.closed_at IS NULL AND e.status NOT IN ('cancelled', 'closed', 'rated')
                     AND e.close_due_at < CAST(:now AS TIMESTAMP)) AS open_overdue
FROM events e
WHERE {{event_filter}}
GROUP BY 1
ORDER BY events DESC, cell
