-- 0002_outbox: outgoing e-mail (transactional outbox, see docs/MAIL.md).
-- A row is written in the same transaction as the change that causes the
-- mail; the delivery worker claims rows with a lease (claimed_by,
-- claimed_until), sends them, and marks them sent or schedules a retry.
-- `message` is the complete RFC 5322 message (7-bit: every header and part
-- is encoded) built at enqueue time; a secret (a candidate's initial
-- password) is kept apart in `secret`, the message holding the placeholder
-- {{secret}}, and is set to NULL once the message is delivered.

CREATE TABLE outbox (
	id @ID@,
	created_at BIGINT NOT NULL,
	org_id BIGINT REFERENCES organisations(id),
	kind TEXT NOT NULL,                    -- 'order.sales', 'candidate.credentials', 'mail.test'...
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,                 -- UTF-8, for the back office
	message TEXT NOT NULL,
	secret TEXT,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',   -- the SMTP server's answer (or the network error)
	sent_at BIGINT,
	claimed_by TEXT,                       -- worker that holds the lease
	claimed_until BIGINT
);
-- the worker's pick: due pending rows, and 'sending' rows whose lease expired
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
CREATE INDEX outbox_lease ON outbox(status, claimed_until);
-- the back office's filters (newest first)
CREATE INDEX outbox_org ON outbox(org_id, id);
CREATE INDEX outbox_recipient ON outbox(recipient);
