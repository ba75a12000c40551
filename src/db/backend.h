/* backend.h - private contract between db.c and the two backends (sqlite.c,
 * pg.c); nothing outside src/db includes it.
 *
 * A backend's connection struct starts with `struct db` (so a db * can be
 * cast to it); struct db starts with the backend's ops table.  db.c does the
 * dispatch and the backend-independent parts (db_tx, helpers, db_thread).
 */
#ifndef CLR_DB_BACKEND_H
#define CLR_DB_BACKEND_H
#include "core/strmap.h"
#include "db/db.h"

struct db_ops {
	const char *name;
	void (*close)(db *d);
	int (*exec)(db *d, const char *sql, int n, const char *const *params);
	int (*query)(db *d, arena *a, db_rows *out, const char *sql, int n, const char *const *params);
	int (*exec_script)(db *d, const char *sql);
	int (*begin)(db *d);
	int (*commit)(db *d);
	int (*rollback)(db *d);
	int (*in_tx)(const db *d);
	int (*read_begin)(db *d); /* NULL: nothing to do */
	int (*read_end)(db *d);
	/* NULL: db.c runs the statements one after another */
	int (*batch)(db *d, arena *a, struct db_stmt *st, int count);
};

struct db {
	const struct db_ops *ops;
	enum db_kind kind;
	int retryable;      /* last failure was transient */
	unsigned long trips; /* db_trips(): each backend counts its own */
	struct db_deferred *defer; /* db_defer(): NULL when none */
	struct db_stmt *kept;      /* db_prefetch(): results kept (arena of the request), or NULL */
	int nkept;
	struct db_keep *keep;      /* db_keep_version(): rows kept across requests (malloc'd), or NULL */
	long long keep_org, keep_ver; /* the version known for this request; keep_ver < 0: none */
	int keep_hits;
	long wait_ms;       /* db_set_wait(): PostgreSQL's reconnection wait, or 0 with wait_set 0: CLR_DB_WAIT_S */
	int wait_set;
	char errmsg[512];   /* last failure's message ("" if none) */
};

/* Frees what db_keep_version() kept (db_close()). */
void db_keep_free(db *d);

/* Records the last failure's message (printf-style) in d->errmsg. */
void db_set_err(db *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* log_error() for a failed statement: backend message and the first 80
 * characters of the SQL, flattened onto one line. */
void db_log_sql_error(const db *d, const char *sql);

int db_sqlite_open(const char *path, db **out, char *err, size_t errlen);
int db_pg_open(const char *url, db **out, char *err, size_t errlen);

/* Statement caches (SQL text -> the backend's prepared statement) are
 * core/strmap.h maps with copied keys, bounded: past STMT_CACHE_MAX entries
 * a statement is run once without being cached. */
#define STMT_CACHE_MAX 4096

#endif
