/* pg.c - the PostgreSQL backend of db.h, over libpq.
 *
 * One connection per thread, client_encoding UTF8, notices silenced.  Each
 * distinct SQL text is prepared once per connection (named "s<N>") and run
 * with PQexecPrepared, parameters and results as text.  SQLSTATE class 23
 * (integrity constraint) maps to CLR_ECONFLICT; serialization failures and
 * deadlocks are retryable.
 *
 * A lost connection (the server restarted, a session terminated, the
 * network cut) is re-established before use, waiting up to CLR_DB_WAIT_S
 * seconds (10) for the server to come back; the statement cache is emptied,
 * as the server forgot its statements.  What is run again, and why it is
 * safe (docs/DECISIONS.md, « PostgreSQL: reconnection and retries »):
 *   - outside a transaction, an idle connection is probed before use (one
 *     poll(): input waiting on an idle connection can only be the server's
 *     goodbye), so a statement is not sent into a dead connection;
 *   - a statement that failed before it ran (while being prepared) is run
 *     again on a fresh connection, and so is a read-only one (SELECT, or a
 *     WITH that modifies nothing) outside a transaction, once;
 *   - inside a transaction the connection's loss loses the transaction,
 *     which cannot have committed (COMMIT was not sent): the failure is
 *     CLR_EUNAVAIL and retryable, so db_tx() runs it again; until the
 *     caller rolls back, every statement fails (nothing runs outside the
 *     transaction it belonged to);
 *   - COMMIT is sent with "SELECT txid_current_if_assigned()" in the same
 *     round trip; if the connection dies before COMMIT's answer, the
 *     transaction's fate is asked on a fresh connection (txid_status):
 *     committed is success, aborted is retryable, anything else (no answer
 *     at all, the server still unreachable) is CLR_EUNAVAIL, not retried;
 *   - a write outside a transaction lost after it was sent is CLR_EUNAVAIL,
 *     not retried (its outcome is unknown).
 */
#include "db/backend.h"
#include "core/err.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/text.h"
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct pg {
	struct db base;
	PGconn *c;
	struct strmap cache; /* copy_keys */
	int next_id;
	int tx;     /* inside db_begin() .. db_commit()/db_rollback(), even once the connection died */
	int doomed; /* the server announced the end of this connection (a FATAL while idle) */
};

/* A cached prepared statement. */
struct pstmt {
	char name[16];
	int nparams; /* as the server sees it */
};

#define PG(d) ((struct pg *)(d))

/* Notices are silenced, except the one that matters: an error received
 * while idle (libpq hands it to the notice receiver) is the server telling
 * why it closes the connection ("terminating connection due to
 * administrator command"). */
static void on_notice(void *arg, const PGresult *res)
{
	struct pg *p = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if ((sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0)) ||
	    (state && (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0)))
		p->doomed = 1;
}

static void set_err(struct pg *p, const char *msg)
{
	db_set_err(&p->base, "%s", msg && *msg ? msg : "unknown PostgreSQL error");
	size_t n = strlen(p->base.errmsg);
	while (n && (p->base.errmsg[n - 1] == '\n' || p->base.errmsg[n - 1] == ' '))
		p->base.errmsg[--n] = '\0';
	for (char *q = p->base.errmsg; *q; q++)
		if (*q == '\n' || *q == '\t' || *q == '"')
			*q = *q == '"' ? '\'' : ' ';
}

static const char *result_msg(struct pg *p, const PGresult *res)
{
	return res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(p->c);
}

/* Records a failed result (res may be NULL); clears it; returns clr_err. */
static int fail(struct pg *p, PGresult *res, const char *sql)
{
	char state[6] = "";
	const char *f = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (f)
		snprintf(state, sizeof state, "%s", f);
	set_err(p, result_msg(p, res));
	PQclear(res);
	if (strncmp(state, "23", 2) == 0)
		return CLR_ECONFLICT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		p->base.retryable = 1;
	db_log_sql_error(&p->base, sql);
	return CLR_EDB;
}

/* Whether the failure of res (may be NULL) is the connection's loss: libpq
 * saw the stream end, or the server said it is closing the session
 * (SQLSTATE 57P01 admin shutdown, 57P02 crash, 57P03 cannot connect now,
 * class 08 connection exception).  The latter marks the connection for a
 * reset before its next use. */
static int lost(struct pg *p, const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (s && (strncmp(s, "57P", 3) == 0 || strncmp(s, "08", 2) == 0))
		p->doomed = 1;
	return PQstatus(p->c) != CONNECTION_OK || p->doomed;
}

