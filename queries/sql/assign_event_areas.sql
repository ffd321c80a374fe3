-- Assigns grid, community and street to events that have no grid_id yet (server-side
-- import): point in polygon against the grid areas with ST_Intersects (interior or
-- boundary); a point covered by several grids (on a shared edge or vertex) goes to the
-- smallest area_id in byte order, the rule of geo/areas.py. Events outside every grid
-- keep NULL. community_id / street_id follow the grid's parent chain by level: a grid filed
-- under its street (a store without communities) gives that street and no community. Returns nothing.
UPDATE events
SET grid_id = hit.grid_id, community_id = hit.community_id, street_id = hit.street_id
FROM (
    SELECT p.event_id, p.grid_id,
           CASE WHEN c.level = 'community' THEN c.area_id END AS community_id,
           CASE WHEN c.level = 'street' THEN c.area_id WHEN s.level = 'street' THEN s.area_id END AS street_id
    FROM (
        SELECT e.event_id, min(a.area_id) AS grid_id
        FROM events e
        JOIN areas a ON a.level = 'grid' AND ST_Intersects(a.geom, e.geom)
        WHERE e.grid_id IS NULL
        GROUP BY e.event_id
    ) p
    JOIN areas g ON g.area_id = p.grid_id
    LEFT JOIN areas c ON c.area_id = g.parent_id
    LEFT JOIN areas s ON s.area_id = c.parent_id
) hit
WHERE events.event_id = hit.event_id AND events.grid_id IS NULL
