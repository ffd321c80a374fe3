SELECT q.unit_id, q.lo_v + (q.pos - q.lo) * (q.hi_v - q.lo_v) AS p95_value
FROM (
    SELECT c.unit_id, c.pos, c.lo,
           max(CASE WHEN c.cum - c.n <= c.lo AND c.lo < c.cum THEN c.rep END) AS lo_v,
           max(CASE WHEN c.cum - c.n <= c.hi AND c.hi < c.cum THEN c.rep END) AS hi_v
    FROM (
        SELECT k.unit_id, k.bucket, CAST(k.n AS DOUBLE PRECISION) AS n,
               CAST(sum(k.n) OVER (PARTITION BY k.unit_id ORDER BY k.bucket
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE PRECISION) AS cum,
               0.95 * (CAST(sum(k.n) OVER (PARTITION BY k.unit_id) AS DOUBLE PRECISION) - 1) AS pos,
               floor(0.95 * (CAST(sum(k.n) OVER (PARTITION BY k.unit_id) AS DOUBLE PRECISION) - 1)) AS lo,
               ceil(0.95 * (CAST(sum(k.n) OVER (PARTITION BY k.unit_id) AS DOUBLE PRECISION) - 1)) AS hi,
               CASE WHEN k.bucket >= -50000
                    THEN 2 * power(CAST(1.02020202020202 AS DOUBLE PRECISION), CAST(k.bucket AS DOUBLE PRECISION))
                         / (CAST(1.02020202020202 AS DOUBLE PRECISION) + 1)
                    WHEN k.bucket = -60000 THEN CAST(0 AS DOUBLE PRECISION)
                    ELSE -2 * power(CAST(1.02020202020202 AS DOUBLE PRECISION), CAST(-100000 - k.bucket AS DOUBLE PRECISION))
                         / (CAST(1.02020202020202 AS DOUBLE PRECISION) + 1) END AS rep
        FROM k
    ) c
    GROUP BY c.unit_id, c.pos, c.lo
) q
