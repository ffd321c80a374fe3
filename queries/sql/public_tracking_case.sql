-- Track my report: the case behind one keyed digest of (case number, code), if any:
-- status (open | closed | cancelled), closed on time, rated, may still be rated.
SELECT status, closed_on_time, rated, can_rate
FROM pub_tracking_case
WHERE digest = :digest
