-- 0020_org_versions (PostgreSQL): a version of the data of each organisation
-- that clr serve keeps in memory between requests (src/db/db.c, « kept
-- pages' data »; docs/DECISIONS.md, « Page data kept across requests »).
-- Every statement that writes one of the covered tables moves its
-- organisations' version, in the same transaction as the write, to a new
-- value of one sequence: a version never comes back, even for a row deleted
-- and created again.  The session's row reads the version with the session
-- (src/domain/session.c), so a server knows, in the round trip it makes
-- anyway, whether what it kept is still exact.
--
-- Several organisations' rows are always taken in the order of their ids, so
-- that two statements that touch the same ones queue instead of deadlocking.
--
-- v covers, and nothing else may be kept: stock_balances, candidate_counts
-- (moved by every statement that writes candidates, 0008/0011), groups,
-- organisations (the organisation's own row) and products (every
-- organisation's version).
--
-- auth_v covers what a remembered session's row holds (session.c): a
-- session deleted (logged out, expired, closed), its CSRF token, user or
-- dates changed (but seen_at moving forward), its user's name, e-mail,
-- role, organisation, proctor flag or disabled flag, the organisation's
-- name.  While it has not moved, a server thread that remembers a session
-- of the organisation knows the session's row without reading it.
CREATE SEQUENCE org_version_seq;
CREATE TABLE org_versions (
	org_id BIGINT PRIMARY KEY,
	v BIGINT NOT NULL,
	auth_v BIGINT NOT NULL
);
INSERT INTO org_versions (org_id, v, auth_v)
	SELECT id, nextval('org_version_seq'), nextval('org_version_seq') FROM organisations;

CREATE FUNCTION org_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO org_versions (org_id, v, auth_v)
			SELECT org_id, nextval('org_version_seq'), nextval('org_version_seq') FROM (SELECT DISTINCT org_id FROM new_rows) x ORDER BY org_id
			ON CONFLICT (org_id) DO UPDATE SET v = EXCLUDED.v;
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO org_versions (org_id, v, auth_v)
			SELECT org_id, nextval('org_version_seq'), nextval('org_version_seq') FROM (SELECT DISTINCT org_id FROM old_rows) x ORDER BY org_id
			ON CONFLICT (org_id) DO UPDATE SET v = EXCLUDED.v;
	ELSE
		INSERT INTO org_versions (org_id, v, auth_v)
			SELECT org_id, nextval('org_version_seq'), nextval('org_version_seq') FROM (
				SELECT org_id FROM new_rows UNION SELECT org_id FROM old_rows) x ORDER BY org_id
			ON CONFLICT (org_id) DO UPDATE SET v = EXCLUDED.v;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER org_versions_stock_ai AFTER INSERT ON stock_balances
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_stock_ad AFTER DELETE ON stock_balances
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_stock_au AFTER UPDATE ON stock_balances
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_counts_ai AFTER INSERT ON candidate_counts
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_counts_ad AFTER DELETE ON candidate_counts
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_counts_au AFTER UPDATE ON candidate_counts
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_groups_ai AFTER INSERT ON groups
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_groups_ad AFTER DELETE ON groups
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();
CREATE TRIGGER org_versions_groups_au AFTER UPDATE ON groups
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump();

-- the organisation's own row (its name, its stock alert threshold): both
CREATE FUNCTION org_versions_bump_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO org_versions (org_id, v, auth_v)
		SELECT id, nextval('org_version_seq'), nextval('org_version_seq') FROM (
			SELECT id FROM new_rows UNION SELECT id FROM old_rows) x ORDER BY id
		ON CONFLICT (org_id) DO UPDATE SET v = EXCLUDED.v, auth_v = EXCLUDED.auth_v;
	RETURN NULL;
END $$;
CREATE TRIGGER org_versions_org_au AFTER UPDATE ON organisations
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump_org();
CREATE FUNCTION org_versions_new_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO org_versions (org_id, v, auth_v)
		SELECT id, nextval('org_version_seq'), nextval('org_version_seq') FROM new_rows
		ON CONFLICT (org_id) DO NOTHING;
	RETURN NULL;
END $$;
CREATE TRIGGER org_versions_org_ai AFTER INSERT ON organisations
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_new_org();

-- auth_v: sessions deleted (statement) or changed but for seen_at moving
-- forward (row: most updates are that refresh, and skip the function)
CREATE FUNCTION org_versions_bump_auth(orgs BIGINT[]) RETURNS void LANGUAGE sql AS $$
	INSERT INTO org_versions (org_id, v, auth_v)
		SELECT o, nextval('org_version_seq'), nextval('org_version_seq') FROM (SELECT DISTINCT unnest(orgs) AS o) x
		WHERE o IS NOT NULL ORDER BY o
		ON CONFLICT (org_id) DO UPDATE SET auth_v = EXCLUDED.auth_v;
$$;
CREATE FUNCTION org_versions_sessions_ad() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM org_versions_bump_auth(ARRAY(SELECT u.org_id FROM old_rows o JOIN users u ON u.id = o.user_id));
	RETURN NULL;
END $$;
CREATE TRIGGER org_versions_sessions_ad AFTER DELETE ON sessions
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_sessions_ad();
CREATE FUNCTION org_versions_session_au() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM org_versions_bump_auth(ARRAY(SELECT org_id FROM users WHERE id IN (OLD.user_id, NEW.user_id)));
	RETURN NULL;
END $$;
CREATE TRIGGER org_versions_session_au AFTER UPDATE ON sessions FOR EACH ROW
	WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.csrf IS DISTINCT FROM NEW.csrf
	      OR OLD.created_at IS DISTINCT FROM NEW.created_at OR NEW.seen_at < OLD.seen_at
	      OR OLD.id_hash IS DISTINCT FROM NEW.id_hash)
	EXECUTE FUNCTION org_versions_session_au();
-- users deleted (their sessions go with them) or changed in what a session shows
CREATE FUNCTION org_versions_users_ad() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM org_versions_bump_auth(ARRAY(SELECT org_id FROM old_rows));
	RETURN NULL;
END $$;
CREATE TRIGGER org_versions_users_ad AFTER DELETE ON users
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_versions_users_ad();
CREATE FUNCTION org_versions_user_au() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM org_versions_bump_auth(ARRAY[OLD.org_id, NEW.org_id]);
	RETURN NULL;
END $$;
CREATE TRIGGER org_versions_user_au AFTER UPDATE ON users FOR EACH ROW
	WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.role IS DISTINCT FROM NEW.role
	      OR OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email
	      OR OLD.disabled IS DISTINCT FROM NEW.disabled OR OLD.proctor IS DISTINCT FROM NEW.proctor
	      OR OLD.id IS DISTINCT FROM NEW.id)
	EXECUTE FUNCTION org_versions_user_au();

-- the catalogue is everyone's
CREATE FUNCTION org_versions_bump_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE org_versions SET v = nextval('org_version_seq')
		WHERE org_id IN (SELECT org_id FROM org_versions ORDER BY org_id FOR UPDATE);
	RETURN NULL;
END $$;
CREATE TRIGGER org_versions_products AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
	FOR EACH STATEMENT EXECUTE FUNCTION org_versions_bump_all();
