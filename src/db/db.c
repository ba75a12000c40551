/* db.c - the backend-independent half of the storage interface: opening a
 * connection by URL and dispatching to its backend's ops table, the
 * per-thread connection, transactions with retry (db_tx), small helpers,
 * the statement cache shared by both backends, batches, prefetched and
 * deferred reads, and the page data kept across requests (db_keep_version).
 */
#include "db/backend.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/text.h"
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TX_ATTEMPTS 5

static char *process_url;
static _Thread_local db *thread_db;

/* Every per-thread connection is also registered here, so that the server
 * can close the connections of worker threads it does not control (the
 * HTTP thread pool) once those threads are gone. */
#define MAX_THREAD_DBS 256
static db *thread_dbs[MAX_THREAD_DBS];
static pthread_mutex_t thread_dbs_lock = PTHREAD_MUTEX_INITIALIZER;

static void registry_set(db *old, db *new_db)
{
	pthread_mutex_lock(&thread_dbs_lock);
	for (int i = 0; i < MAX_THREAD_DBS; i++)
		if (thread_dbs[i] == old) {
			thread_dbs[i] = new_db;
			break;
		}
	pthread_mutex_unlock(&thread_dbs_lock);
}

void db_close_all_threads(void)
{
	pthread_mutex_lock(&thread_dbs_lock);
	for (int i = 0; i < MAX_THREAD_DBS; i++) {
		db_close(thread_dbs[i]);
		thread_dbs[i] = NULL;
	}
	pthread_mutex_unlock(&thread_dbs_lock);
	thread_db = NULL;
}

void db_set_err(db *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->errmsg, sizeof d->errmsg, fmt, ap);
	va_end(ap);
}

void db_log_sql_error(const db *d, const char *sql)
{
	char flat[81];
	size_t i = 0;
	for (; sql && sql[i] && i < sizeof flat - 1; i++)
		flat[i] = (sql[i] == '\n' || sql[i] == '\t' || sql[i] == '\r') ? ' '
			  : sql[i] == '"' ? '\'' : sql[i];
	flat[i] = '\0';
	metric_inc(M_DB_ERRORS);
	log_error("msg=\"%s error\" err=\"%s\" sql=\"%s\"", d->ops->name, d->errmsg, flat);
}

int db_open(const char *url, db **out, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (url && strncmp(url, "sqlite:", 7) == 0)
		return db_sqlite_open(url + 7, out, err, errlen);
	if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0))
		return db_pg_open(url, out, err, errlen);
	if (err && errlen)
		snprintf(err, errlen, "unsupported database URL");
	return CLR_EDB;
}

void db_close(db *d)
{
	if (d) {
		db_keep_free(d);
		d->ops->close(d);
	}
}

enum db_kind db_kind(const db *d)
{
	return d->kind;
}

void db_set_url(const char *url)
{
	free(process_url);
	process_url = url ? strdup(url) : NULL;
}

const char *db_url(void)
{
	return process_url;
}

db *db_thread(void)
{
	if (thread_db)
		return thread_db;
	if (!process_url) {
		log_error("msg=\"db_thread: no database URL set\"");
		return NULL;
	}
	char err[512];
	if (db_open(process_url, &thread_db, err, sizeof err) < 0) {
		log_error("msg=\"cannot open database\" err=\"%s\"", err);
		thread_db = NULL;
	} else {
		registry_set(NULL, thread_db);
	}
	return thread_db;
}

void db_thread_close(void)
{
	if (thread_db)
		registry_set(thread_db, NULL);
	db_close(thread_db);
	thread_db = NULL;
}

/* CLR_SLOW_SQL_MS=N logs every statement that takes N ms or more (with its
 * first 80 characters); unset: nothing is timed. */
static double slow_ms(void)
{
	static double ms = -2;
	if (ms == -2) {
		const char *e = getenv("CLR_SLOW_SQL_MS");
		ms = e && *e ? atof(e) : -1;
	}
	return ms;
}

static void slow_log(const db *d, const char *sql, double t0)
{
	double took = mono_ms() - t0;
	if (took >= slow_ms())
		log_info("msg=\"slow statement\" ms=%.1f backend=%s sql=\"%.80s\"", took, d->ops->name, sql);
}

/* ---------------------------------------------------------- deferral */

void db_defer(db *d, struct db_deferred *x)
{
	x->state = 1;
	d->defer = x;
}

/* The deferred check's verdict on its rows (rc: the statement's). */
static int defer_settle(db *d, int rc)
{
	struct db_deferred *x = d->defer;
	if (rc >= 0)
		rc = x->check(x->ctx, x->st.rows);
	x->state = rc < 0 ? rc : 0;
	return x->state;
}

