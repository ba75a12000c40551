-- 0004_candidates_search (PostgreSQL): substring search on candidates.search
-- with a pg_trgm GIN index, used by LIKE '%...%' (postgresql-contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX candidates_search_trgm ON candidates USING GIN (search gin_trgm_ops);
