-- Published layer, "track my report": one row per event reported in [:start, :through_end),
-- keyed by its tracking digest, with what the citizen may see and nothing else
-- (data/publish/tracking.py). The event id never leaves this query in the clear:
--   code    = the 6-digit verification code: HMAC-SHA256 (key pads :code_ipad/:code_opad,
--             a key derived from the district's secret) of the event id (UTF-8); its first
--             48 bits modulo 1,000,000, zero-padded
--   digest  = hex HMAC-SHA256 (pads :ipad/:opad of the district's secret key) of
--             event id || 0x1F || code, equal to data.publish.tracking.tracking_digest
-- HMAC(K, m) = SHA256((K xor opad) || SHA256((K xor ipad) || m)), the pads computed in Python.
-- Stage dates (no times) only for stages reached before :through_end; status as of then:
-- cancelled | closed (closed before :through_end, or closed without a close time) | open;
-- closed_on_time only for events closed with a close time and a deadline.
-- The two HMACs are the fragments tracking_digest and tracking_code (PostGIS dialect in
-- postgis/_fragments: sha256 on bytea, hex by encode, 48 bits by BIT(48)).
SELECT {{tracking_digest}} AS digest,
       c.status, c.closed_on_time, c.rated, c.status = 'closed' AND NOT c.rated AS can_rate,
       c.reported_on, c.registered_on, c.dispatched_on, c.responded_on, c.resolved_on, c.verified_on,
       c.closed_on, c.untimed
FROM (
    SELECT e.event_id,
           {{tracking_code}} AS code,
           CASE WHEN e.status = 'cancelled' THEN 'cancelled'
                WHEN e.closed_at < :through_end OR (e.closed_at IS NULL AND e.status IN ('closed', 'rated'))
                     THEN 'closed'
                ELSE 'open' END AS status,
           CASE WHEN e.status <> 'cancelled' AND e.closed_at < :through_end AND e.close_due_at IS NOT NULL
                THEN e.closed_at <= e.close_due_at END AS closed_on_time,
           e.status <> 'cancelled' AND e.satisfaction IS NOT NULL
               AND (e.closed_at < :through_end OR (e.closed_at IS NULL AND e.status IN ('closed', 'rated'))) AS rated,
           CASE WHEN e.reported_at < :through_end THEN CAST(e.reported_at AS DATE) END AS reported_on,
           CASE WHEN e.registered_at < :through_end THEN CAST(e.registered_at AS DATE) END AS registered_on,
           CASE WHEN e.dispatched_at < :through_end THEN CAST(e.dispatched_at AS DATE) END AS dispatched_on,
           CASE WHEN e.responded_at < :through_end THEN CAST(e.responded_at AS DATE) END AS responded_on,
           CASE WHEN e.resolved_at < :through_end THEN CAST(e.resolved_at AS DATE) END AS resolved_on,
           CASE WHEN e.verified_at < :through_end THEN CAST(e.verified_at AS DATE) END AS verified_on,
           CASE WHEN e.status <> 'cancelled' AND e.closed_at < :through_end THEN CAST(e.closed_at AS DATE) END
               AS closed_on,
           e.status <> 'cancelled' AND e.closed_at IS NULL AND e.status IN ('closed', 'rated') AS untimed
    FROM events e
    WHERE e.reported_at >= :start AND e.reported_at < :through_end
) c
ORDER BY digest