/* Runs the pending deferred statement alone: its outcome (0 or < 0); 0
 * when none is pending. */
static int defer_flush(db *d)
{
	struct db_deferred *x = d->defer;
	if (!x)
		return 0;
	if (x->state != 1)
		return x->state;
	*x->st.rows = (db_rows){0, 0, NULL};
	return defer_settle(d, d->ops->query(d, x->a, x->st.rows, x->st.sql, x->st.n, x->st.params));
}

int db_defer_end(db *d)
{
	int rc = defer_flush(d);
	d->defer = NULL;
	return rc;
}

static int run_batch(db *d, arena *a, struct db_stmt *st, int count);

/* db_query()/db_batch() with a deferred statement pending: one batch, the
 * deferred one first; its verdict before anything is returned. */
static int batch_with_defer(db *d, arena *a, struct db_stmt *st, int count)
{
	struct db_deferred *x = d->defer;
	struct db_stmt *all = arena_alloc(a, sizeof *all * (size_t)(count + 1));
	all[0] = x->st;
	memcpy(all + 1, st, sizeof *st * (size_t)count);
	*x->st.rows = (db_rows){0, 0, NULL};
	int rc = run_batch(d, a, all, count + 1);
	int verdict = defer_settle(d, all[0].rc);
	if (verdict < 0) {
		for (int i = 0; i < count; i++) {
			st[i].rc = verdict;
			if (st[i].rows)
				*st[i].rows = (db_rows){0, 0, NULL};
		}
		return verdict;
	}
	memcpy(st, all + 1, sizeof *st * (size_t)count);
	return rc;
}

/* ------------------------------------------ data kept across requests
 *
 * Sets of KEEP_WAYS entries chosen by a hash of the SQL text and
 * parameters; each entry is one malloc'd block (its SQL, parameters and
 * cells).  Big answers are not kept: what is kept is a page's small reads
 * (counters, balances, the group names). */
#define KEEP_SLOTS 256
#define KEEP_WAYS 4
#define KEEP_MAX_BYTES (64 * 1024)

struct keep_entry {
	long long org, ver; /* ver 0: empty */
	const char *sql;
	int n;
	const char **params;
	db_rows rows;
	char *blk;
};

struct db_keep {
	struct keep_entry e[KEEP_SLOTS];
	unsigned next; /* the way replaced next when a set is full */
};

