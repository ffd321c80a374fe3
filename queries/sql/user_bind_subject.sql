-- The first sign-in of a user added by e-mail: the row's placeholder subject (its e-mail, lower
-- case) becomes the provider's :subject, so later sign-ins match the subject and never the e-mail.
UPDATE users
SET subject = CAST(:subject AS VARCHAR), updated_at = CAST(:now AS TIMESTAMP)
WHERE subject = lower(CAST(:email AS VARCHAR)) AND lower(email) = lower(CAST(:email AS VARCHAR))
  AND NOT EXISTS (SELECT 1 FROM users AS taken WHERE taken.subject = CAST(:subject AS VARCHAR))
