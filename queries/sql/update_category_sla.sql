-- Statement: set the response and close SLA (hours) of category :code; the hours are then
-- the district's own, no longer assumed (sla_assumed = FALSE).
UPDATE categories
SET sla_response_h = CAST(:sla_response_h AS DOUBLE PRECISION),
    sla_close_h = CAST(:sla_close_h AS DOUBLE PRECISION),
    sla_assumed = FALSE
WHERE code = :code
