-- Alarms in [:start, :end) of sensors of :kind (NULL = every kind) in the streets
-- :street_ids (NULL = all), newest first, at most :limit. An alarm is the first reading
-- above its sensor's threshold in an hour whose previous hour had no such reading: one
-- alarm per run of exceedance hours (for hourly readings: a reading above the threshold
-- after one that was not). Only readings above the threshold are scanned beyond the
-- filter, so no window runs over all readings. It became an event when an event carries
-- its sensor_id and was reported from the alarm on, within a day and before the sensor's
-- next alarm (the first such event is shown, with its hours to response and to closure
-- as of :now).
WITH alarms AS (
    {{sensor_alarms}}
),
linked AS (
    {{alarm_links}}
)
SELECT l.sensor_id, l.kind, l.unit, l.grid_id, l.threshold, l.ts, l.value,
       l.event_id, l.reported_at,
       CASE WHEN l.responded_at < :now
            THEN EXTRACT(EPOCH FROM (l.responded_at - l.reported_at)) / 3600.0 END AS respond_h,
       CASE WHEN l.closed_at < :now
            THEN EXTRACT(EPOCH FROM (l.closed_at - l.reported_at)) / 3600.0 END AS close_h
FROM linked l
WHERE l.nth = 1
ORDER BY l.ts DESC, l.sensor_id
LIMIT :limit
