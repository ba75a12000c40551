-- 0010_perf_list (SQLite): the list page's default order (name) read from
-- one index.  candidates_org_name (0004) gave the order, then each of the
-- page's 50 rows was a seek into the candidates table for its cells
-- (sqlite3BtreeTableMoveto and record decoding of a ~500-byte row).  The
-- same index, carrying the columns the list shows, answers the page alone.
-- Same name, so `INDEXED BY candidates_org_name` (candidate_list(), the
-- search walk) keeps working.  Figures and import cost: docs/PERFORMANCE.md
-- (run 5).
DROP INDEX IF EXISTS candidates_org_name;
CREATE INDEX candidates_org_name ON candidates(org_id, sort_name, id, last_name, first_name, email, status, exam_date);
