-- 0018_team: a team per organisation (issue 15).  Portable SQL.
--
-- A proctor (« surveillant ») is a user of an organisation with
-- users.proctor = 1: role stays 'admin' (a member of the organisation; the
-- CHECK of 0001 allows no new role without rebuilding the users table on
-- SQLite), and proctor = 1 takes every right away but those of the routes
-- flagged R_PROCTOR (src/http/routes.c).  A removed member is disabled and
-- their address freed (users.email rewritten, see src/domain/team.c).
--
-- Invitations and password resets hold only the BLAKE2b hash of their
-- 256-bit token; each is used once (accepted_at / used_at), before
-- expires_at.  A reset asked for an unknown address is stored too, with
-- user_id NULL (never usable): the request does the same work either way.
ALTER TABLE users ADD COLUMN proctor INTEGER NOT NULL DEFAULT 0;

CREATE TABLE invitations (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	email TEXT NOT NULL,                   -- lower-cased
	name TEXT NOT NULL DEFAULT '',
	proctor INTEGER NOT NULL DEFAULT 0,    -- 1: « Surveillant », 0: « Administrateur »
	token_hash TEXT NOT NULL UNIQUE,
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	accepted_at BIGINT,
	revoked_at BIGINT,
	user_id BIGINT REFERENCES users(id)    -- the account it created
);
CREATE INDEX invitations_org ON invitations(org_id, created_at);

CREATE TABLE password_resets (
	id @ID@,
	user_id BIGINT REFERENCES users(id),
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
);
CREATE INDEX password_resets_user ON password_resets(user_id);

-- the proctors assigned to a self-proctored exam session
CREATE TABLE exam_session_proctors (
	session_id BIGINT NOT NULL REFERENCES exam_sessions(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	PRIMARY KEY (session_id, user_id)
);
CREATE INDEX exam_session_proctors_user ON exam_session_proctors(user_id);

-- « Alerte de stock »: a banner on « Accueil » under this many credits of a type
ALTER TABLE organisations ADD COLUMN stock_threshold INTEGER NOT NULL DEFAULT 5;
