/* test_db_faults.c - PostgreSQL connections lost at each moment of their
 * use (CLR_TEST_PG_URL; nothing without it): terminated while idle, by a
 * read, by a write outside a transaction, inside a transaction run by
 * db_tx(), and during COMMIT (a deferred trigger keeps COMMIT busy while
 * another connection terminates the session).  Each checks what pg.c
 * promises: what is run again, what fails with CLR_EUNAVAIL, and that no
 * row is written twice or outside its transaction.
 */
#include "test.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A connection to the run's PostgreSQL database; NULL after a skip (no
 * URL: test_pg_url()) or a failure (the URL does not answer). */
static db *open_url(int *failed_)
{
	const char *url = test_pg_url();
	if (!url)
		return NULL;
	db *d = NULL;
	char err[512];
	if (db_open(url, &d, err, sizeof err) < 0) {
		fprintf(stderr, "  cannot open %s: %s\n", url, err);
		*failed_ = 1;
		return NULL;
	}
	return d;
}

/* A table of this run: "clr_fault_" and 12 hex digits. */
static void table_name(char out[64])
{
	char u[64];
	test_unique_name(u, "");
	snprintf(out, 64, "clr_fault_%.40s", u);
	for (char *p = out; *p; p++)
		if (*p == ' ')
			*p = '_';
}

static const char *backend_pid(db *d, arena *a)
{
	db_rows r;
	if (db_query(d, a, &r, "SELECT pg_backend_pid()", DB_NOP) < 0)
		return NULL;
	return db_cell(&r, 0, 0);
}

static long long count_rows(db *d, arena *a, const char *table, const char *where)
{
	db_rows r;
	const char *sql = arena_printf(a, "SELECT count(*) FROM %s WHERE %s", table, where);
	if (db_query(d, a, &r, sql, DB_NOP) < 0)
		return -1;
	return db_ll(&r, 0, 0);
}

/* Terminated while idle: the next statement, read or write, is answered on
 * a new connection (it is not sent into the dead one). */
TEST(pg_fault_idle)
{
	db *d = open_url(failed_), *killer = d ? open_url(failed_) : NULL;
	if (!d || !killer) {
		db_close(d);
		db_close(killer);
		return;
	}
	arena *a = arena_new();
	char t[64];
	table_name(t);
	CHECK_INT(db_exec_script(d, arena_printf(a, "CREATE TABLE %s (id BIGINT PRIMARY KEY)", t)), 0);
	const char *pid = backend_pid(d, a);
	db_rows r;
	CHECK_INT(db_query(killer, a, &r, "SELECT pg_terminate_backend($1::int)", DB_P(pid)), 0);
	usleep(100 * 1000);
	CHECK_INT(db_exec(d, arena_printf(a, "INSERT INTO %s (id) VALUES (1)", t), DB_NOP), 1);
	const char *pid2 = backend_pid(d, a);
	CHECK(pid2 && strcmp(pid2, pid) != 0);
	CHECK_INT(db_query(killer, a, &r, "SELECT pg_terminate_backend($1::int)", DB_P(pid2)), 0);
	usleep(100 * 1000);
	CHECK_INT((int)count_rows(d, a, t, "id = 1"), 1);
	db_exec_script(d, arena_printf(a, "DROP TABLE %s", t));
	arena_free(a);
	db_close(d);
	db_close(killer);
}

/* Lost under a statement outside a transaction: a read is run once more on
 * a new connection; a write is not (its outcome is unknown): CLR_EUNAVAIL.
 * Both statements here end their own session, so the read fails twice. */
TEST(pg_fault_statement)
{
	db *d = open_url(failed_);
	if (!d)
		return;
	arena *a = arena_new();
	char t[64];
	table_name(t);
	CHECK_INT(db_exec_script(d, arena_printf(a, "CREATE TABLE %s (id BIGINT PRIMARY KEY, n INTEGER)", t)), 0);
	CHECK_INT(db_exec(d, arena_printf(a, "INSERT INTO %s (id, n) VALUES (1, 0)", t), DB_NOP), 1);
	db_rows r;
	const char *pid = backend_pid(d, a);
	/* a read: run twice (two sessions ended), then given up */
	CHECK_INT(db_query(d, a, &r, "SELECT pg_terminate_backend(pg_backend_pid())", DB_NOP), CLR_EUNAVAIL);
	CHECK(!db_last_retryable(d));
	const char *pid2 = backend_pid(d, a);
	CHECK(pid2 && strcmp(pid2, pid) != 0);
	/* a write: once only */
	int rc = db_exec(d, arena_printf(a, "WITH k AS (SELECT pg_terminate_backend(pg_backend_pid()) AS x) "
					    "UPDATE %s SET n = n + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM k)", t),
			 DB_NOP);
	CHECK_INT(rc, CLR_EUNAVAIL);
	CHECK(!db_last_retryable(d));
	CHECK_INT((int)count_rows(d, a, t, "n = 0"), 1);
	db_exec_script(d, arena_printf(a, "DROP TABLE %s", t));
	arena_free(a);
	db_close(d);
}

