-- 0008_perf_counts (SQLite): the number of candidates per organisation and
-- status, kept by triggers, so that the unfiltered list (and the status
-- filter) shows its total without counting 100 000 index entries on every
-- request (docs/PERFORMANCE.md: COUNT(*) was ~5 ms of CPU per list page).
-- Read by candidate_list(); the rows of an organisation sum to its total.
CREATE TABLE candidate_counts (
	org_id BIGINT NOT NULL,
	status TEXT NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (org_id, status)
) WITHOUT ROWID;
INSERT INTO candidate_counts (org_id, status, n)
	SELECT org_id, status, COUNT(*) FROM candidates GROUP BY org_id, status;
CREATE TRIGGER candidate_counts_ai AFTER INSERT ON candidates BEGIN
	INSERT INTO candidate_counts (org_id, status, n) VALUES (new.org_id, new.status, 1)
		ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER candidate_counts_ad AFTER DELETE ON candidates BEGIN
	UPDATE candidate_counts SET n = n - 1 WHERE org_id = old.org_id AND status = old.status;
END;
CREATE TRIGGER candidate_counts_au AFTER UPDATE OF org_id, status ON candidates
	WHEN old.org_id <> new.org_id OR old.status <> new.status BEGIN
	UPDATE candidate_counts SET n = n - 1 WHERE org_id = old.org_id AND status = old.status;
	INSERT INTO candidate_counts (org_id, status, n) VALUES (new.org_id, new.status, 1)
		ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1;
END;
