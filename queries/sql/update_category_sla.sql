-- Statement: set the response and close SLA (hours) of category :code.
UPDATE categories
SET sla_response_h = CAST(:sla_response_h AS DOUBLE PRECISION),
    sla_close_h = CAST(:sla_close_h AS DOUBLE PRECISION)
WHERE code = :code
