-- 0011_list_version (SQLite): a version of each organisation's candidate
-- list, so that the in-memory search index of clr serve
-- (src/domain/cand_index.c) knows, with the one statement the list already
-- runs, whether the copy it holds is still exact.  candidate_counts gets a
-- column v that every insert, delete and change of a candidate's status,
-- name, e-mail or exam date increments (never decrements): SUM(v) over an
-- organisation's rows grows with every change of its list, in the same
-- transaction as the change, on every server that shares the database.
ALTER TABLE candidate_counts ADD COLUMN v BIGINT NOT NULL DEFAULT 0;
DROP TRIGGER candidate_counts_ai;
DROP TRIGGER candidate_counts_ad;
DROP TRIGGER candidate_counts_au;
CREATE TRIGGER candidate_counts_ai AFTER INSERT ON candidates BEGIN
	INSERT INTO candidate_counts (org_id, status, n, v) VALUES (new.org_id, new.status, 1, 1)
		ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1, v = v + 1;
END;
CREATE TRIGGER candidate_counts_ad AFTER DELETE ON candidates BEGIN
	UPDATE candidate_counts SET n = n - 1, v = v + 1 WHERE org_id = old.org_id AND status = old.status;
END;
CREATE TRIGGER candidate_counts_au AFTER UPDATE OF org_id, status ON candidates
	WHEN old.org_id <> new.org_id OR old.status <> new.status BEGIN
	UPDATE candidate_counts SET n = n - 1, v = v + 1 WHERE org_id = old.org_id AND status = old.status;
	INSERT INTO candidate_counts (org_id, status, n, v) VALUES (new.org_id, new.status, 1, 1)
		ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1, v = v + 1;
END;
-- a change of what the list shows, matches or sorts on, status unchanged
CREATE TRIGGER candidate_counts_av AFTER UPDATE OF last_name, first_name, email, exam_date, search, sort_name
	ON candidates
	WHEN old.org_id = new.org_id AND old.status = new.status BEGIN
	UPDATE candidate_counts SET v = v + 1 WHERE org_id = new.org_id AND status = new.status;
END;