static unsigned keep_hash(const char *sql, int n, const char *const *params)
{
	uint32_t h = 2166136261u;
	for (const char *c = sql; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	for (int i = 0; i < n; i++) {
		h = (h ^ 0xffu) * 16777619u;
		for (const char *c = params[i] ? params[i] : ""; *c; c++)
			h = (h ^ (unsigned char)*c) * 16777619u;
	}
	return h % (KEEP_SLOTS / KEEP_WAYS) * KEEP_WAYS; /* the set's first entry */
}

static int same_stmt(const char *sql1, int n1, const char *const *p1, const char *sql2, int n2, const char *const *p2)
{
	if (n1 != n2 || (sql1 != sql2 && strcmp(sql1, sql2) != 0))
		return 0;
	for (int p = 0; p < n1; p++)
		if (!((!p1[p] && !p2[p]) || (p1[p] && p2[p] && strcmp(p1[p], p2[p]) == 0)))
			return 0;
	return 1;
}

static void keep_off(db *d)
{
	d->keep_ver = 0;
	d->keep_hits = 0;
}

void db_keep_version(db *d, long long org_id, long long version)
{
	if (!d->ops->batch || org_id <= 0 || version <= 0) {
		d->keep_ver = 0;
		return;
	}
	d->keep_org = org_id;
	d->keep_ver = version;
}

int db_keep_hits(const db *d)
{
	return d->keep_hits;
}

void db_keep_free(db *d)
{
	if (!d->keep)
		return;
	for (int i = 0; i < KEEP_SLOTS; i++)
		free(d->keep->e[i].blk);
	free(d->keep);
	d->keep = NULL;
}

/* The entry kept for this statement at the version known now, or NULL. */
static struct keep_entry *keep_find(db *d, const char *sql, int n, const char *const *params)
{
	if (!d->keep || d->keep_ver <= 0)
		return NULL;
	struct keep_entry *set = &d->keep->e[keep_hash(sql, n, params)];
	for (int w = 0; w < KEEP_WAYS; w++) {
		struct keep_entry *e = &set[w];
		if (e->ver == d->keep_ver && e->org == d->keep_org && same_stmt(e->sql, e->n, e->params, sql, n, params))
			return e;
	}
	return NULL;
}

/* The kept rows of this statement at the version known now, copied into
 * the arena (a later db_prefetch() may replace the entry), or 0. */
static int keep_take(db *d, arena *a, db_rows *out, const char *sql, int n, const char *const *params)
{
	struct keep_entry *e = keep_find(d, sql, n, params);
	if (!e)
		return 0;
	size_t nc = (size_t)e->rows.nrows * (size_t)e->rows.ncols;
	const char **cells = arena_alloc(a, sizeof *cells * (nc ? nc : 1));
	for (size_t i = 0; i < nc; i++)
		cells[i] = e->rows.cells[i] ? arena_strdup(a, e->rows.cells[i]) : NULL;
	*out = (db_rows){e->rows.nrows, e->rows.ncols, cells};
	d->keep_hits++;
	return 1;
}

/* The tables whose every write moves org_versions.v (migration 0020): a
 * kept statement may read these and nothing else. */
static const char *const COVERED[] = {"stock_balances", "candidate_counts", "groups", "organisations", "products", NULL};

int db_keep_covers(const char *sql)
{
	for (const char *p = sql; *p;) {
		while (*p && !((*p | 32) >= 'a' && (*p | 32) <= 'z') && *p != '_')
			p++;
		const char *w = p;
		while (((*p | 32) >= 'a' && (*p | 32) <= 'z') || *p == '_' || (*p >= '0' && *p <= '9'))
			p++;
		size_t n = (size_t)(p - w);
		if (!((n == 4 && strncasecmp(w, "FROM", 4) == 0) || (n == 4 && strncasecmp(w, "JOIN", 4) == 0)))
			continue;
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '(')
			continue; /* a subquery: its own FROM follows */
		const char *t = p;
		while (((*p | 32) >= 'a' && (*p | 32) <= 'z') || *p == '_' || (*p >= '0' && *p <= '9'))
			p++;
		int ok = 0;
		for (int i = 0; COVERED[i] && !ok; i++)
			ok = strlen(COVERED[i]) == (size_t)(p - t) && strncmp(COVERED[i], t, (size_t)(p - t)) == 0;
		if (!ok)
			return 0;
	}
	return 1;
}

/* Keeps a statement's rows under the version known now (db_query_stmt()). */
static void keep_store(db *d, const struct db_stmt *st)
{
	if (!st->org || st->org != d->keep_org || d->keep_ver <= 0 || st->rc < 0 || !st->rows)
		return;
	if (!db_keep_covers(st->sql)) { /* a statement marked by mistake: read each time */
		log_error("msg=\"kept statement reads a table org_versions does not cover\" sql=\"%.80s\"", st->sql);
		return;
	}
	const db_rows *r = st->rows;
	size_t nc = (size_t)r->nrows * (size_t)r->ncols;
	size_t bytes = strlen(st->sql) + 1;
	for (int i = 0; i < st->n; i++)
		bytes += st->params[i] ? strlen(st->params[i]) + 1 : 0;
	for (size_t i = 0; i < nc; i++)
		bytes += r->cells[i] ? strlen(r->cells[i]) + 1 : 0;
	if (bytes > KEEP_MAX_BYTES)
		return;
	if (!d->keep && !(d->keep = calloc(1, sizeof *d->keep)))
		return;
	size_t ptrs = sizeof(char *) * ((size_t)st->n + nc);
	char *blk = malloc(ptrs + bytes);
	if (!blk)
		return;
	/* the set's entry of this statement (another version), else an empty
	 * one, else the next in turn */
	struct keep_entry *set = &d->keep->e[keep_hash(st->sql, st->n, st->params)], *e = NULL;
	for (int w = 0; w < KEEP_WAYS && !e; w++)
		if (set[w].ver && same_stmt(set[w].sql, set[w].n, set[w].params, st->sql, st->n, st->params))
			e = &set[w];
	for (int w = 0; w < KEEP_WAYS && !e; w++)
		if (!set[w].ver)
			e = &set[w];
	if (!e)
		e = &set[d->keep->next++ % KEEP_WAYS];
	free(e->blk);
	const char **params = (const char **)blk;
	const char **cells = (const char **)blk + st->n;
	char *o = blk + ptrs;
#define KEEP_COPY(dst, src)                         	do {                                        		if (src) {                          			size_t l_ = strlen(src) + 1; 			memcpy(o, src, l_);         			dst = o;                    			o += l_;                    		} else {                            			dst = NULL;                 		}                                   	} while (0)
	KEEP_COPY(e->sql, st->sql);
	for (int i = 0; i < st->n; i++)
		KEEP_COPY(params[i], st->params[i]);
	for (size_t i = 0; i < nc; i++)
		KEEP_COPY(cells[i], r->cells[i]);
#undef KEEP_COPY
	e->blk = blk;
	e->n = st->n;
	e->params = params;
	e->rows = (db_rows){r->nrows, r->ncols, cells};
	e->org = d->keep_org;
	e->ver = d->keep_ver;
}

