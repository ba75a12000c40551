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

/* The backend's message for the last failure (never NULL). */
const char *db_errmsg(db *d);
/* True when the last failure is transient (SQLITE_BUSY, serialization
 * failure, deadlock, a PostgreSQL connection lost before COMMIT or whose
 * COMMIT is known to have failed): the whole transaction may be retried. */
int db_last_retryable(db *d);

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
