-- Trust, third pass. Who disabled an account: an organisation's owner never enables an account
-- the provider disabled (accounts disabled before this migration count as the provider's, the
-- cautious reading). And a mail that carries a one-time secret (an invitation link) keeps it
-- sealed under the key file until it is sent, then not at all: `body` holds the mail with the
-- secret left out, `sealed_body` the whole mail, sealed.
-- Same columns as the other engine's 0015_trust.sql.

ALTER TABLE users ADD COLUMN disabled_by_provider BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET disabled_by_provider = TRUE WHERE disabled_at IS NOT NULL;

ALTER TABLE outbox ADD COLUMN sealed_body TEXT;

-- Invitation mails sent before this migration kept their link in the body: it goes.
UPDATE outbox SET body = 'The invitation link is not kept once the mail is sent.'
WHERE kind = 'invitation' AND sent_at IS NOT NULL;