/* A lost connection's failure: res cleared, CLR_EUNAVAIL.  Inside a
 * transaction it is retryable (COMMIT was never sent, so nothing of the
 * transaction can have committed); outside, the statement's outcome is
 * unknown and it is not. */
static int lost_fail(struct pg *p, PGresult *res, const char *sql, int in_tx)
{
	set_err(p, result_msg(p, res));
	PQclear(res);
	p->base.retryable = in_tx;
	metric_inc(M_DB_LOST);
	log_warn("msg=\"postgresql connection lost\" in_transaction=%d outcome=\"%s\" err=\"%s\" sql=\"%.80s\"", in_tx,
		 in_tx ? "rolled back, retryable" : "unknown", p->base.errmsg, sql);
	return CLR_EUNAVAIL;
}

/* How long a statement waits for the server to come back (CLR_DB_WAIT_S). */
static double wait_ms(void)
{
	static double ms = -1;
	if (ms < 0) {
		const char *e = getenv("CLR_DB_WAIT_S");
		double s = e && *e ? atof(e) : 10;
		ms = (s < 0 ? 0 : s > 600 ? 600 : s) * 1000;
	}
	return ms;
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Replaces a lost connection by a new one with the same parameters,
 * retrying until CLR_DB_WAIT_S has passed.  0, or CLR_EUNAVAIL. */
static int reconnect(struct pg *p)
{
	strmap_clear(&p->cache, free); /* the server forgot them with the session */
	p->doomed = 0;
	double t0 = mono_ms(), limit = p->base.wait_set ? (double)p->base.wait_ms : wait_ms();
	long pause = 50;
	int tries = 0;
	for (;;) {
		tries++;
		p->base.trips++;
		PQreset(p->c);
		if (PQstatus(p->c) == CONNECTION_OK) {
			metric_inc(M_DB_RECONNECTS);
			log_info("msg=\"postgresql connection re-established\" tries=%d ms=%.0f", tries, mono_ms() - t0);
			return 0;
		}
		if (mono_ms() - t0 + (double)pause > limit)
			break;
		pause_ms(pause);
		pause = pause < 500 ? pause * 2 : 1000;
	}
	set_err(p, PQerrorMessage(p->c));
	metric_inc(M_DB_UNREACHABLE);
	log_error("msg=\"postgresql unreachable\" tries=%d ms=%.0f err=\"%s\"", tries, mono_ms() - t0, p->base.errmsg);
	return CLR_EUNAVAIL;
}

/* Reads what waits on an idle connection: nothing (one poll()), or the
 * server's goodbye, a FATAL error then the end of the stream, which leaves
 * the connection doomed or bad. */
static void probe(struct pg *p)
{
	if (PQstatus(p->c) != CONNECTION_OK || PQtransactionStatus(p->c) != PQTRANS_IDLE)
		return;
	struct pollfd pf = {.fd = PQsocket(p->c), .events = POLLIN};
	for (int i = 0; i < 4 && poll(&pf, 1, 0) > 0; i++)
		if (!PQconsumeInput(p->c) || PQstatus(p->c) != CONNECTION_OK || p->doomed)
			break;
}

/* A connection ready for a statement: 0, or CLR_EUNAVAIL.  Inside a
 * transaction a lost connection is not replaced: the transaction is gone
 * and only db_rollback() ends that state. */
static int ensure(struct pg *p)
{
	if (!p->tx)
		probe(p);
	if (PQstatus(p->c) == CONNECTION_OK && !p->doomed)
		return 0;
	if (p->tx) {
		set_err(p, "connection lost inside a transaction: rolled back by the server");
		p->base.retryable = 1;
		return CLR_EUNAVAIL;
	}
	return reconnect(p);
}

/* Whether sql only reads: SELECT, VALUES, SHOW, or WITH without a data-
 * modifying statement.  Such a statement is run again on a fresh connection
 * when the connection dies under it outside a transaction. */
static int read_only(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
		sql++;
	if (strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "VALUES", 6) == 0 || strncasecmp(sql, "SHOW", 4) == 0)
		return 1;
	if (strncasecmp(sql, "WITH", 4) != 0)
		return 0;
	static const char *const writes[] = {"INSERT", "UPDATE", "DELETE", "MERGE"};
	for (const char *q = sql; *q; q++)
		for (size_t i = 0; i < sizeof writes / sizeof *writes; i++)
			if (strncasecmp(q, writes[i], strlen(writes[i])) == 0)
				return 0;
	return 1;
}

