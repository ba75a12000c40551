/* sqlite.c - the SQLite backend of db.h.
 *
 * One connection per thread (opened NOMUTEX), in WAL mode with
 * synchronous=NORMAL, foreign keys on and a 5 s busy timeout.  Statements are
 * prepared once and cached by SQL text; placeholders $1..$N are SQLite named
 * parameters, bound by name so that their order in the SQL does not matter
 * (by index at once when they appear in order, see struct sq_st).
 * Constraint violations map to CLR_ECONFLICT, BUSY/LOCKED are retryable;
 * a full disk or a read-only file is CLR_EUNAVAIL.  A database file that
 * cannot be written (permissions, a read-only file system) is opened
 * read-only: pages are served and every write fails with CLR_EUNAVAIL.
 */
#include "db/backend.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq {
	struct db base;
	sqlite3 *h;
	int snap; /* a read snapshot is open (db_read_begin()) */
	struct strmap cache; /* copy_keys */
};

#define SQ(d) ((struct sq *)(d))

/* Records the failure rc of sql; returns the matching clr_err.  A store
 * that cannot take a write now (disk full, a read-only file or file
 * system, an I/O error, a file that cannot be opened) is CLR_EUNAVAIL:
 * the transaction was rolled back, the HTTP layer answers 503. */
static int fail(struct sq *s, int rc, const char *sql)
{
	int prim = rc & 0xff;
	db_set_err(&s->base, "%s", sqlite3_errmsg(s->h));
	if (prim == SQLITE_CONSTRAINT)
		return CLR_ECONFLICT;
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		s->base.retryable = 1;
	db_log_sql_error(&s->base, sql);
	if (prim == SQLITE_FULL || prim == SQLITE_READONLY || prim == SQLITE_IOERR || prim == SQLITE_CANTOPEN ||
	    prim == SQLITE_PERM)
		return CLR_EUNAVAIL;
	return CLR_EDB;
}

/* A prepared statement and whether its parameters are exactly $1..$N in
 * index order (then $k binds to index k directly: sqlite3's lookups by name
 * or of a name by index are linear, quadratic for the bulk import's
 * multi-row INSERTs).  Computed once per prepare. */
struct sq_st {
	sqlite3_stmt *st;
	int ordered;
};

static void finalize(void *v)
{
	struct sq_st *p = v;
	sqlite3_finalize(p->st);
	free(p);
}

static int params_ordered(sqlite3_stmt *st)
{
	int n = sqlite3_bind_parameter_count(st);
	for (int i = 1; i <= n; i++) {
		char name[16];
		snprintf(name, sizeof name, "$%d", i);
		const char *got = sqlite3_bind_parameter_name(st, i);
		if (!got || strcmp(got, name) != 0)
			return 0;
	}
	return 1;
}

/* Finds or prepares sql and binds params.  *cached tells whether the
 * statement belongs to the cache (reset it) or not (finalize it).  *out is
 * NULL for SQL without a statement (blank or comment only). */
static int prepare(struct sq *s, const char *sql, int n, const char *const *params,
		   sqlite3_stmt **out, int *cached)
{
	struct sq_st *p = strmap_get(&s->cache, sql, NULL);
	*cached = 1;
	if (!p) {
		sqlite3_stmt *st0 = NULL;
		int rc = sqlite3_prepare_v3(s->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st0, NULL);
		if (rc != SQLITE_OK)
			return fail(s, rc, sql);
		if (!st0) {
			*out = NULL;
			return 0;
		}
		p = malloc(sizeof *p);
		if (!p)
			abort();
		p->st = st0;
		p->ordered = params_ordered(st0);
		if (s->cache.n >= STMT_CACHE_MAX || strmap_put(&s->cache, sql, p, NULL) < 0)
			*cached = 0;
	}
	sqlite3_stmt *st = p->st;
	int count = sqlite3_bind_parameter_count(st);
	for (int i = 0; i < n; i++) {
		int idx;
		if (p->ordered) {
			idx = i < count ? i + 1 : 0;
		} else {
			char name[16];
			snprintf(name, sizeof name, "$%d", i + 1);
			idx = sqlite3_bind_parameter_index(st, name);
		}
		if (!idx)
			continue;
		/* SQLITE_STATIC, not a copy: params outlive the statement's run,
		 * and release() clears the bindings before the caller returns */
		int rc = params[i] ? sqlite3_bind_text(st, idx, params[i], -1, SQLITE_STATIC)
				   : sqlite3_bind_null(st, idx);
		if (rc != SQLITE_OK) {
			rc = fail(s, rc, sql);
			sqlite3_clear_bindings(st);
			if (!*cached)
				finalize(p);
			return rc;
		}
	}
	if (!*cached)
		free(p); /* the caller finalizes st itself */
	*out = st;
	return 0;
}

