-- 0008_perf_search (SQLite): the FTS5 trigram index answers a substring
-- with the matching rowids of every organisation; the list then keeps its
-- own organisation's.  Without this index each match costs a seek into the
-- candidates table (a random page read: 88-158 ms for "mart", 16 542
-- matches in 1 000 000 rows); with it, a probe of (org_id, rowid) in a
-- compact index (27 ms).  Figures: docs/PERFORMANCE.md.
CREATE INDEX IF NOT EXISTS candidates_org_id ON candidates(org_id);
