-- 0001_init: organisations, users (administrators and staff), sessions,
-- login throttling, audit log.  Portable SQL: @ID@ is replaced by each
-- backend's auto-increment primary key (see src/db/migrate.c).
-- Times are BIGINT seconds since the epoch (UTC).

CREATE TABLE organisations (
	id @ID@,
	name TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);

CREATE TABLE users (
	id @ID@,
	org_id BIGINT REFERENCES organisations(id),
	role TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
	email TEXT NOT NULL UNIQUE,            -- stored lower-cased
	name TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,           -- argon2id
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK ((role = 'staff' AND org_id IS NULL) OR (role = 'admin' AND org_id IS NOT NULL))
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,              -- BLAKE2b of the cookie token
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	seen_at BIGINT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_seen ON sessions(seen_at);

CREATE TABLE login_failures (
	id @ID@,
	subject TEXT NOT NULL,                 -- 'e:<email>' or 'ip:<address>'
	at BIGINT NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures(subject, at);

CREATE TABLE audit_log (
	id @ID@,
	at BIGINT NOT NULL,
	org_id BIGINT,
	actor_id BIGINT,
	action TEXT NOT NULL,                  -- 'user.login', 'profile.update', ...
	object_type TEXT NOT NULL DEFAULT '',
	object_id BIGINT,
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_org_at ON audit_log(org_id, at);