static void release(sqlite3_stmt *st, int cached)
{
	if (!st)
		return;
	if (cached) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else {
		sqlite3_finalize(st);
	}
}

static void snap_end(struct sq *s);

static int sq_exec(db *d, const char *sql, int n, const char *const *params)
{
	struct sq *s = SQ(d);
	sqlite3_stmt *st;
	int cached;
	int rc = prepare(s, sql, n, params, &st, &cached);
	if (rc < 0 || !st)
		return rc;
	s->base.trips++;
	if (s->snap && !sqlite3_stmt_readonly(st))
		snap_end(s); /* a write commits on its own, as without a snapshot */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		rc = fail(s, rc, sql);
	else
		rc = sqlite3_stmt_readonly(st) ? 0 : sqlite3_changes(s->h);
	release(st, cached);
	return rc;
}

/* Columns up to which sq_query() copies a row in one arena block. */
#define ROW_MAXC 32
/* Cell c of the current row as text: *text (NULL for SQL NULL) and *len;
 * returns the room it takes in the row's block (len + 1, or 0).  One API
 * call per cell through sqlite3_column_value() instead of
 * sqlite3_column_text() + sqlite3_column_bytes(), each of which enters
 * and leaves the connection (mutex, error state); integers are written in
 * decimal by ll_fmt() rather than converted inside SQLite (its conversion
 * also stores the text into the result row).  Same text as "%lld", as
 * sqlite3_column_text() gives.  The value is an "unprotected" one: fine
 * on a connection that only one thread uses (SQLITE_OPEN_NOMUTEX, below).
 * docs/PERFORMANCE.md, run 7. */
static size_t cell_text(arena *a, sqlite3_stmt *st, int c, const char **text, size_t *len)
{
	sqlite3_value *v = sqlite3_column_value(st, c);
	switch (sqlite3_value_type(v)) {
	case SQLITE_NULL:
		*text = NULL;
		return 0;
	case SQLITE_INTEGER:
		*text = ll_fmt(a, "", sqlite3_value_int64(v));
		*len = strlen(*text);
		return *len + 1;
	default:
		*text = (const char *)sqlite3_value_text(v);
		if (!*text)
			return 0; /* out of memory converting: as sqlite3_column_text() */
		*len = (size_t)sqlite3_value_bytes(v);
		return *len + 1;
	}
}

static int sq_query(db *d, arena *a, db_rows *out, const char *sql, int n,
		    const char *const *params)
{
	struct sq *s = SQ(d);
	sqlite3_stmt *st;
	int cached;
	int rc = prepare(s, sql, n, params, &st, &cached);
	if (rc < 0 || !st)
		return rc;
	s->base.trips++;
	if (s->snap && !sqlite3_stmt_readonly(st))
		snap_end(s); /* INSERT ... RETURNING */
	int ncols = sqlite3_column_count(st), nrows = 0;
	size_t cap = 0, len = 0;
	/* the cell pointers go straight into the arena, doubling as needed
	 * (the smaller arrays left behind are the arena's to free) rather
	 * than malloc/realloc, a copy and free (docs/PERFORMANCE.md, run 7) */
	const char **tmp = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len + (size_t)ncols > cap) {
			size_t ncap = cap ? cap * 2 : 64;
			while (ncap < len + (size_t)ncols)
				ncap *= 2;
			const char **nt = arena_alloc_raw(a, ncap * sizeof *nt);
			if (len)
				memcpy(nt, tmp, len * sizeof *tmp);
			tmp = nt;
			cap = ncap;
		}
		if (!ncols) {
			nrows++;
			continue;
		}
		const char **cells = tmp + len;
		if (ncols <= ROW_MAXC) {
			/* one arena block per row, its cells end to end, instead of
			 * one allocation per cell (docs/PERFORMANCE.md, run 6) */
			size_t lens[ROW_MAXC], total = 0;
			for (int c = 0; c < ncols; c++)
				total += cell_text(a, st, c, &cells[c], &lens[c]);
			char *p = total ? arena_alloc_raw(a, total) : NULL;
			for (int c = 0; c < ncols; c++)
				if (cells[c]) {
					memcpy(p, cells[c], lens[c]);
					p[lens[c]] = 0;
					cells[c] = p;
					p += lens[c] + 1;
				}
		} else {
			for (int c = 0; c < ncols; c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				cells[c] = t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, c))
					     : NULL;
			}
		}
		len += (size_t)ncols;
		nrows++;
	}
	if (rc != SQLITE_DONE) {
		rc = fail(s, rc, sql);
	} else {
		rc = 0;
		out->nrows = nrows;
		out->ncols = ncols;
		out->cells = len ? tmp : arena_alloc(a, sizeof *out->cells);
	}
	release(st, cached);
	return rc;
}

