/* db.h - the one storage interface, with two backends: SQLite and PostgreSQL.
 *
 * SQL is written once, with PostgreSQL-style placeholders $1..$N, which both
 * backends accept (SQLite binds them by name).  Every parameter and every
 * result cell crosses this interface as text (NULL pointer = SQL NULL), so
 * callers format integers with db_int() and read them back with atoll().
 * Nothing is ever spliced into SQL text: user input is always bound.
 *
 * Connections are not thread-safe: each worker thread uses its own, obtained
 * with db_thread().  Statements are prepared once per connection and cached,
 * keyed by their SQL text.
 *
 * Timestamps are stored as BIGINT seconds since the Unix epoch (UTC), money
 * as BIGINT cents, booleans as INTEGER 0/1: portable across both backends.
 */
#ifndef CLR_DB_H
#define CLR_DB_H
#include <stddef.h>
#include "core/arena.h"

typedef struct db db;

enum db_kind { DB_SQLITE = 1, DB_PG = 2 };

/* Result set: arena-owned, row-major. */
typedef struct db_rows {
	int nrows;
	int ncols;
	const char **cells; /* nrows * ncols entries; NULL = SQL NULL */
} db_rows;

static inline const char *db_cell(const db_rows *r, int row, int col)
{
	return (row < r->nrows && col < r->ncols) ? r->cells[row * r->ncols + col] : NULL;
}

/* url: "sqlite:PATH" or "postgresql://..." / "postgres://...".
 * On failure returns CLR_EDB and writes a message into err. */
int db_open(const char *url, db **out, char *err, size_t errlen);
void db_close(db *d);
enum db_kind db_kind(const db *d);

/* Process-wide URL for db_thread(). */
void db_set_url(const char *url);
const char *db_url(void);
/* This thread's connection, opened on first use; NULL (logged) on failure. */
db *db_thread(void);
/* Closes this thread's connection, if any (call before a thread exits). */
void db_thread_close(void);
/* Closes every thread's connection (after those threads have stopped). */
void db_close_all_threads(void);

/* Parameters that the SQL does not mention are ignored and missing ones are
 * NULL, on both backends; where PostgreSQL cannot infer a parameter's type,
 * write CAST($1 AS BIGINT) (portable). */
/* Runs one statement.  Returns the number of rows changed (>= 0), or
 * CLR_EDB / CLR_ECONFLICT (unique or check constraint violated) /
 * CLR_EUNAVAIL (the storage cannot serve now: PostgreSQL unreachable or
 * its connection lost with a write's outcome unknown, SQLite's disk full or
 * file read-only; the HTTP layer answers 503).
 *
 * PostgreSQL's lost connections are re-established before use (waiting up
 * to CLR_DB_WAIT_S seconds, 10, for the server); a read-only statement
 * outside a transaction is run again once on the new connection; inside a
 * transaction the loss fails every statement (CLR_EUNAVAIL, retryable:
 * nothing of it committed) until db_rollback().  See pg.c. */
int db_exec(db *d, const char *sql, int n, const char *const *params);
/* Runs one statement and copies its rows into the arena.  0 or negative. */
int db_query(db *d, arena *a, db_rows *out, const char *sql, int n, const char *const *params);
struct db_stmt;
/* db_query() of a described statement (a domain function's *_stmt()): the
 * same, and the rows of a read marked st->org are kept across requests
 * (db_keep_version()). */
int db_query_stmt(db *d, arena *a, db_rows *out, const struct db_stmt *st);
/* Runs several ';'-separated statements without parameters (migrations). */
int db_exec_script(db *d, const char *sql);

/* Transactions.  db_begin() takes the write lock at once on SQLite
 * (BEGIN IMMEDIATE) so that a transaction never fails half-way with BUSY. */
int db_begin(db *d);
int db_commit(db *d);
int db_rollback(db *d);
int db_in_tx(const db *d);

