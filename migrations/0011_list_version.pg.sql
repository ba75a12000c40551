-- 0011_list_version (PostgreSQL): a version of each organisation's
-- candidate list, so that the in-memory search index of clr serve
-- (src/domain/cand_index.c) knows, with the one statement the list already
-- runs, whether the copy it holds is still exact.  candidate_counts gets a
-- column v that every statement inserting, deleting or updating candidates
-- increments (never decrements) on each (organisation, status) it touches:
-- SUM(v) over an organisation's rows grows with every change of its list,
-- in the same transaction as the change, on every server.  (A trigger with
-- transition tables cannot name columns, so any UPDATE counts.)
ALTER TABLE candidate_counts ADD COLUMN v BIGINT NOT NULL DEFAULT 0;
CREATE OR REPLACE FUNCTION candidate_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO candidate_counts (org_id, status, n, v)
			SELECT org_id, status, COUNT(*), 1 FROM new_rows GROUP BY org_id, status
			ON CONFLICT (org_id, status) DO UPDATE
			SET n = candidate_counts.n + EXCLUDED.n, v = candidate_counts.v + 1;
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE candidate_counts c SET n = c.n - d.k, v = c.v + 1
			FROM (SELECT org_id, status, COUNT(*) AS k FROM old_rows GROUP BY org_id, status) d
			WHERE c.org_id = d.org_id AND c.status = d.status;
	ELSE
		INSERT INTO candidate_counts (org_id, status, n, v)
			SELECT org_id, status, SUM(k), 1 FROM (
				SELECT org_id, status, -1 AS k FROM old_rows
				UNION ALL SELECT org_id, status, 1 FROM new_rows) x
			GROUP BY org_id, status
			ON CONFLICT (org_id, status) DO UPDATE
			SET n = candidate_counts.n + EXCLUDED.n, v = candidate_counts.v + 1;
	END IF;
	RETURN NULL;
END $$;
