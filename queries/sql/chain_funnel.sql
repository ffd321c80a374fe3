-- The governance-chain funnel of the filtered events, one row per stage in chain order
-- (stage_no 1-8: reported .. rated), judged as of LEAST(:end, :now).
-- A stage is reached when its time, or the time of any later stage, is before the as-of
-- time: reaching a later stage implies passing the earlier ones, so reached never grows
-- along the chain. "closed" is as in kpi_summary: a close time before the as-of time, or
-- status closed/rated without a close time (closed_untimed: closed, so past every stage,
-- in every period); a cancelled event's close time is no closure and implies nothing.
-- A status without a time (e.g. "resolved") reaches nothing: it says where the event is
-- now, not when it got there. rated = closed with a satisfaction score.
--   reached   events that reached this stage
--   waiting   reached this stage, not the next, and not ended: still open at this step
--   dropped   reached this stage, not the next, and ended (cancelled; for closed -> rated:
--             closed but never rated)
--   skipped   reached the next stage with no time for it (passed it untimed)
-- waiting + dropped + reached(next) = reached. The last stage (rated) has no next step:
-- waiting, dropped and skipped are NULL; closed -> rated has no time to skip (NULL).
WITH f AS (
    {{chain_events}}
),
t AS (
    SELECT
        COALESCE(reported_at < as_of, FALSE) AS t1,
        COALESCE(registered_at < as_of, FALSE) AS t2,
        COALESCE(dispatched_at < as_of, FALSE) AS t3,
        COALESCE(responded_at < as_of, FALSE) AS t4,
        COALESCE(resolved_at < as_of, FALSE) AS t5,
        COALESCE(verified_at < as_of, FALSE) AS t6,
        COALESCE(closed_at < as_of AND NOT cancelled, FALSE) AS t7,
        COALESCE((closed_at < as_of OR closed_untimed) AND NOT cancelled, FALSE) AS c,
        COALESCE(satisfaction IS NOT NULL, FALSE) AS rated,
        COALESCE(closed_at < as_of OR closed_untimed OR cancelled, FALSE) AS ended
    FROM f
),
s AS (
    SELECT
        t1 OR t2 OR t3 OR t4 OR t5 OR t6 OR c AS s1,
        t2 OR t3 OR t4 OR t5 OR t6 OR c AS s2,
        t3 OR t4 OR t5 OR t6 OR c AS s3,
        t4 OR t5 OR t6 OR c AS s4,
        t5 OR t6 OR c AS s5,
        t6 OR c AS s6,
        c AS s7,
        c AND rated AS s8,
        t2, t3, t4, t5, t6, t7, ended
    FROM t
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
        count(*) FILTER (WHERE s6 AND NOT s7 AND NOT ended) AS w6, count(*) FILTER (WHERE s6 AND NOT s7 AND ended) AS d6,
        count(*) FILTER (WHERE s7 AND NOT s8) AS d7,
        count(*) FILTER (WHERE s2 AND NOT t2) AS k1, count(*) FILTER (WHERE s3 AND NOT t3) AS k2,
        count(*) FILTER (WHERE s4 AND NOT t4) AS k3, count(*) FILTER (WHERE s5 AND NOT t5) AS k4,
        count(*) FILTER (WHERE s6 AND NOT t6) AS k5, count(*) FILTER (WHERE s7 AND NOT t7) AS k6
    FROM s
)
SELECT 1 AS stage_no, 'reported' AS stage, n1 AS reached, w1 AS waiting, d1 AS dropped, k1 AS skipped FROM a
UNION ALL SELECT 2, 'registered', n2, w2, d2, k2 FROM a
UNION ALL SELECT 3, 'dispatched', n3, w3, d3, k3 FROM a
UNION ALL SELECT 4, 'responded', n4, w4, d4, k4 FROM a
UNION ALL SELECT 5, 'resolved', n5, w5, d5, k5 FROM a
UNION ALL SELECT 6, 'verified', n6, w6, d6, k6 FROM a
UNION ALL SELECT 7, 'closed', n7, 0, d7, NULL FROM a
UNION ALL SELECT 8, 'rated', n8, NULL, NULL, NULL FROM a
ORDER BY stage_no