struct tx_ctx {
	const char *table;
	int calls;
	int stray_rc; /* what a statement after the loss answered */
	arena *a;
};

/* First call: a row, then the session ends, then a statement that must
 * not run outside the lost transaction.  Second call: the row again. */
static int tx_lose_once(db *d, void *ctx)
{
	struct tx_ctx *c = ctx;
	int first = c->calls++ == 0;
	int rc = db_exec(d, arena_printf(c->a, "INSERT INTO %s (id) VALUES (1)", c->table), DB_NOP);
	if (rc < 0 || !first)
		return rc < 0 ? rc : 0;
	db_rows r;
	rc = db_query(d, c->a, &r, "SELECT pg_terminate_backend(pg_backend_pid())", DB_NOP);
	c->stray_rc = db_exec(d, arena_printf(c->a, "INSERT INTO %s (id) VALUES (2)", c->table), DB_NOP);
	return rc < 0 ? rc : CLR_EDB;
}

/* Lost inside db_tx(): the transaction is run again on a new connection,
 * its row once; nothing ran outside it. */
TEST(pg_fault_transaction)
{
	db *d = open_url(failed_);
	if (!d)
		return;
	arena *a = arena_new();
	char t[64];
	table_name(t);
	CHECK_INT(db_exec_script(d, arena_printf(a, "CREATE TABLE %s (id BIGINT PRIMARY KEY)", t)), 0);
	struct tx_ctx c = {t, 0, 0, a};
	CHECK_INT(db_tx(d, tx_lose_once, &c), 0);
	CHECK_INT(c.calls, 2);
	CHECK_INT(c.stray_rc, CLR_EUNAVAIL);
	CHECK(!db_in_tx(d));
	CHECK_INT((int)count_rows(d, a, t, "id = 1"), 1);
	CHECK_INT((int)count_rows(d, a, t, "id = 2"), 0);
	db_exec_script(d, arena_printf(a, "DROP TABLE %s", t));
	arena_free(a);
	db_close(d);
}

struct killer_arg {
	const char *pid;
	int ms;
};

static void *kill_later(void *arg)
{
	struct killer_arg *k = arg;
	usleep((useconds_t)k->ms * 1000);
	int unused = 0; /* the test notices: its session is not ended */
	db *d = open_url(&unused);
	if (d) {
		arena *a = arena_new();
		db_rows r;
		db_query(d, a, &r, "SELECT pg_terminate_backend($1::int)", DB_P(k->pid));
		arena_free(a);
		db_close(d);
	}
	return NULL;
}

struct commit_ctx {
	const char *table;
	int calls;
	arena *a;
	pthread_t th;
	struct killer_arg k;
};

/* First call: a row whose deferred trigger sleeps at COMMIT, while another
 * connection ends this session.  Second call: a row without the wait. */
static int tx_commit_lost(db *d, void *ctx)
{
	struct commit_ctx *c = ctx;
	int first = c->calls++ == 0;
	if (first) {
		c->k.pid = backend_pid(d, c->a);
		c->k.ms = 400;
		if (!c->k.pid || pthread_create(&c->th, NULL, kill_later, &c->k) != 0)
			return CLR_ESYS;
	}
	int rc = db_exec(d, arena_printf(c->a, "INSERT INTO %s (id, slow) VALUES (%d, %d)", c->table, first ? 1 : 2, first),
			 DB_NOP);
	return rc < 0 ? rc : 0;
}

/* Lost during COMMIT: the transaction's fate is asked on a new connection
 * (txid_status: aborted, the trigger had not finished), and db_tx() runs it
 * again; one row, the second one. */
TEST(pg_fault_commit)
{
	db *d = open_url(failed_);
	if (!d)
		return;
	arena *a = arena_new();
	char t[64];
	table_name(t);
	CHECK_INT(db_exec_script(d, arena_printf(a,
		"CREATE TABLE %s (id BIGINT PRIMARY KEY, slow INTEGER NOT NULL);"
		"CREATE FUNCTION %s_slow() RETURNS trigger LANGUAGE plpgsql AS "
		"'BEGIN PERFORM pg_sleep(2); RETURN NULL; END';"
		"CREATE CONSTRAINT TRIGGER %s_at_commit AFTER INSERT ON %s DEFERRABLE INITIALLY DEFERRED "
		"FOR EACH ROW WHEN (NEW.slow = 1) EXECUTE FUNCTION %s_slow()", t, t, t, t, t)), 0);
	struct commit_ctx c = {.table = t, .a = a};
	CHECK_INT(db_tx(d, tx_commit_lost, &c), 0);
	if (c.calls > 0)
		pthread_join(c.th, NULL);
	CHECK_INT(c.calls, 2);
	CHECK_INT((int)count_rows(d, a, t, "id = 1"), 0);
	CHECK_INT((int)count_rows(d, a, t, "id = 2"), 1);
	db_exec_script(d, arena_printf(a, "DROP TABLE %s; DROP FUNCTION %s_slow()", t, t));
	arena_free(a);
	db_close(d);
}