/* Prepares sql into the cache: 0 with *out, or the failed result in *bad. */
static int prepare(struct pg *p, const char *sql, struct pstmt **out, PGresult **bad)
{
	struct pstmt *np = calloc(1, sizeof *np);
	if (!np)
		abort();
	snprintf(np->name, sizeof np->name, "s%d", ++p->next_id);
	p->base.trips += 2; /* Parse, then Describe */
	PGresult *r = PQprepare(p->c, np->name, sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		free(np);
		*bad = r;
		return -1;
	}
	PQclear(r);
	r = PQdescribePrepared(p->c, np->name);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		free(np);
		*bad = r;
		return -1;
	}
	np->nparams = PQnparams(r);
	PQclear(r);
	if (strmap_put(&p->cache, sql, np, NULL) < 0)
		abort();
	*out = np;
	return 0;
}

/* Runs sql with params; on success *res holds a COMMAND_OK/TUPLES_OK result. */
static int run(struct pg *p, const char *sql, int n, const char *const *params, PGresult **res)
{
	*res = NULL;
	for (int attempt = 0;; attempt++) {
		int rc = ensure(p);
		if (rc < 0)
			return rc;
		int in_tx = p->tx || PQtransactionStatus(p->c) != PQTRANS_IDLE;
		struct pstmt *ps = strmap_get(&p->cache, sql, NULL);
		PGresult *r = NULL;
		if (!ps && p->cache.n < STMT_CACHE_MAX && prepare(p, sql, &ps, &r) < 0) {
			if (!lost(p, r))
				return fail(p, r, sql);
			if (!in_tx && attempt == 0) {
				PQclear(r); /* nothing ran: again, on a fresh connection */
				continue;
			}
			return lost_fail(p, r, sql, in_tx);
		}
		p->base.trips++;
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
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			*res = r;
			return 0;
		}
		if (!lost(p, r))
			return fail(p, r, sql);
		if (!in_tx && attempt == 0 && read_only(sql)) {
			log_warn("msg=\"postgresql connection lost: read run again\" sql=\"%.80s\"", sql);
			PQclear(r);
			continue;
		}
		return lost_fail(p, r, sql, in_tx);
	}
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

/* Copies a TUPLES_OK result's rows into the arena. */
static void copy_rows(arena *a, const PGresult *r, db_rows *out)
{
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
}

static int pg_query(db *d, arena *a, db_rows *out, const char *sql, int n,
		    const char *const *params)
{
	PGresult *r;
	int rc = run(PG(d), sql, n, params, &r);
	if (rc < 0)
		return rc;
	copy_rows(a, r, out);
	PQclear(r);
	return 0;
}

/* db_batch() one statement after another (a statement that cannot be
 * prepared, a full statement cache, no pipeline mode). */
static int batch_each(struct pg *p, arena *a, struct db_stmt *st, int count)
{
	for (int i = 0; i < count; i++) {
		st[i].rc = st[i].rows ? pg_query(&p->base, a, st[i].rows, st[i].sql, st[i].n, st[i].params)
				      : pg_exec(&p->base, st[i].sql, st[i].n, st[i].params);
		if (st[i].rc < 0)
			return st[i].rc;
	}
	return 0;
}

/* db_batch() in one round trip with libpq's pipeline mode: each statement
 * sent with PQsendQueryPrepared, one Sync, then the results in order (each
 * statement's results end with a NULL from PQgetResult; the Sync's own
 * result ends the batch).  After an error the server skips the rest up to
 * the Sync (PGRES_PIPELINE_ABORTED).  Statements this connection has not
 * prepared yet are prepared first, one round trip each (a connection's
 * first requests only); one that cannot be prepared sends the batch down
 * the one-by-one path, whose semantics are the same. */
