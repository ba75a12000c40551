-- 0004_candidates_search (SQLite): substring search on candidates.search
-- through an FTS5 trigram index (external content, kept by triggers).
-- Queries shorter than three characters fall back to LIKE (see candidate.c).
CREATE VIRTUAL TABLE candidates_fts USING fts5(search, content='candidates', content_rowid='id', tokenize='trigram');
CREATE TRIGGER candidates_fts_ai AFTER INSERT ON candidates BEGIN
	INSERT INTO candidates_fts(rowid, search) VALUES (new.id, new.search);
END;
CREATE TRIGGER candidates_fts_ad AFTER DELETE ON candidates BEGIN
	INSERT INTO candidates_fts(candidates_fts, rowid, search) VALUES ('delete', old.id, old.search);
END;
CREATE TRIGGER candidates_fts_au AFTER UPDATE OF search ON candidates BEGIN
	INSERT INTO candidates_fts(candidates_fts, rowid, search) VALUES ('delete', old.id, old.search);
	INSERT INTO candidates_fts(rowid, search) VALUES (new.id, new.search);
END;
