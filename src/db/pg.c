/* pg.c - the PostgreSQL backend of db.h, over libpq.
 *
 * One connection per thread, client_encoding UTF8, notices silenced.  Each
 * distinct SQL text is prepared once per connection (named "s<N>") and run
 * with PQexecPrepared, parameters and results as text.  SQLSTATE class 23
 * (integrity constraint) maps to CLR_ECONFLICT; serialization failures and
 * deadlocks are retryable.  A lost connection is reset once on the next call
 * (the statement cache is emptied, as the server forgot its statements).
 */
#include "db/backend.h"
#include "core/err.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg {
	struct db base;
	PGconn *c;
	struct strmap cache; /* copy_keys */
	int next_id;
};

/* A cached prepared statement. */
struct pstmt {
	char name[16];
	int nparams; /* as the server sees it */
};

#define PG(d) ((struct pg *)(d))

static void no_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void set_err(struct pg *p, const char *msg)
{
	db_set_err(&p->base, "%s", msg && *msg ? msg : "unknown PostgreSQL error");
	size_t n = strlen(p->base.errmsg);
	while (n && (p->base.errmsg[n - 1] == '\n' || p->base.errmsg[n - 1] == ' '))
		p->base.errmsg[--n] = '\0';
	for (char *q = p->base.errmsg; *q; q++)
		if (*q == '\n' || *q == '"')
			*q = *q == '\n' ? ' ' : '\'';
}

/* Records a failed result (res may be NULL); clears it; returns clr_err. */
static int fail(struct pg *p, PGresult *res, const char *sql)
{
	char state[6] = "";
	const char *f = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (f)
		snprintf(state, sizeof state, "%s", f);
	set_err(p, res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
						      : PQerrorMessage(p->c));
	PQclear(res);
	if (strncmp(state, "23", 2) == 0)
		return CLR_ECONFLICT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		p->base.retryable = 1;
	db_log_sql_error(&p->base, sql);
	return CLR_EDB;
}

/* Resets a lost connection once; 0 when usable. */
static int check_conn(struct pg *p)
{
	if (PQstatus(p->c) == CONNECTION_OK)
		return 0;
	strmap_clear(&p->cache, free);
	PQreset(p->c);
	if (PQstatus(p->c) == CONNECTION_OK)
		return 0;
	set_err(p, PQerrorMessage(p->c));
	db_log_sql_error(&p->base, "(reconnect)");
	return CLR_EDB;
}

/* Runs sql with params; on success *res holds a COMMAND_OK/TUPLES_OK result. */
static int run(struct pg *p, const char *sql, int n, const char *const *params, PGresult **res)
{
	*res = NULL;
	int rc = check_conn(p);
	if (rc < 0)
		return rc;
	struct pstmt *ps = strmap_get(&p->cache, sql, NULL);
	if (!ps && p->cache.n < STMT_CACHE_MAX) {
		struct pstmt *np = calloc(1, sizeof *np);
		if (!np)
			abort();
		snprintf(np->name, sizeof np->name, "s%d", ++p->next_id);
		PGresult *r = PQprepare(p->c, np->name, sql, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			free(np);
			return fail(p, r, sql);
		}
		PQclear(r);
		r = PQdescribePrepared(p->c, np->name);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			free(np);
			return fail(p, r, sql);
		}
		np->nparams = PQnparams(r);
		PQclear(r);
		if (strmap_put(&p->cache, sql, np, NULL) < 0)
			abort();
		ps = np;
	}
	PGresult *r;
	if (!ps) {
		/* Cache full (SQL text built at run time?): run unprepared. */
		r = PQexecParams(p->c, sql, n, NULL, params, NULL, NULL, 0);
	} else {
		/* Parameters the SQL does not use are skipped and missing
		 * ones are NULL, as SQLite does. */
		const char *stackv[32];
		const char **vals = ps->nparams <= 32 ? stackv
						      : calloc((size_t)ps->nparams, sizeof *vals);
		if (!vals)
			abort();
		for (int i = 0; i < ps->nparams; i++)
			vals[i] = i < n ? params[i] : NULL;
		r = PQexecPrepared(p->c, ps->name, ps->nparams, vals, NULL, NULL, 0);
		if (vals != stackv)
			free(vals);
	}
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return fail(p, r, sql);
	*res = r;
	return 0;
}

