-- Filtered events per H3 cell at resolution :res and per time slice of :slice_days days,
-- counted back from :end: age_slice 0 is [:end - :slice_days days, :end), 1 the slice
-- before, and so on (the emerging hot spot analysis's time series). Empty pairs are absent.
SELECT
    h3_parent(e.h3, :res) AS cell,
    {{event_age_slice}} AS age_slice,
    count(*) AS events
FROM events e
WHERE {{event_filter}}
GROUP BY 1, 2
ORDER BY 1, 2