static int pg_batch(db *d, arena *a, struct db_stmt *st, int count)
{
	struct pg *p = PG(d);
	if (count < 2)
		return batch_each(p, a, st, count);
	struct pstmt **ps = arena_alloc(a, sizeof *ps * (size_t)count);
	for (int attempt = 0;; attempt++) {
		int rc = ensure(p);
		if (rc < 0) {
			st[0].rc = rc;
			return rc;
		}
		int in_tx = p->tx || PQtransactionStatus(p->c) != PQTRANS_IDLE;
		for (int i = 0; i < count; i++) {
			PGresult *bad = NULL;
			ps[i] = strmap_get(&p->cache, st[i].sql, NULL);
			if (!ps[i] && (p->cache.n >= STMT_CACHE_MAX || prepare(p, st[i].sql, &ps[i], &bad) < 0)) {
				PQclear(bad);
				return batch_each(p, a, st, count);
			}
		}
		if (!PQenterPipelineMode(p->c))
			return batch_each(p, a, st, count);
		p->base.trips++;
		int sent = 1;
		for (int i = 0; i < count && sent; i++) {
			const char *stackv[32];
			const char **vals = ps[i]->nparams <= 32 ? stackv : arena_alloc(a, sizeof *vals * (size_t)ps[i]->nparams);
			for (int k = 0; k < ps[i]->nparams; k++)
				vals[k] = k < st[i].n ? st[i].params[k] : NULL;
			sent = PQsendQueryPrepared(p->c, ps[i]->name, ps[i]->nparams, vals, NULL, NULL, 0);
		}
		if (sent)
			sent = PQpipelineSync(p->c);
		int i = 0, first = 0;
		PGresult *gone = NULL; /* the result that told of the connection's loss */
		int broken = !sent;
		while (!broken) {
			PGresult *r = PQgetResult(p->c);
			if (!r) {
				if (PQstatus(p->c) != CONNECTION_OK) {
					broken = 1;
					break;
				}
				i++; /* the end of statement i's results */
				continue;
			}
			ExecStatusType t = PQresultStatus(r);
			if (t == PGRES_PIPELINE_SYNC) {
				PQclear(r);
				break;
			}
			if (i >= count || t == PGRES_PIPELINE_ABORTED) {
				PQclear(r); /* skipped after a failure: rc stays CLR_EDB */
			} else if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
				if (st[i].rows)
					copy_rows(a, r, st[i].rows);
				st[i].rc = st[i].rows ? 0 : atoi(PQcmdTuples(r));
				PQclear(r);
			} else if (lost(p, r)) {
				gone = r;
				broken = 1;
			} else if (!first) {
				first = st[i].rc = fail(p, r, st[i].sql);
			} else {
				PQclear(r);
			}
		}
		if (!PQexitPipelineMode(p->c) && !broken) {
			PGresult *r;
			while ((r = PQgetResult(p->c)))
				PQclear(r);
			PQexitPipelineMode(p->c);
		}
		if (!broken)
			return first;
		/* the connection died under the batch */
		int reads = 1;
		for (int k = 0; k < count; k++)
			reads = reads && read_only(st[k].sql);
		if (!in_tx && attempt == 0 && reads) {
			log_warn("msg=\"postgresql connection lost: batch run again\" sql=\"%.80s\"", st[0].sql);
			PQclear(gone);
			for (int k = 0; k < count; k++) {
				st[k].rc = CLR_EDB;
				if (st[k].rows)
					*st[k].rows = (db_rows){0, 0, NULL};
			}
			p->doomed = 1; /* reconnect before the next try */
			continue;
		}
		if (i >= count)
			i = count - 1;
		st[i].rc = lost_fail(p, gone, st[i].sql, in_tx);
		p->doomed = 1;
		return st[i].rc;
	}
}

static int pg_exec_script(db *d, const char *sql)
{
	struct pg *p = PG(d);
	int rc = ensure(p);
	if (rc < 0)
		return rc;
	int in_tx = p->tx || PQtransactionStatus(p->c) != PQTRANS_IDLE;
	p->base.trips++;
	PGresult *r = PQexec(p->c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
		return lost(p, r) ? lost_fail(p, r, sql, in_tx) : fail(p, r, sql);
	PQclear(r);
	return 0;
}

static int pg_begin(db *d)
{
	struct pg *p = PG(d);
	for (int attempt = 0;; attempt++) {
		int rc = ensure(p);
		if (rc < 0)
			return rc;
		p->base.trips++;
		PGresult *r = PQexec(p->c, "BEGIN");
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			p->tx = 1;
			return 0;
		}
		if (!lost(p, r))
			return fail(p, r, "BEGIN");
		if (attempt == 0) { /* BEGIN changes nothing: again, on a fresh connection */
			PQclear(r);
			continue;
		}
		return lost_fail(p, r, "BEGIN", 1);
	}
}

/* The fate of transaction xid, asked on a fresh connection: 1 committed,
 * 0 aborted, -1 unknown (the server unreachable, or no answer). */
static int commit_outcome(struct pg *p, long long xid)
{
	if (reconnect(p) < 0)
		return -1;
	char x[24];
	snprintf(x, sizeof x, "%lld", xid);
	const char *const v[] = {x};
	p->base.trips++;
	PGresult *r = PQexecParams(p->c, "SELECT txid_status(CAST($1 AS BIGINT))", 1, NULL, v, NULL, NULL, 0);
	int out = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
		const char *st = PQgetvalue(r, 0, 0);
		out = strcmp(st, "committed") == 0 ? 1 : strcmp(st, "aborted") == 0 ? 0 : -1;
	}
	PQclear(r);
	return out;
}

