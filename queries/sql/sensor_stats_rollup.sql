-- sensor_stats from the rollups (reading_hours and reading_sketches at level 'sensor'):
-- every sensor of :kind (NULL = every kind) in the streets :street_ids (NULL = all) with the
-- statistics of its readings in [:start, :end) (hour- and day-aligned: the sensors page's
-- date windows). Readings, mean, maximum and exceedances are exact; the 95th percentile is
-- read from the merged sketches, within 1 % of percentile_cont (geo/quantile_sketch.py).
WITH h AS (
    SELECT r.unit_key AS sensor_id, sum(r.readings) AS readings,
           sum(r.value_sum) / sum(r.readings) AS mean_value, max(r.max_value) AS max_value,
           sum(r.exceedances) AS exceedances
    FROM reading_hours r
    JOIN sensors s ON s.sensor_id = r.unit_key
    WHERE r.level = 'sensor' AND r.hour >= :start AND r.hour < :end AND {{sensor_scope}}
    GROUP BY r.unit_key
),
k AS (
    SELECT r.unit_key AS unit_id, r.bucket, sum(r.n) AS n
    FROM reading_sketches r
    JOIN sensors s ON s.sensor_id = r.unit_key
    WHERE r.level = 'sensor' AND r.day >= CAST(:start AS DATE) AND r.day < CAST(:end AS DATE) AND {{sensor_scope}}
    GROUP BY r.unit_key, r.bucket
),
p AS (
    {{sketch_p95}}
)
SELECT s.sensor_id, s.kind, s.unit, s.lon, s.lat, s.h3, s.grid_id, s.threshold,
       COALESCE(h.readings, 0) AS readings, h.mean_value, p.p95_value, h.max_value,
       COALESCE(h.exceedances, 0) AS exceedances
FROM sensors s
LEFT JOIN h ON h.sensor_id = s.sensor_id
LEFT JOIN p ON p.unit_id = s.sensor_id
WHERE {{sensor_scope}}
ORDER BY exceedances DESC, s.sensor_id