/* ---------------------------------------------------------- prefetch */

int db_prefetch(db *d, arena *a, struct db_stmt *st, int count)
{
	d->kept = NULL;
	d->nkept = 0;
	if (!d->ops->batch || count <= 0)
		return 0;
	/* what is kept at the current version is answered from memory by
	 * db_query(); the rest goes in the batch */
	struct db_stmt *k = arena_alloc(a, sizeof *k * (size_t)count);
	int nk = 0;
	for (int i = 0; i < count; i++) {
		if (st[i].org && keep_find(d, st[i].sql, st[i].n, st[i].params))
			continue;
		k[nk] = st[i];
		k[nk].rows = arena_alloc(a, sizeof *k[nk].rows);
		nk++;
	}
	if (!nk)
		return 0;
	int rc = db_batch(d, a, k, nk);
	if (rc < 0)
		return rc;
	d->kept = k; /* kept across requests when read (db_query_stmt()) */
	d->nkept = nk;
	return 0;
}

/* The kept rows of this statement (forgotten once taken), or 0. */
static int take_kept(db *d, db_rows *out, const char *sql, int n, const char *const *params)
{
	for (int i = 0; i < d->nkept; i++) {
		struct db_stmt *k = &d->kept[i];
		if (!k->rows || !same_stmt(k->sql, k->n, k->params, sql, n, params))
			continue;
		*out = *k->rows;
		k->rows = NULL;
		return 1;
	}
	return 0;
}

static void forget_kept(db *d)
{
	d->kept = NULL;
	d->nkept = 0;
}

/* Before a write: what db_prefetch() kept is forgotten, and the deferred
 * statement runs alone (its verdict first). */
#define DEFER_BEFORE_WRITE(d)                    \
	do {                                     \
		forget_kept(d);                  \
		keep_off(d);                     \
		int drc_ = defer_flush(d);       \
		if (drc_ < 0)                    \
			return drc_;             \
	} while (0)

/* ---------------------------------------------------------- statements */

int db_exec(db *d, const char *sql, int n, const char *const *params)
{
	d->retryable = 0;
	DEFER_BEFORE_WRITE(d);
	if (slow_ms() < 0)
		return d->ops->exec(d, sql, n, params);
	double t0 = mono_ms();
	int rc = d->ops->exec(d, sql, n, params);
	slow_log(d, sql, t0);
	return rc;
}

int db_query(db *d, arena *a, db_rows *out, const char *sql, int n, const char *const *params)
{
	d->retryable = 0;
	out->nrows = out->ncols = 0;
	out->cells = NULL;
	if (d->nkept && take_kept(d, out, sql, n, params))
		return 0;
	if (d->keep_ver > 0 && keep_take(d, a, out, sql, n, params))
		return 0;
	if (d->defer) {
		if (d->defer->state < 0)
			return d->defer->state;
		if (d->defer->state == 1) {
			struct db_stmt st = {sql, n, params, out, 0, 0};
			return batch_with_defer(d, a, &st, 1);
		}
	}
	if (slow_ms() < 0)
		return d->ops->query(d, a, out, sql, n, params);
	double t0 = mono_ms();
	int rc = d->ops->query(d, a, out, sql, n, params);
	slow_log(d, sql, t0);
	return rc;
}

int db_query_stmt(db *d, arena *a, db_rows *out, const struct db_stmt *st)
{
	int hits = d->keep_hits;
	int rc = db_query(d, a, out, st->sql, st->n, st->params);
	if (rc >= 0 && st->org && d->keep_hits == hits) {
		struct db_stmt k = *st;
		k.rows = out;
		k.rc = 0;
		keep_store(d, &k);
	}
	return rc;
}

