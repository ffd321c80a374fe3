-- Published layer, "track my report": the events reported in [:start, :through_end) with
-- their status, stage times, close deadline and whether they were rated. The published side
-- keeps only a keyed digest of (event id, verification code), the stage dates (no times),
-- closed on time and the status (data/publish/tracking.py); nothing else leaves this query.
SELECT e.event_id, e.status, e.reported_at, e.registered_at, e.dispatched_at, e.responded_at,
       e.resolved_at, e.verified_at, e.closed_at, e.close_due_at,
       e.satisfaction IS NOT NULL AS rated
FROM events e
WHERE e.reported_at >= :start AND e.reported_at < :through_end
ORDER BY e.event_id