/* One snapshot for the reads of a request (GET): until db_read_end(), the
 * statements read the database as it was at the first of them.  On SQLite
 * a deferred BEGIN: one WAL read lock (and one file lock round of fcntl()
 * calls) per request instead of one per statement.  A write ends it first
 * (a statement that writes, db_begin(), db_tx()): the write commits at
 * once, as without a snapshot, and db_in_tx() stays false inside one.  On
 * PostgreSQL nothing (each statement has its own snapshot; a transaction
 * would cost two round trips). */
int db_read_begin(db *d);
int db_read_end(db *d);

/* A batch: statements sent together.  On PostgreSQL one round trip (libpq's
 * pipeline mode: every statement sent, then one Sync, then every result
 * read); on SQLite they simply run one after another.  Guarantees, on both
 * backends:
 *   - the statements run in order, each as db_query() (rows != NULL) or
 *     db_exec() would run it, and st[i].rc is what that call would return;
 *   - when one fails, the later ones do not run (their rc is CLR_EDB and
 *     their rows empty) and db_batch() returns the first failure's code;
 *     inside a transaction that transaction has failed (roll it back, as
 *     after any failed statement); the connection is usable afterwards;
 *   - outside a transaction a batch is for reads: PostgreSQL runs the
 *     batch as one implicit transaction, SQLite each statement on its own,
 *     so writes belong inside db_tx(), where both agree.  A batch of reads
 *     outside a transaction whose connection is lost is run again once on a
 *     new connection, as db_query() does.
 * The point is fewer round trips: a page reads its independent data in one
 * batch (docs/PERFORMANCE.md, « PostgreSQL round trips »). */
struct db_stmt {
	const char *sql;
	int n;
	const char *const *params;
	db_rows *rows; /* the rows (arena-owned), or NULL: a statement run for its effect */
	int rc;        /* out: 0 (or the rows changed, rows == NULL), or negative */
	long long org; /* non-zero: a read of this organisation's data that only the
			* tables of org_versions (migration 0020) make: db_query_stmt()
			* keeps its rows across requests (db_keep_version()) */
};
int db_batch(db *d, arena *a, struct db_stmt *st, int count);

/* Reads a page will make, run now in one batch (db_batch: one round trip
 * on PostgreSQL) and kept for this request: a later db_query() with the
 * same SQL text and parameters is answered from them without running
 * again (each once).  The domain functions that will read stay as they
 * are; their header offers a *_stmt() that describes their statement.  A
 * write (db_exec(), db_begin(), db_exec_script()) and db_read_end()
 * forget what is kept.  On SQLite, which has no round trip to save,
 * nothing is run or kept.  Returns db_batch()'s code; a failure keeps
 * nothing (each read then runs when asked and reports its own error). */
int db_prefetch(db *d, arena *a, struct db_stmt *st, int count);

/* Page data kept across requests (PostgreSQL; docs/DECISIONS.md, « Page
 * data kept across requests »).  Each connection keeps the rows that
 * db_query_stmt() read for statements marked with st.org (256 entries,
 * 64 KiB at most each), under the version of that organisation's data
 * (org_versions, moved by triggers in the transaction of every write of the
 * covered tables) known when they were read.  Once db_keep_version(d, org,
 * v) has said which version is current, a db_prefetch() or db_query() of a
 * kept statement of that version is answered from memory, without a round
 * trip.  The version is the caller's to know: the session's row carries it
 * (session.c), and a deferred check that finds another version than the one
 * assumed must throw the answer away when db_keep_hits() says kept rows were
 * used.  v <= 0 (or SQLite, which has no round trip to save) keeps nothing;
 * a write, db_read_begin() and db_read_end() forget the version, so a
 * transaction never reads kept rows. */
void db_keep_version(db *d, long long org_id, long long version);
/* How many reads of this request the kept rows answered. */
int db_keep_hits(const db *d);
/* Whether SQL reads only tables that org_versions covers (each name after
 * FROM or JOIN): a marked statement that does not is never kept. */
int db_keep_covers(const char *sql);

