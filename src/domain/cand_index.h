/* cand_index.h - an in-memory search index of a large organisation's
 * candidate list, kept by `clr serve`.
 *
 * What it is for: on an organisation of 100 000 candidates, a substring
 * search through the database (FTS5 trigram on SQLite, pg_trgm on
 * PostgreSQL) costs milliseconds per keystroke (counting the matches and
 * finding the first page in name order), and a deep page costs an index walk
 * of its offset.  The index holds, for one organisation, its candidates in
 * the list's name order (ids, statuses and folded search texts) and a trigram
 * posting list per three bytes of those texts; a search or a page is then a
 * few list intersections and substring checks in memory, and its rows (name,
 * e-mail, status, date) come from the index too.
 *
 * Exactness: an index is built from one consistent read of the organisation
 * at a list version (SUM(v) of its candidate_counts rows, migration
 * 0011_list_version: every insert, delete, status or name change increments
 * it in the same transaction).  The list reads that version with its total
 * in the statement it runs anyway, and uses the index only when versions are
 * equal; otherwise it answers from the database and the index is rebuilt in
 * the background (cand_index_worker).  So results are those of the SQL path,
 * on one server or several sharing a database.
 *
 * Memory: indexes are kept for organisations of at least CLR_LIST_INDEX_MIN
 * candidates (default 2 000; 0 disables the index), within CLR_LIST_INDEX_MB
 * megabytes in all (default 64), least recently used dropped first.  About
 * 220 bytes per candidate.  Without cand_index_enable() (every command but
 * `clr serve`), cand_index_get() always answers NULL.
 *
 * Thread safety: indexes are immutable once built and reference counted;
 * any thread may get/find/put. */
#ifndef CLR_CAND_INDEX_H
#define CLR_CAND_INDEX_H
#include "core/arena.h"
#include <stdatomic.h>
#include "db/db.h"
#include "domain/candidate.h"

struct cand_index;

/* Reads CLR_LIST_INDEX_MIN and CLR_LIST_INDEX_MB; call once before the
 * server starts, then run cand_index_worker on a background thread. */
void cand_index_enable(void);
/* Whether cand_index_enable() turned the index on (cheap). */
int cand_index_enabled(void);
/* The background builder: builds the indexes requested by cand_index_get()
 * until *stop, then drops every index. */
void cand_index_worker(atomic_int *stop);

/* A reference to the index of ORG_ID at list version VERSION, or NULL
 * (index disabled, organisation smaller than the minimum, or no index at
 * that version yet: then a build is requested).  TOTAL is the
 * organisation's number of candidates.  Release with cand_index_put(). */
struct cand_index *cand_index_get(long long org_id, long long version, long long total);
void cand_index_put(struct cand_index *ix);

/* Builds the index of ORG_ID from D now (what the worker does), or NULL on
 * a database error.  Release with cand_index_put().  For tests and benches. */
struct cand_index *cand_index_build(db *d, long long org_id);

/* The candidates whose search text contains FOLDED (already folded with
 * text_fold(); "" = all), with status index STATUS in cand_statuses (-1 =
 * any), in name order (DESC: reversed): *TOTAL matches, and those at OFFSET
 * .. OFFSET + LIMIT - 1 in ROWS (at most LIMIT, arena-owned copies; *N
 * set). */
void cand_index_find(const struct cand_index *ix, arena *a, const char *folded, int status, int desc,
		     long long offset, int limit, long long *total, struct candidate_row *rows, int *n);

/* The list version of ORG_ID (SUM(v) of its candidate_counts rows), as an
 * index is built at; -1 on a database error. */
long long cand_index_version(db *d, arena *a, long long org_id);

/* The memory IX holds, in bytes (bench-index). */
size_t cand_index_bytes(const struct cand_index *ix);

/* Counters for tests and logs: indexes built since start, searches served. */
struct cand_index_stats {
	long long builds, hits;
	long long count; /* indexes held now */
	size_t bytes; /* held now */
};
void cand_index_stats(struct cand_index_stats *out);

#endif
