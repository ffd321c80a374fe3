-- Track my report: the stages one digest's case reached and the day each was reached, in order.
SELECT stage, reached_on, ord
FROM pub_tracking
WHERE digest = :digest
ORDER BY ord
