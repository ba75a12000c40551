-- 0008_perf_counts (PostgreSQL): the number of candidates per organisation
-- and status, kept by statement-level triggers over transition tables (one
-- counter update per statement and (org, status), not per row: a bulk
-- INSERT ... SELECT updates each counter once), so that the unfiltered list
-- (and the status filter) shows its total without counting the
-- organisation's rows on every request (docs/PERFORMANCE.md).  Read by
-- candidate_list(); the rows of an organisation sum to its total.
CREATE TABLE candidate_counts (
	org_id BIGINT NOT NULL,
	status TEXT NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (org_id, status)
);
INSERT INTO candidate_counts (org_id, status, n)
	SELECT org_id, status, COUNT(*) FROM candidates GROUP BY org_id, status;
CREATE FUNCTION candidate_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO candidate_counts (org_id, status, n)
			SELECT org_id, status, COUNT(*) FROM new_rows GROUP BY org_id, status
			ON CONFLICT (org_id, status) DO UPDATE SET n = candidate_counts.n + EXCLUDED.n;
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE candidate_counts c SET n = c.n - d.k
			FROM (SELECT org_id, status, COUNT(*) AS k FROM old_rows GROUP BY org_id, status) d
			WHERE c.org_id = d.org_id AND c.status = d.status;
	ELSE
		INSERT INTO candidate_counts (org_id, status, n)
			SELECT org_id, status, SUM(k) FROM (
				SELECT org_id, status, -1 AS k FROM old_rows
				UNION ALL SELECT org_id, status, 1 FROM new_rows) x
			GROUP BY org_id, status HAVING SUM(k) <> 0
			ON CONFLICT (org_id, status) DO UPDATE SET n = candidate_counts.n + EXCLUDED.n;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER candidate_counts_ai AFTER INSERT ON candidates
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION candidate_counts_apply();
CREATE TRIGGER candidate_counts_ad AFTER DELETE ON candidates
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION candidate_counts_apply();
CREATE TRIGGER candidate_counts_au AFTER UPDATE ON candidates
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION candidate_counts_apply();