static int run_batch(db *d, arena *a, struct db_stmt *st, int count)
{
	double t0 = slow_ms() < 0 ? 0 : mono_ms();
	int rc = 0;
	if (d->ops->batch) {
		rc = d->ops->batch(d, a, st, count);
	} else {
		for (int i = 0; i < count && rc >= 0; i++) {
			st[i].rc = st[i].rows ? d->ops->query(d, a, st[i].rows, st[i].sql, st[i].n, st[i].params)
					      : d->ops->exec(d, st[i].sql, st[i].n, st[i].params);
			if (st[i].rc < 0)
				rc = st[i].rc;
		}
	}
	if (slow_ms() >= 0 && count > 0)
		slow_log(d, st[0].sql, t0);
	return rc < 0 ? rc : 0;
}

int db_batch(db *d, arena *a, struct db_stmt *st, int count)
{
	d->retryable = 0;
	for (int i = 0; i < count; i++) {
		st[i].rc = CLR_EDB;
		if (st[i].rows)
			*st[i].rows = (db_rows){0, 0, NULL};
	}
	if (count <= 0)
		return 0;
	if (d->defer) {
		if (d->defer->state < 0)
			return d->defer->state;
		if (d->defer->state == 1)
			return batch_with_defer(d, a, st, count);
	}
	return run_batch(d, a, st, count);
}

unsigned long db_trips(const db *d)
{
	return d ? d->trips : 0;
}

unsigned long db_thread_trips(void)
{
	return db_trips(thread_db);
}

int db_exec_script(db *d, const char *sql)
{
	d->retryable = 0;
	DEFER_BEFORE_WRITE(d);
	return d->ops->exec_script(d, sql);
}

int db_begin(db *d)
{
	d->retryable = 0;
	DEFER_BEFORE_WRITE(d);
	return d->ops->begin(d);
}

int db_commit(db *d)
{
	d->retryable = 0;
	return d->ops->commit(d);
}

int db_rollback(db *d)
{
	return d->ops->rollback(d);
}

int db_read_begin(db *d)
{
	keep_off(d);
	return d->ops->read_begin ? d->ops->read_begin(d) : 0;
}

int db_read_end(db *d)
{
	forget_kept(d);
	keep_off(d);
	return d->ops->read_end ? d->ops->read_end(d) : 0;
}

int db_in_tx(const db *d)
{
	return d->ops->in_tx(d);
}

const char *db_errmsg(db *d)
{
	return d->errmsg;
}

void db_set_wait(db *d, long ms)
{
	d->wait_set = ms >= 0;
	d->wait_ms = ms < 0 ? 0 : ms;
}

int db_last_retryable(db *d)
{
	return d->retryable;
}

const char *db_int(arena *a, long long v)
{
	return ll_fmt(a, "", v); /* "%lld" without vsnprintf: several per request (docs/PERFORMANCE.md, run 6) */
}

long long db_ll(const db_rows *r, int row, int col)
{
	/* atoll() without strtoll's locale and base handling: one per row and
	 * integer column read (docs/PERFORMANCE.md, run 7).  Same result:
	 * leading white space, a sign, digits up to the first other byte,
	 * clamped like strtoll() on overflow. */
	const char *s = db_cell(r, row, col);
	if (!s)
		return 0;
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	int neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	unsigned long long u = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (u > (lim - d) / 10) {
			u = lim;
			break;
		}
		u = u * 10 + d;
	}
	return neg ? (long long)(0ULL - u) : (long long)u;
}

/* Sleeps 5..50 ms times the attempt number, randomised so that two
 * conflicting writers do not collide again in lock-step. */
static void backoff(int attempt)
{
	static _Thread_local uint32_t seed;
	if (!seed)
		seed = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)&seed ^ (uint32_t)clock();
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	long ms = (5 + (long)(seed % 46)) * (attempt + 1);
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Inside an open transaction, fn simply runs in it (the outermost db_tx
 * owns commit, rollback and retries). */
int db_tx(db *d, int (*fn)(db *d, void *ctx), void *ctx)
{
	if (db_in_tx(d))
		return fn(d, ctx);
	int rc = CLR_EDB;
	for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		if (attempt > 0)
			backoff(attempt);
		rc = db_begin(d);
		if (rc < 0) {
			if (db_last_retryable(d))
				continue;
			return rc;
		}
		rc = fn(d, ctx);
		if (rc < 0) {
			int retry = db_last_retryable(d);
			db_rollback(d);
			if (retry)
				continue;
			return rc;
		}
		rc = db_commit(d);
		if (rc >= 0)
			return 0;
		int retry = db_last_retryable(d);
		if (db_in_tx(d))
			db_rollback(d);
		if (!retry)
			return rc;
	}
	log_error("msg=\"transaction failed after retries\" attempts=%d err=\"%s\"", TX_ATTEMPTS,
		  d->errmsg);
	return rc;
}