static int sq_exec_script(db *d, const char *sql)
{
	struct sq *s = SQ(d);
	char *msg = NULL;
	int rc = sqlite3_exec(s->h, sql, NULL, NULL, &msg);
	sqlite3_free(msg);
	return rc == SQLITE_OK ? 0 : fail(s, rc, sql);
}

/* Ends the read snapshot (a read transaction: COMMIT only releases it). */
static void snap_end(struct sq *s)
{
	s->snap = 0;
	if (!sqlite3_get_autocommit(s->h) && sq_exec(&s->base, "COMMIT", DB_NOP) < 0)
		sq_exec(&s->base, "ROLLBACK", DB_NOP);
}

static int sq_read_begin(db *d)
{
	struct sq *s = SQ(d);
	if (s->snap || !sqlite3_get_autocommit(s->h))
		return 0; /* already reading or writing in a transaction */
	int rc = sq_exec(d, "BEGIN", DB_NOP); /* deferred: the first read takes the snapshot */
	if (rc < 0)
		return rc;
	s->snap = 1;
	return 0;
}

static int sq_read_end(db *d)
{
	struct sq *s = SQ(d);
	if (s->snap)
		snap_end(s);
	return 0;
}

static int sq_begin(db *d)
{
	struct sq *s = SQ(d);
	if (s->snap)
		snap_end(s);
	int rc = sq_exec(d, "BEGIN IMMEDIATE", DB_NOP);
	return rc < 0 ? rc : 0;
}

static int sq_commit(db *d)
{
	int rc = sq_exec(d, "COMMIT", DB_NOP);
	return rc < 0 ? rc : 0;
}

static int sq_in_tx(const db *d)
{
	const struct sq *s = (const struct sq *)d;
	return !s->snap && !sqlite3_get_autocommit(s->h);
}

static int sq_rollback(db *d)
{
	if (!sq_in_tx(d))
		return 0;
	int rc = sq_exec(d, "ROLLBACK", DB_NOP);
	return rc < 0 ? rc : 0;
}

static void sq_close(db *d)
{
	struct sq *s = SQ(d);
	strmap_clear(&s->cache, finalize);
	sqlite3_close_v2(s->h);
	free(s);
}

static const struct db_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.exec = sq_exec,
	.query = sq_query,
	.exec_script = sq_exec_script,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_tx = sq_in_tx,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
};

/* Before SQLite initialises itself (first open): no memory statistics,
 * which nothing reads and which take a global mutex around every
 * sqlite3_malloc()/free() (docs/PERFORMANCE.md, run 7).  A no-op
 * (SQLITE_MISUSE, ignored) if SQLite was already initialised. */
static void sqlite_config_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_sqlite_open(const char *path, db **out, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_config_once);
	if (!*path) {
		snprintf(err, errlen, "empty SQLite path");
		return CLR_EDB;
	}
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close_v2(h);
		return CLR_EDB;
	}
	sqlite3_extended_result_codes(h, 1);
	/* wait for other processes' locks from the very first statement:
	 * journal_mode=WAL itself may meet a writer (many processes opening at once) */
	sqlite3_busy_timeout(h, 5000);
	/* a file we may not write was opened read-only: its journal mode is
	 * what the file says (setting it is a write), the rest is per connection */
	int ro = sqlite3_db_readonly(h, "main") == 1;
	if (ro)
		log_warn("msg=\"database opened read-only: every write will fail\" path=\"%s\"", path);
	char *msg = NULL;
	rc = sqlite3_exec(h,
			  ro ? "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA temp_store=MEMORY;"
			     : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
			       "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; "
			       "PRAGMA temp_store=MEMORY; PRAGMA secure_delete=ON;", /* erased secrets (outbox) leave no trace in free pages */
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_close_v2(h);
		return CLR_EDB;
	}
	struct sq *s = calloc(1, sizeof *s);
	if (!s) {
		sqlite3_close_v2(h);
		snprintf(err, errlen, "out of memory");
		return CLR_ESYS;
	}
	s->base.ops = &sqlite_ops;
	s->base.kind = DB_SQLITE;
	s->cache.copy_keys = 1;
	s->h = h;
	*out = &s->base;
	return 0;
}
