-- 0020_org_versions (SQLite): the versions of each organisation (see the
-- PostgreSQL file).  SQLite has no round trip to save: clr serve keeps no
-- page data on it and v never moves; auth_v is kept as on PostgreSQL (row
-- triggers), so that a remembered session is checked the same way on both
-- backends (src/domain/session.c).
CREATE TABLE org_versions (
	org_id BIGINT PRIMARY KEY NOT NULL,
	v BIGINT NOT NULL,
	auth_v BIGINT NOT NULL
);
INSERT INTO org_versions (org_id, v, auth_v) SELECT id, 1, 1 FROM organisations;

CREATE TRIGGER org_versions_org_ai AFTER INSERT ON organisations BEGIN
	INSERT OR IGNORE INTO org_versions (org_id, v, auth_v) VALUES (NEW.id, 1, 1);
END;
CREATE TRIGGER org_versions_org_au AFTER UPDATE ON organisations BEGIN
	INSERT INTO org_versions (org_id, v, auth_v) SELECT id, 1, 1 FROM organisations WHERE id IN (OLD.id, NEW.id)
		ON CONFLICT (org_id) DO UPDATE SET v = v + 1, auth_v = auth_v + 1;
END;
CREATE TRIGGER org_versions_session_ad AFTER DELETE ON sessions BEGIN
	INSERT INTO org_versions (org_id, v, auth_v) SELECT org_id, 1, 1 FROM users WHERE id = OLD.user_id AND org_id IS NOT NULL
		ON CONFLICT (org_id) DO UPDATE SET auth_v = auth_v + 1;
END;
CREATE TRIGGER org_versions_session_au AFTER UPDATE ON sessions
	WHEN OLD.user_id IS NOT NEW.user_id OR OLD.csrf IS NOT NEW.csrf OR OLD.created_at IS NOT NEW.created_at
	     OR NEW.seen_at < OLD.seen_at OR OLD.id_hash IS NOT NEW.id_hash
BEGIN
	INSERT INTO org_versions (org_id, v, auth_v) SELECT DISTINCT org_id, 1, 1 FROM users
		WHERE id IN (OLD.user_id, NEW.user_id) AND org_id IS NOT NULL
		ON CONFLICT (org_id) DO UPDATE SET auth_v = auth_v + 1;
END;
CREATE TRIGGER org_versions_user_ad AFTER DELETE ON users WHEN OLD.org_id IS NOT NULL BEGIN
	INSERT INTO org_versions (org_id, v, auth_v) VALUES (OLD.org_id, 1, 1)
		ON CONFLICT (org_id) DO UPDATE SET auth_v = auth_v + 1;
END;
CREATE TRIGGER org_versions_user_au AFTER UPDATE ON users
	WHEN OLD.org_id IS NOT NEW.org_id OR OLD.role IS NOT NEW.role OR OLD.name IS NOT NEW.name
	     OR OLD.email IS NOT NEW.email OR OLD.disabled IS NOT NEW.disabled OR OLD.proctor IS NOT NEW.proctor
	     OR OLD.id IS NOT NEW.id
BEGIN
	INSERT INTO org_versions (org_id, v, auth_v) SELECT id, 1, 1 FROM organisations WHERE id IN (OLD.org_id, NEW.org_id)
		ON CONFLICT (org_id) DO UPDATE SET auth_v = auth_v + 1;
END;
