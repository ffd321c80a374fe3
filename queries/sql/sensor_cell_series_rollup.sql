-- sensor_cell_series from the rollups (level 'h3' rows of :kind at :res, cell :cell): per
-- hour of [:start, :end) the sensors reporting, their mean and maximum value and the lowest
-- threshold among them. Oldest first.
SELECT r.hour AS ts,
       r.sensors,
       r.value_sum / r.readings AS mean_value,
       r.max_value,
       r.threshold
FROM reading_hours r
WHERE r.level = 'h3' AND r.kind = :kind AND r.res = :res AND r.cell = :cell
  AND r.hour >= :start AND r.hour < :end
ORDER BY 1
