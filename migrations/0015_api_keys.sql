-- 0015_api_keys: the keys of the results API, and the CSV files of results
-- waiting for « Confirmer l'import » (issue « Activation codes, proctoring
-- documents and results », section 3).  Portable SQL.
--
-- An API key is platform-wide: Le Robert staff issue it to the exam
-- platform (never to a partner), which reports every organisation's results
-- with it (POST /api/v1/results).  The key itself is shown once, when it is
-- created; only its BLAKE2b hash is stored (like session tokens), with its
-- first characters to recognise it in the list.  A key is never deleted:
-- revoking it keeps the row (who, when) so the audit log and the request
-- logs, which name keys by id, stay readable.  last_used_at is refreshed at
-- most once a minute.
CREATE TABLE api_keys (
	id @ID@,
	name TEXT NOT NULL,                    -- « Plateforme d'examen (production) »
	prefix TEXT NOT NULL,                  -- 'clr_live_AbCd': shown in the list
	key_hash TEXT NOT NULL UNIQUE,         -- hex BLAKE2b-256 of the whole key
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_by BIGINT REFERENCES users(id),
	revoked_at BIGINT
);

-- A CSV file of results between its report and its confirmation, as
-- candidate_imports (0007) but for staff (no organisation: one file may hold
-- results of several): reachable through its random token, stored hashed, by
-- the same user, for one hour; deleted by the confirmation's transaction.
CREATE TABLE result_imports (
	id @ID@,
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL,
	filename TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL,                    -- the file as UTF-8 text
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX result_imports_expires ON result_imports(expires_at);

-- A certification's codes, revoked ones included, newest last: a result sent
-- again with the code its result revoked is recognised by it being the
-- newest code of its certification (domain/result.c); 0014's partial index
-- holds only the live ones.
CREATE INDEX activation_codes_cert ON activation_codes(certification_id, id);
