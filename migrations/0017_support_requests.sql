-- 0017_support_requests: the « Contact » tab's requests to Le Robert's
-- support (issue 15) and the answers staff write in the back office
-- (« Demandes »).  Portable SQL.
--
-- A request belongs to one organisation (every read by an administrator is
-- scoped by org_id from the session) and to the administrator who sent it.
-- topic is one of the form's subjects; subject is the administrator's own
-- line (may be empty).  status: 'open' when sent, 'answered' once staff
-- answer (answering again keeps it so), 'closed' when staff close it.
-- The rate limit (5 per account per hour, domain/support.c) counts rows by
-- user_id and created_at.
CREATE TABLE support_requests (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	topic TEXT NOT NULL CHECK (topic IN ('order', 'candidates', 'certifications', 'technical', 'other')),
	subject TEXT NOT NULL DEFAULT '',
	message TEXT NOT NULL,                 -- up to 5 000 characters, line breaks kept
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	closed_by BIGINT REFERENCES users(id),
	closed_at BIGINT
);
CREATE INDEX support_requests_org ON support_requests(org_id, id);
CREATE INDEX support_requests_user ON support_requests(user_id, created_at);
CREATE INDEX support_requests_status ON support_requests(status, id);

-- Staff answers, oldest first under their request; each one was e-mailed to
-- the administrator in the same transaction.
CREATE TABLE support_answers (
	id @ID@,
	request_id BIGINT NOT NULL REFERENCES support_requests(id),
	author_id BIGINT REFERENCES users(id),
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX support_answers_request ON support_answers(request_id, id);
