-- The governance-chain funnel of the filtered events, one row per stage in chain order
-- (stage_no 1-8: reported .. rated), judged as of LEAST(:end, :now):
--   reached   events whose stage time is before the as-of time (rated: closed and rated)
--   waiting   reached this stage, not the next, and not closed: still open at this step
--   dropped   reached this stage, not the next, but closed: left the chain without the
--             next stage (for closed -> rated: closed but never rated); an event closed
--             without a resolution (cancelled) is dropped at the last stage it reached
-- "closed" is as in kpi_summary: a close time before the as-of time, or status closed/rated
-- without a close time (closed_untimed); cancelled events never reach it and wait nowhere.
-- The last stage (rated) has no next step: waiting and dropped are NULL.
WITH f AS (
    {{chain_events}}
),
s AS (
    SELECT
        COALESCE(reported_at < as_of, FALSE) AS s1,
        COALESCE(registered_at < as_of, FALSE) AS s2,
        COALESCE(dispatched_at < as_of, FALSE) AS s3,
        COALESCE(responded_at < as_of, FALSE) AS s4,
        COALESCE(resolved_at < as_of, FALSE) AS s5,
        COALESCE(verified_at < as_of, FALSE) AS s6,
        COALESCE((closed_at < as_of OR closed_untimed) AND NOT cancelled, FALSE) AS s7,
        COALESCE((closed_at < as_of OR closed_untimed) AND NOT cancelled AND satisfaction IS NOT NULL, FALSE) AS s8,
        COALESCE(closed_at < as_of OR closed_untimed OR cancelled, FALSE) AS ended
    FROM f
),
a AS (
    SELECT
        count(*) FILTER (WHERE s1) AS n1, count(*) FILTER (WHERE s2) AS n2,
        count(*) FILTER (WHERE s3) AS n3, count(*) FILTER (WHERE s4) AS n4,
        count(*) FILTER (WHERE s5) AS n5, count(*) FILTER (WHERE s6) AS n6,
        count(*) FILTER (WHERE s7) AS n7, count(*) FILTER (WHERE s8) AS n8,
        count(*) FILTER (WHERE s1 AND NOT s2 AND NOT ended) AS w1, count(*) FILTER (WHERE s1 AND NOT s2 AND ended) AS d1,
        count(*) FILTER (WHERE s2 AND NOT s3 AND NOT ended) AS w2, count(*) FILTER (WHERE s2 AND NOT s3 AND ended) AS d2,
        count(*) FILTER (WHERE s3 AND NOT s4 AND NOT ended) AS w3, count(*) FILTER (WHERE s3 AND NOT s4 AND ended) AS d3,
        count(*) FILTER (WHERE s4 AND NOT s5 AND NOT ended) AS w4, count(*) FILTER (WHERE s4 AND NOT s5 AND ended) AS d4,
        count(*) FILTER (WHERE s5 AND NOT s6 AND NOT ended) AS w5, count(*) FILTER (WHERE s5 AND NOT s6 AND ended) AS d5,
        count(*) FILTER (WHERE s6 AND NOT ended) AS w6, count(*) FILTER (WHERE s6 AND NOT s7 AND ended) AS d6,
        count(*) FILTER (WHERE s7 AND NOT s8) AS d7
    FROM s
)
SELECT 1 AS stage_no, 'reported' AS stage, n1 AS reached, w1 AS waiting, d1 AS dropped FROM a
UNION ALL SELECT 2, 'registered', n2, w2, d2 FROM a
UNION ALL SELECT 3, 'dispatched', n3, w3, d3 FROM a
UNION ALL SELECT 4, 'responded', n4, w4, d4 FROM a
UNION ALL SELECT 5, 'resolved', n5, w5, d5 FROM a
UNION ALL SELECT 6, 'verified', n6, w6, d6 FROM a
UNION ALL SELECT 7, 'closed', n7, 0, d7 FROM a
UNION ALL SELECT 8, 'rated', n8, NULL, NULL FROM a
ORDER BY stage_no