static int pg_exec(db *d, const char *sql, int n, const char *const *params)
{
	PGresult *r;
	int rc = run(PG(d), sql, n, params, &r);
	if (rc < 0)
		return rc;
	rc = atoi(PQcmdTuples(r));
	PQclear(r);
	return rc;
}

static int pg_query(db *d, arena *a, db_rows *out, const char *sql, int n,
		    const char *const *params)
{
	PGresult *r;
	int rc = run(PG(d), sql, n, params, &r);
	if (rc < 0)
		return rc;
	int nrows = PQntuples(r), ncols = PQnfields(r);
	size_t len = (size_t)nrows * (size_t)ncols;
	out->cells = arena_alloc(a, (len ? len : 1) * sizeof *out->cells);
	for (int i = 0; i < nrows; i++)
		for (int c = 0; c < ncols; c++)
			out->cells[(size_t)i * (size_t)ncols + (size_t)c] =
				PQgetisnull(r, i, c)
					? NULL
					: arena_strndup(a, PQgetvalue(r, i, c), (size_t)PQgetlength(r, i, c));
	out->nrows = nrows;
	out->ncols = ncols;
	PQclear(r);
	return 0;
}

static int pg_exec_script(db *d, const char *sql)
{
	struct pg *p = PG(d);
	int rc = check_conn(p);
	if (rc < 0)
		return rc;
	PGresult *r = PQexec(p->c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
		return fail(p, r, sql);
	PQclear(r);
	return 0;
}

static int simple(struct pg *p, const char *sql)
{
	int rc = check_conn(p);
	if (rc < 0)
		return rc;
	PGresult *r = PQexec(p->c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return fail(p, r, sql);
	PQclear(r);
	return 0;
}

static int pg_begin(db *d)
{
	return simple(PG(d), "BEGIN");
}

static int pg_commit(db *d)
{
	struct pg *p = PG(d);
	/* COMMIT of a failed transaction "succeeds" as a ROLLBACK: report it. */
	int failed = PQtransactionStatus(p->c) == PQTRANS_INERROR;
	int rc = simple(p, "COMMIT");
	if (rc == 0 && failed) {
		set_err(p, "transaction was aborted: rolled back");
		return CLR_EDB;
	}
	return rc;
}

static int pg_in_tx(const db *d)
{
	PGTransactionStatusType t = PQtransactionStatus(((const struct pg *)d)->c);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int pg_rollback(db *d)
{
	if (!pg_in_tx(d))
		return 0;
	return simple(PG(d), "ROLLBACK");
}

static void pg_close(db *d)
{
	struct pg *p = PG(d);
	strmap_clear(&p->cache, free);
	PQfinish(p->c);
	free(p);
}

static const struct db_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.exec = pg_exec,
	.query = pg_query,
	.exec_script = pg_exec_script,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_tx = pg_in_tx,
};

int db_pg_open(const char *url, db **out, char *err, size_t errlen)
{
	/* client_encoding in the connection parameters survives PQreset. */
	const char *const keys[] = {"dbname", "client_encoding", NULL};
	const char *const vals[] = {url, "UTF8", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", c ? PQerrorMessage(c) : "out of memory");
		if (err && errlen) {
			size_t n = strlen(err);
			while (n && err[n - 1] == '\n')
				err[--n] = '\0';
		}
		PQfinish(c);
		return CLR_EDB;
	}
	PQsetNoticeProcessor(c, no_notice, NULL);
	struct pg *p = calloc(1, sizeof *p);
	if (!p) {
		PQfinish(c);
		snprintf(err, errlen, "out of memory");
		return CLR_ESYS;
	}
	p->base.ops = &pg_ops;
	p->base.kind = DB_PG;
	p->cache.copy_keys = 1;
	p->c = c;
	*out = &p->base;
	return 0;
}
