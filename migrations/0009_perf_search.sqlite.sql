-- 0009_perf_search (SQLite): an organisation-scoped substring index.
-- candidates_fts (0004) answered a substring with the matching rowids of
-- every organisation, and the list then kept its own (for "mart": 16 542
-- matches in 1 000 000 rows, 1 668 in the big organisation; 19-21 ms to
-- count them, twice per search page).  This contentless FTS5 trigram table
-- numbers each row org_id * 2^32 + id, so one organisation's rows form one
-- rowid range and `MATCH ... AND rowid BETWEEN org * 2^32 AND org * 2^32 +
-- 2^32 - 1` decodes only that organisation's part of each trigram's doclist
-- (2 ms for the same count).  Candidate ids stay below 2^32.  Kept by
-- triggers like candidates_fts, which it replaces.  Figures:
-- docs/PERFORMANCE.md (Change 4); read by candidate_filter().
DROP TRIGGER IF EXISTS candidates_fts_ai;
DROP TRIGGER IF EXISTS candidates_fts_ad;
DROP TRIGGER IF EXISTS candidates_fts_au;
DROP TABLE IF EXISTS candidates_fts;
CREATE VIRTUAL TABLE candidates_org_fts USING fts5(search, content='', tokenize='trigram');
INSERT INTO candidates_org_fts(rowid, search) SELECT org_id * 4294967296 + id, search FROM candidates;
CREATE TRIGGER candidates_org_fts_ai AFTER INSERT ON candidates BEGIN
	INSERT INTO candidates_org_fts(rowid, search) VALUES (new.org_id * 4294967296 + new.id, new.search);
END;
CREATE TRIGGER candidates_org_fts_ad AFTER DELETE ON candidates BEGIN
	INSERT INTO candidates_org_fts(candidates_org_fts, rowid, search)
		VALUES ('delete', old.org_id * 4294967296 + old.id, old.search);
END;
CREATE TRIGGER candidates_org_fts_au AFTER UPDATE OF search, org_id ON candidates BEGIN
	INSERT INTO candidates_org_fts(candidates_org_fts, rowid, search)
		VALUES ('delete', old.org_id * 4294967296 + old.id, old.search);
	INSERT INTO candidates_org_fts(rowid, search) VALUES (new.org_id * 4294967296 + new.id, new.search);
END;