static int pg_commit(db *d)
{
	struct pg *p = PG(d);
	int ours = p->tx;
	p->tx = 0;
	if (PQstatus(p->c) != CONNECTION_OK || p->doomed) {
		if (!ours)
			return ensure(p); /* no transaction: nothing to commit */
		set_err(p, "connection lost before COMMIT: the transaction was rolled back");
		p->base.retryable = 1;
		metric_inc(M_DB_LOST);
		log_warn("msg=\"postgresql connection lost\" in_transaction=1 outcome=\"rolled back, retryable\"");
		return CLR_EUNAVAIL;
	}
	if (PQtransactionStatus(p->c) == PQTRANS_INERROR) {
		/* COMMIT of a failed transaction "succeeds" as a ROLLBACK: report it. */
		p->base.trips++;
		PGresult *r = PQexec(p->c, "COMMIT");
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return lost(p, r) ? lost_fail(p, r, "COMMIT", 1) : fail(p, r, "COMMIT");
		PQclear(r);
		set_err(p, "transaction was aborted: rolled back");
		return CLR_EDB;
	}
	/* The transaction's id travels with COMMIT (one round trip): should
	 * the connection die before COMMIT's answer, its fate can be asked. */
	p->base.trips++;
	if (!PQsendQuery(p->c, "SELECT txid_current_if_assigned(); COMMIT")) {
		/* the message did not leave whole: the server ran none of it */
		set_err(p, PQerrorMessage(p->c));
		p->base.retryable = 1;
		metric_inc(M_DB_LOST);
		log_warn("msg=\"postgresql connection lost\" in_transaction=1 outcome=\"rolled back, retryable\" err=\"%s\"",
			 p->base.errmsg);
		return CLR_EUNAVAIL;
	}
	PGresult *r, *err = NULL;
	int n = 0, got_xid = 0, committed = 0;
	long long xid = 0;
	while ((r = PQgetResult(p->c))) {
		ExecStatusType st = PQresultStatus(r);
		if (n == 0 && st == PGRES_TUPLES_OK) {
			got_xid = 1;
			xid = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? atoll(PQgetvalue(r, 0, 0)) : 0;
			PQclear(r);
		} else if (n == 1 && got_xid && st == PGRES_COMMAND_OK) {
			committed = 1;
			PQclear(r);
		} else if (!err) {
			err = r;
		} else {
			PQclear(r);
		}
		n++;
	}
	if (committed) {
		PQclear(err);
		return 0;
	}
	if (!lost(p, err)) {
		/* the server refused (serialization failure, deferred constraint):
		 * not committed; a failed SELECT left the transaction open */
		if (PQtransactionStatus(p->c) == PQTRANS_INERROR)
			PQclear(PQexec(p->c, "ROLLBACK"));
		return fail(p, err, "COMMIT");
	}
	if (!got_xid && err && PQresultErrorField(err, PG_DIAG_SQLSTATE)) {
		/* the server's own error, before COMMIT ran: rolled back */
		return lost_fail(p, err, "COMMIT", 1);
	}
	set_err(p, result_msg(p, err));
	PQclear(err);
	if (got_xid && xid == 0)
		return 0; /* the transaction wrote nothing: nothing was lost */
	int fate = got_xid ? commit_outcome(p, xid) : -1;
	metric_inc(M_DB_LOST);
	log_warn("msg=\"postgresql connection lost during COMMIT\" xid=%lld outcome=%s", xid,
		 fate == 1 ? "committed" : fate == 0 ? "\"rolled back, retryable\"" : "unknown");
	if (fate == 1)
		return 0;
	p->base.retryable = fate == 0;
	if (fate < 0)
		set_err(p, "connection lost during COMMIT: outcome unknown");
	return CLR_EUNAVAIL;
}

static int pg_in_tx(const db *d)
{
	const struct pg *p = (const struct pg *)d;
	if (p->tx)
		return 1; /* ours, even once the connection died under it */
	PGTransactionStatusType t = PQtransactionStatus(p->c);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int pg_rollback(db *d)
{
	struct pg *p = PG(d);
	if (!pg_in_tx(d))
		return 0;
	p->tx = 0;
	if (PQstatus(p->c) != CONNECTION_OK || p->doomed)
		return 0; /* the server rolled it back when the connection died */
	p->base.trips++;
	PGresult *r = PQexec(p->c, "ROLLBACK");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		if (lost(p, r)) {
			PQclear(r);
			return 0;
		}
		return fail(p, r, "ROLLBACK");
	}
	PQclear(r);
	return 0;
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
	.batch = pg_batch,
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
	PQsetNoticeReceiver(c, on_notice, p); /* kept by PQreset() */
	*out = &p->base;
	return 0;
}
