-- 0007_imports: bulk imports of candidates waiting for « Confirmer l'import »
-- (issue 6).  Portable SQL.
--
-- The uploaded file, converted to UTF-8, is kept here between the report
-- and the confirmation, so that the confirmation never trusts anything the
-- browser sends back.  A row is reachable only through its random token
-- (stored hashed, like session tokens), by the same user of the same
-- organisation, for one hour; the confirmation deletes it in the import's
-- own transaction.  Expired rows are deleted whenever a new file arrives.

CREATE TABLE candidate_imports (
	id @ID@,
	token_hash TEXT NOT NULL UNIQUE,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	user_id BIGINT NOT NULL,
	filename TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL,              -- the file as UTF-8 text
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX candidate_imports_expires ON candidate_imports(expires_at);