/* A deferred check: a read that rides with this connection's next round
 * trip instead of taking one of its own.  The server answers a request
 * from what it knew of the session and sends the session's row with the
 * page's first read (docs/DECISIONS.md, « One round trip for the session »).
 *
 * After db_defer(d, x), the next db_query() or db_batch() on d sends x->st
 * in front of its own statements (one batch) and calls x->check(x->ctx,
 * &rows) with x's rows before it returns anything; the next db_exec(),
 * db_begin() or db_exec_script() runs x->st alone first.  When x->st fails
 * or check returns non-zero (e.g. CLR_ESTALE), that call returns that code
 * with no rows, nothing of a write is run, and every later call on d but
 * db_rollback() returns it too, until db_defer_end().  db_defer_end(d)
 * runs x->st now if it is still pending, ends the deferral and returns its
 * outcome: 0 when the check passed.  x (caller-owned) lives until then. */
struct db_deferred {
	struct db_stmt st;      /* st.rows must be set */
	int (*check)(void *ctx, const db_rows *rows);
	void *ctx;
	arena *a;               /* for the rows */
	int state;              /* private: 1 pending, 0 passed, < 0 failed */
};
void db_defer(db *d, struct db_deferred *x);
int db_defer_end(db *d);

/* Round trips to the database server on this connection since it opened
 * (PostgreSQL: every message exchange that waits for the server, including
 * preparing a statement; SQLite, which has no server: every statement run).
 * The server logs the difference for each request (db_trips=N). */
unsigned long db_trips(const db *d);
/* db_trips() of this thread's connection (0 while it has none). */
unsigned long db_thread_trips(void);

/* The backend's message for the last failure (never NULL). */
const char *db_errmsg(db *d);
/* True when the last failure is transient (SQLITE_BUSY, serialization
 * failure, deadlock, a PostgreSQL connection lost before COMMIT or whose
 * COMMIT is known to have failed): the whole transaction may be retried. */
int db_last_retryable(db *d);

/* PostgreSQL: how long this connection waits for a lost server before a
 * statement fails with CLR_EUNAVAIL, in ms (0: one attempt); ms < 0 goes
 * back to CLR_DB_WAIT_S.  A health check asks with 0, so that it answers
 * at once while the database is away.  Nothing on SQLite. */
void db_set_wait(db *d, long ms);

/* Helpers. */
const char *db_int(arena *a, long long v);
long long db_ll(const db_rows *r, int row, int col); /* 0 for NULL */

/* Varargs sugar: DB_P("a", x) expands to  n, (const char *const[]){"a", x}. */
#define DB_P(...) (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)), \
	(const char *const[]){__VA_ARGS__}
#define DB_NOP 0, NULL

/* Runs fn inside a write transaction, retrying transient failures a few
 * times.  fn returns 0 to commit, negative to roll back (that value is
 * returned).  Called inside an open transaction, fn simply runs in it: the
 * outermost db_tx owns commit, rollback and retries.  fn may run more than
 * once: it must not act outside the database before it returns.  A COMMIT
 * whose outcome is unknown (PostgreSQL's connection lost before its answer,
 * and the transaction's fate not learnt) is CLR_EUNAVAIL, not retried. */
int db_tx(db *d, int (*fn)(db *d, void *ctx), void *ctx);

/* Migrations (migrate.c): applies every pending embedded migration in order,
 * each in its own transaction, recording it in schema_migrations.  Returns
 * the number applied, or negative. */
int db_migrate(db *d, int verbose);
/* The number of embedded migrations of this backend not yet recorded in
 * schema_migrations (all of them when the table is missing), or negative
 * when the database cannot be read. */
int db_migrations_pending(db *d);

/* Copies every row of SRC into DST (copy.c): both on this binary's schema
 * (DST migrated, SRC without pending migration), DST without organisation
 * or account.  One read snapshot of SRC, one transaction on DST; on
 * PostgreSQL the id sequences are set past the largest id.  report (may be
 * NULL) is called per table after the commit with both row counts.  0, or
 * negative with a French message in err (nothing copied). */
int db_copy(db *src, db *dst, void (*report)(const char *table, long long src_rows, long long dst_rows),
	    char *err, size_t errlen);

#endif
