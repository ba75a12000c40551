/* test_db.c - the storage interface (db.h) on a temporary SQLite file and,
 * when CLR_TEST_PG_URL is set, on that PostgreSQL database: parameters and
 * NULLs, UTF-8, constraint violations, statement cache reuse, transactions
 * (commit, rollback, nesting, retry), URL errors, migrations.
 */
#include "test.h"
#include "db/db.h"
#include "db/backend.h"
#include "core/arena.h"
#include "core/err.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

/* A temporary SQLite database: "sqlite:/tmp/clr-db-XXXXXX". */
struct tmpdb {
	char path[64];
	char url[80];
};

static db *open_sqlite(struct tmpdb *t)
{
	if (test_tmp_sqlite("db", t->path, t->url) != 0)
		return NULL;
	db *d = NULL;
	char err[256];
	return db_open(t->url, &d, err, sizeof err) == 0 ? d : NULL;
}

static void drop_sqlite(db *d, struct tmpdb *t)
{
	db_close(d);
	test_tmp_sqlite_drop(t->path);
}

/* A connection to the run's PostgreSQL database; NULL after a skip (no
 * URL) or a failure (the URL does not answer). */
static db *open_pg(int *failed_)
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

static int tx_insert_ok(db *d, void *ctx)
{
	return db_exec(d, "INSERT INTO clr_test_t (id, name) VALUES ($1, $2)",
		       DB_P((const char *)ctx, (const char *)ctx)) == 1 ? 0 : CLR_EDB;
}

static int tx_insert_then_fail(db *d, void *ctx)
{
	if (db_exec(d, "INSERT INTO clr_test_t (id, name) VALUES ($1, $2)",
		    DB_P((const char *)ctx, "doomed")) != 1)
		return CLR_EDB;
	return -1;
}

static int tx_nested(db *d, void *ctx)
{
	if (!db_in_tx(d))
		return CLR_EDB;
	return db_tx(d, tx_insert_ok, ctx);
}

static int tx_conflict(db *d, void *ctx)
{
	int rc = db_exec(d, "INSERT INTO clr_test_t (id, name) VALUES ($1, $2)",
			 DB_P((const char *)ctx, "Élodie Ñ"));
	return rc < 0 ? rc : 0;
}

struct retry_ctx {
	int calls;
};

/* Fails transiently on the first call, then succeeds. */
static int tx_flaky(db *d, void *ctx)
{
	struct retry_ctx *r = ctx;
	if (r->calls++ == 0) {
		d->retryable = 1;
		return CLR_EDB;
	}
	return db_exec(d, "INSERT INTO clr_test_t (id, name) VALUES ($1, $2)",
		       DB_P("6000", "retried")) == 1 ? 0 : CLR_EDB;
}

static long long count_where_id(db *d, arena *a, const char *id)
{
	db_rows r;
	if (db_query(d, a, &r, "SELECT count(*) FROM clr_test_t WHERE id = $1", DB_P(id)) < 0)
		return -1;
	return db_ll(&r, 0, 0);
}

/* The checks shared by both backends, on a database where clr_test_t may
 * be (re)created freely. */
static void common_checks(int *failed_, db *d)
{
	arena *a = arena_new();
	db_rows r;
	CHECK_INT(db_exec_script(d, "DROP TABLE IF EXISTS clr_test_t;"
				    "CREATE TABLE clr_test_t (id BIGINT PRIMARY KEY,"
				    " name TEXT NOT NULL UNIQUE, note TEXT)"),
		  0);

	/* parameters, NULL, UTF-8 */
	CHECK_INT(db_exec(d, "INSERT INTO clr_test_t (id, name, note) VALUES ($1, $2, $3)",
			  DB_P("1", "Élodie Ñ", NULL)),
		  1);
	CHECK_INT(db_query(d, a, &r, "SELECT id, name, note FROM clr_test_t WHERE id = $1",
			   DB_P(db_int(a, 1))),
		  0);
	CHECK_INT(r.nrows, 1);
	CHECK_INT(r.ncols, 3);
	CHECK_INT(db_ll(&r, 0, 0), 1);
	CHECK_STR(db_cell(&r, 0, 1), "Élodie Ñ");
	CHECK(db_cell(&r, 0, 2) == NULL);
	CHECK(db_cell(&r, 1, 0) == NULL);
	CHECK_INT(db_ll(&r, 0, 2), 0);

	/* no rows */
	CHECK_INT(db_query(d, a, &r, "SELECT id FROM clr_test_t WHERE id = $1", DB_P("999")), 0);
	CHECK_INT(r.nrows, 0);

	/* unique violation */
	CHECK_INT(db_exec(d, "INSERT INTO clr_test_t (id, name) VALUES ($1, $2)",
			  DB_P("2", "Élodie Ñ")),
		  CLR_ECONFLICT);
	CHECK(!db_in_tx(d));

	/* $2 before $1, and a parameter given but unused */
	CHECK_INT(db_exec(d, "INSERT INTO clr_test_t (note, id, name) VALUES ($2, $1, $3)",
			  DB_P("3", "n3", "Zoé")),
		  1);
	CHECK_INT(db_query(d, a, &r, "SELECT note, name FROM clr_test_t WHERE id = $1",
			   DB_P("3", "unused")),
		  0);
	CHECK_INT(r.nrows, 1);
	CHECK_STR(db_cell(&r, 0, 0), "n3");
	CHECK_STR(db_cell(&r, 0, 1), "Zoé");

	/* rows changed */
	CHECK_INT(db_exec(d, "UPDATE clr_test_t SET note = $1 WHERE id <= $2", DB_P("u", "3")), 2);
	CHECK_INT(db_exec(d, "UPDATE clr_test_t SET note = $1 WHERE id = $2", DB_P("u", "42")), 0);

	/* statement cache: the same SQL 1000 times, in one transaction */
	CHECK_INT(db_begin(d), 0);
	CHECK(db_in_tx(d));
	int bad = 0;
	for (int i = 0; i < 1000; i++) {
		arena_reset(a);
		if (db_exec(d, "INSERT INTO clr_test_t (id, name) VALUES ($1, $2)",
			    DB_P(db_int(a, 100 + i), arena_printf(a, "nom %d", i))) != 1)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(db_commit(d), 0);
	CHECK(!db_in_tx(d));
	CHECK_INT(db_query(d, a, &r, "SELECT count(*), sum(id) FROM clr_test_t WHERE id >= $1",
			   DB_P("100")),
		  0);
	CHECK_INT(db_ll(&r, 0, 0), 1000);
	CHECK_INT(db_ll(&r, 0, 1), 1000LL * 100 + 999LL * 1000 / 2);
	CHECK_INT(db_query(d, a, &r, "SELECT id FROM clr_test_t WHERE id >= $1 ORDER BY id",
			   DB_P("100")),
		  0);
	CHECK_INT(r.nrows, 1000);
	CHECK_STR(db_cell(&r, 999, 0), "1099");

	/* transactions */
	CHECK_INT(db_tx(d, tx_insert_ok, "5000"), 0);
	CHECK_INT(count_where_id(d, a, "5000"), 1);
	CHECK_INT(db_tx(d, tx_insert_then_fail, "5001"), -1);
	CHECK(!db_in_tx(d));
	CHECK_INT(count_where_id(d, a, "5001"), 0);
	CHECK_INT(db_tx(d, tx_nested, "5002"), 0);
	CHECK_INT(count_where_id(d, a, "5002"), 1);
	CHECK_INT(db_tx(d, tx_conflict, "5003"), CLR_ECONFLICT);
	CHECK(!db_in_tx(d));
	CHECK_INT(count_where_id(d, a, "5003"), 0);
	struct retry_ctx rc = {0};
	CHECK_INT(db_tx(d, tx_flaky, &rc), 0);
	CHECK_INT(rc.calls, 2);
	CHECK_INT(count_where_id(d, a, "6000"), 1);

	/* explicit rollback */
	CHECK_INT(db_begin(d), 0);
	CHECK_INT(db_exec(d, "DELETE FROM clr_test_t", DB_NOP), 1000 + 5);
	CHECK_INT(db_rollback(d), 0);
	CHECK_INT(db_query(d, a, &r, "SELECT count(*) FROM clr_test_t", DB_NOP), 0);
	CHECK_INT(db_ll(&r, 0, 0), 1000 + 5);

	/* a broken statement is a storage error with a message */
	CHECK_INT(db_exec(d, "SELECT no_such_column FROM clr_test_t", DB_NOP), CLR_EDB);
	CHECK(db_errmsg(d)[0] != '\0');
	CHECK(!db_last_retryable(d));

	CHECK_INT(db_exec_script(d, "DROP TABLE clr_test_t"), 0);
	arena_free(a);
}

TEST(db_sqlite)
{
	struct tmpdb t;
	db *d = open_sqlite(&t);
	CHECK(d != NULL);
	if (!d)
		return;
	CHECK_INT(db_kind(d), DB_SQLITE);
	common_checks(failed_, d);
	drop_sqlite(d, &t);
}

TEST(db_pg)
{
	db *d = open_pg(failed_);
	if (!d)
		return;
	CHECK_INT(db_kind(d), DB_PG);
	common_checks(failed_, d);
	db_close(d);
}

TEST(db_bad_url)
{
	db *d = (db *)1;
	char err[128];
	CHECK_INT(db_open("mysql://localhost/x", &d, err, sizeof err), CLR_EDB);
	CHECK(d == NULL);
	CHECK_STR(err, "unsupported database URL");
	CHECK(db_open("", &d, err, sizeof err) < 0);
	CHECK(db_open("sqlite:", &d, err, sizeof err) < 0);
	CHECK(err[0] != '\0');
	CHECK(db_open("sqlite:/nonexistent-dir/x/y.db", &d, err, sizeof err) < 0);
	CHECK(err[0] != '\0');
}

TEST(db_helpers)
{
	arena *a = arena_new();
	CHECK_STR(db_int(a, -9007199254740993LL), "-9007199254740993");
	const char *cells[] = {"12", NULL};
	db_rows r = {1, 2, cells};
	CHECK_INT(db_ll(&r, 0, 0), 12);
	CHECK_INT(db_ll(&r, 0, 1), 0);
	CHECK_INT(db_ll(&r, 3, 0), 0);
	arena_free(a);
}

TEST(db_thread_conn)
{
	struct tmpdb t;
	db *d = open_sqlite(&t);
	CHECK(d != NULL);
	if (!d)
		return;
	db_set_url(t.url);
	CHECK_STR(db_url(), t.url);
	db *a = db_thread();
	CHECK(a != NULL);
	CHECK(db_thread() == a);
	CHECK_INT(db_exec(a, "CREATE TABLE x (v TEXT)", DB_NOP), 0);
	db_thread_close();
	db_set_url(NULL);
	drop_sqlite(d, &t);
}

/* Migrating twice applies nothing the second time, and every migration
 * is recorded once. */
static void migrate_checks(int *failed_, db *d)
{
	arena *a = arena_new();
	db_rows r;
	int n = db_migrate(d, 0);
	CHECK(n >= 0);
	CHECK_INT(db_migrate(d, 0), 0);
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations", DB_NOP), 0);
	CHECK(db_ll(&r, 0, 0) > 10);
	CHECK_INT(db_ll(&r, 0, 0), db_ll(&r, 0, 1));
	CHECK_INT(db_migrations_pending(d), 0);
	arena_free(a);
}

TEST(db_migrate_sqlite)
{
	struct tmpdb t;
	db *d = open_sqlite(&t);
	CHECK(d != NULL);
	if (!d)
		return;
	migrate_checks(failed_, d);
	drop_sqlite(d, &t);
}

TEST(db_migrate_pg)
{
	db *d = open_pg(failed_);
	if (!d)
		return;
	migrate_checks(failed_, d);
	db_close(d);
}

/* A connection killed by the server is replaced before the next call:
 * that call is answered (it is not sent into the dead connection). */
TEST(db_pg_reconnect)
{
	db *d = open_pg(failed_), *killer = d ? open_pg(failed_) : NULL;
	if (!d || !killer) {
		db_close(d);
		db_close(killer);
		return;
	}
	arena *a = arena_new();
	db_rows r;
	const char *sql = "SELECT pg_backend_pid(), $1::text";
	CHECK_INT(db_query(d, a, &r, sql, DB_P("x")), 0);
	const char *pid = db_cell(&r, 0, 0);
	CHECK_INT(db_query(killer, a, &r, "SELECT pg_terminate_backend($1::int)", DB_P(pid)), 0);
	usleep(100 * 1000);
	CHECK_INT(db_query(d, a, &r, sql, DB_P("y")), 0);
	CHECK_STR(db_cell(&r, 0, 1), "y");
	CHECK_INT(db_query(d, a, &r, sql, DB_P("z")), 0);
	CHECK_STR(db_cell(&r, 0, 1), "z");
	CHECK(strcmp(db_cell(&r, 0, 0), pid) != 0);
	arena_free(a);
	db_close(d);
	db_close(killer);
}

struct racer {
	const char *url;
	int applied;
};

static void *race_migrate(void *arg)
{
	struct racer *r = arg;
	db *d;
	char err[256];
	r->applied = db_open(r->url, &d, err, sizeof err) < 0 ? -100 : db_migrate(d, 0);
	if (r->applied != -100)
		db_close(d);
	return NULL;
}

/* Two servers migrating one fresh PostgreSQL database at once apply each
 * migration exactly once: a database of its own, created on the test
 * cluster and dropped after. */
TEST(db_migrate_pg_race)
{
	const char *url = test_pg_url();
	if (!url)
		return;
	const char *slash = strrchr(url, '/');
	db *d = open_pg(failed_);
	if (!d || !slash)
		return;
	char name[64], fresh[512];
	unsigned char rnd[4];
	randombytes_buf(rnd, sizeof rnd);
	snprintf(name, sizeof name, "clr_race_%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
	snprintf(fresh, sizeof fresh, "%.*s/%s", (int)(slash - url), url, name);
	char sql[128];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	CHECK_INT(db_exec_script(d, sql), 0);
	struct racer r1 = {fresh, 0}, r2 = {fresh, 0};
	pthread_t t1, t2;
	pthread_create(&t1, NULL, race_migrate, &r1);
	pthread_create(&t2, NULL, race_migrate, &r2);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CHECK(r1.applied >= 0 && r2.applied >= 0);
	db *f = NULL;
	char err[256];
	CHECK_INT(db_open(fresh, &f, err, sizeof err), 0);
	if (f) {
		arena *a = arena_new();
		db_rows r;
		CHECK_INT(db_query(f, a, &r, "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations", DB_NOP), 0);
		CHECK(db_ll(&r, 0, 0) > 10);
		CHECK_INT(db_ll(&r, 0, 0), db_ll(&r, 0, 1));
		CHECK_INT(r1.applied + r2.applied, (int)db_ll(&r, 0, 0)); /* each once, by one or the other */
		CHECK_INT(db_migrate(f, 0), 0);
		arena_free(a);
		db_close(f);
	}
	snprintf(sql, sizeof sql, "DROP DATABASE %s", name);
	CHECK_INT(db_exec_script(d, sql), 0);
	db_close(d);
}

/* db_read_begin(): on SQLite the reads see the database as at the first
 * one until db_read_end(); a write ends the snapshot and commits at once;
 * db_tx() inside one runs its own write transaction.  On PostgreSQL each
 * statement reads the latest commit, with or without it. */
static long long count_rows(db *d, arena *a)
{
	db_rows r;
	if (db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_snap", DB_NOP) != 0)
		return -1;
	return db_ll(&r, 0, 0);
}

static int snap_insert(db *d, void *ctx)
{
	(void)ctx;
	return db_exec(d, "INSERT INTO clr_test_snap (n) VALUES (3)", DB_NOP) == 1 ? 0 : CLR_EDB;
}

static void snapshot_checks(int *failed_, const char *url)
{
	db *d = NULL, *o = NULL;
	char err[256];
	CHECK_INT(db_open(url, &d, err, sizeof err), 0);
	CHECK_INT(db_open(url, &o, err, sizeof err), 0);
	if (!d || !o)
		goto out;
	arena *a = arena_new();
	db_exec_script(d, "DROP TABLE IF EXISTS clr_test_snap");
	CHECK_INT(db_exec_script(d, "CREATE TABLE clr_test_snap (n INTEGER)"), 0);
	int sqlite = db_kind(d) == DB_SQLITE;

	CHECK_INT(db_read_begin(d), 0);
	CHECK(!db_in_tx(d));
	CHECK_INT(count_rows(d, a), 0);
	CHECK_INT(db_exec(o, "INSERT INTO clr_test_snap (n) VALUES (1)", DB_NOP), 1);
	CHECK_INT(count_rows(d, a), sqlite ? 0 : 1); /* the snapshot */
	CHECK_INT(db_read_end(d), 0);
	CHECK_INT(count_rows(d, a), 1);

	/* a write inside: committed at once, seen by the other connection */
	CHECK_INT(db_read_begin(d), 0);
	CHECK_INT(count_rows(d, a), 1);
	CHECK_INT(db_exec(d, "INSERT INTO clr_test_snap (n) VALUES (2)", DB_NOP), 1);
	CHECK_INT(count_rows(o, a), 2);
	CHECK(!db_in_tx(d));
	/* and db_tx() runs its own transaction, even after another commit */
	CHECK_INT(db_exec(o, "INSERT INTO clr_test_snap (n) VALUES (9)", DB_NOP), 1);
	CHECK_INT(db_tx(d, snap_insert, NULL), 0);
	CHECK_INT(count_rows(o, a), 4);
	CHECK_INT(db_read_end(d), 0);
	CHECK(!db_in_tx(d));

	/* a snapshot that read first, then db_tx() while another wrote */
	CHECK_INT(db_read_begin(d), 0);
	CHECK_INT(count_rows(d, a), 4);
	CHECK_INT(db_exec(o, "INSERT INTO clr_test_snap (n) VALUES (9)", DB_NOP), 1);
	CHECK_INT(db_tx(d, snap_insert, NULL), 0);
	CHECK_INT(count_rows(d, a), 6);
	CHECK_INT(db_read_end(d), 0);

	CHECK_INT(db_exec_script(d, "DROP TABLE clr_test_snap"), 0);
	arena_free(a);
out:
	if (d)
		db_close(d);
	if (o)
		db_close(o);
}

TEST(db_read_snapshot_sqlite)
{
	test_on_sqlite("snap", snapshot_checks, failed_);
}

TEST(db_read_snapshot_pg)
{
	test_on_pg(snapshot_checks, failed_);
}

/* db_batch(): results in order, one round trip on PostgreSQL, an error in
 * the middle (the later statements not run, the transaction failed and
 * rolled back, the connection usable after), writes inside db_tx(). */
static int batch_tx_fail(db *d, void *ctx)
{
	arena *a = ctx;
	db_rows r;
	struct db_stmt st[] = {
		{"INSERT INTO clr_test_batch (n) VALUES (100)", DB_NOP, NULL, 0, 0},
		{"INSERT INTO clr_test_batch (n) VALUES (1)", DB_NOP, NULL, 0, 0}, /* duplicate key */
		{"SELECT COUNT(*) FROM clr_test_batch", DB_NOP, &r, 0, 0},
	};
	return db_batch(d, a, st, 3);
}

static int batch_tx_ok(db *d, void *ctx)
{
	arena *a = ctx;
	struct db_stmt st[] = {
		{"INSERT INTO clr_test_batch (n) VALUES (200)", DB_NOP, NULL, 0, 0},
		{"UPDATE clr_test_batch SET n = n + 1000 WHERE n = 200", DB_NOP, NULL, 0, 0},
	};
	int rc = db_batch(d, a, st, 2);
	return rc < 0 ? rc : st[1].rc == 1 ? 0 : CLR_EDB;
}

static void batch_checks(int *failed_, const char *url)
{
	db *d = NULL;
	char err[256];
	CHECK_INT(db_open(url, &d, err, sizeof err), 0);
	if (!d)
		return;
	arena *a = arena_new();
	int pg = db_kind(d) == DB_PG;
	db_exec_script(d, "DROP TABLE IF EXISTS clr_test_batch");
	CHECK_INT(db_exec_script(d, "CREATE TABLE clr_test_batch (n INTEGER PRIMARY KEY)"), 0);
	CHECK_INT(db_exec_script(d, "INSERT INTO clr_test_batch (n) VALUES (1); INSERT INTO clr_test_batch (n) VALUES (2)"), 0);

	/* reads, in order, each with its own parameters; twice (the second
	 * time every statement is prepared: one round trip on PostgreSQL) */
	for (int round = 0; round < 2; round++) {
		db_rows r1, r2, r3;
		struct db_stmt st[] = {
			{"SELECT n FROM clr_test_batch WHERE n = $1", DB_P("2"), &r1, 0, 0},
			{"SELECT COUNT(*), $1 FROM clr_test_batch", DB_P("é"), &r2, 0, 0},
			{"SELECT n FROM clr_test_batch WHERE n > $1 ORDER BY n", DB_P("5"), &r3, 0, 0},
		};
		unsigned long t0 = db_trips(d);
		CHECK_INT(db_batch(d, a, st, 3), 0);
		if (round == 1)
			CHECK_INT((int)(db_trips(d) - t0), pg ? 1 : 3);
		CHECK_INT(st[0].rc, 0);
		CHECK_INT(r1.nrows, 1);
		CHECK_STR(db_cell(&r1, 0, 0), "2");
		CHECK_STR(db_cell(&r2, 0, 0), "2");
		CHECK_STR(db_cell(&r2, 0, 1), "é");
		CHECK_INT(r3.nrows, 0);
		CHECK_INT(r3.ncols, pg ? 1 : 1);
	}

	/* an error in the middle outside a transaction, when it runs (a
	 * division by zero; one that cannot even be prepared, then one of
	 * every statement prepared: the pipeline's own error path on
	 * PostgreSQL): the first ran, the rest did not, the first failure's
	 * code is returned */
	for (int round = 0; round < 3; round++) {
		db_rows r1, r3;
		struct db_stmt st[] = {
			{"SELECT COUNT(*) FROM clr_test_batch", DB_NOP, &r1, 0, 0},
			{round == 1 ? "SELECT no_such_column FROM clr_test_batch"
				    : "SELECT abs(CAST($1 AS BIGINT)) FROM clr_test_batch", DB_P("-9223372036854775808"), NULL, 0, 0},
			{"SELECT 1", DB_NOP, &r3, 0, 0},
		};
		unsigned long t0 = db_trips(d);
		CHECK_INT(db_batch(d, a, st, 3), CLR_EDB);
		if (round == 2)
			CHECK_INT((int)(db_trips(d) - t0), pg ? 1 : 2);
		CHECK_INT(st[0].rc, 0);
		CHECK_STR(db_cell(&r1, 0, 0), "2");
		CHECK_INT(st[1].rc, CLR_EDB);
		CHECK(db_errmsg(d)[0] != '\0');
		CHECK_INT(st[2].rc, CLR_EDB);
		CHECK_INT(r3.nrows, 0);
		CHECK(!db_in_tx(d));
	}
	/* the connection is usable after */
	db_rows r;
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_batch", DB_NOP), 0);
	CHECK_STR(db_cell(&r, 0, 0), "2");

	/* inside db_tx(): a failure in the middle rolls the whole transaction
	 * back, the third statement did not run */
	CHECK_INT(db_tx(d, batch_tx_fail, a), CLR_ECONFLICT);
	CHECK(!db_in_tx(d));
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_batch WHERE n = 100", DB_NOP), 0);
	CHECK_STR(db_cell(&r, 0, 0), "0");
	/* and writes that succeed are committed together, each rc the changes */
	CHECK_INT(db_tx(d, batch_tx_ok, a), 0);
	CHECK_INT(db_query(d, a, &r, "SELECT n FROM clr_test_batch ORDER BY n", DB_NOP), 0);
	CHECK_INT(r.nrows, 3);
	CHECK_STR(db_cell(&r, 2, 0), "1200");
	/* a single statement and an empty batch */
	{
		db_rows r1;
		struct db_stmt st[] = {{"SELECT 7", DB_NOP, &r1, 0, 0}};
		CHECK_INT(db_batch(d, a, st, 1), 0);
		CHECK_STR(db_cell(&r1, 0, 0), "7");
		CHECK_INT(db_batch(d, a, st, 0), 0);
	}

	CHECK_INT(db_exec_script(d, "DROP TABLE clr_test_batch"), 0);
	arena_free(a);
	db_close(d);
}

TEST(db_batch)
{
	test_on_sqlite("batch", batch_checks, failed_);
	test_on_pg(batch_checks, failed_);
}

/* db_defer(): the deferred read rides with the next read (one round trip on
 * PostgreSQL), its check's verdict comes first; a failed check refuses every
 * later statement, writes included, until db_defer_end(). */
struct defer_ctx {
	int calls;
	const char *want;
};

static int defer_check(void *ctx, const db_rows *rows)
{
	struct defer_ctx *k = ctx;
	k->calls++;
	return rows->nrows == 1 && strcmp(db_cell(rows, 0, 0), k->want) == 0 ? 0 : CLR_ESTALE;
}

static void defer_checks(int *failed_, const char *url)
{
	db *d = NULL;
	char err[256];
	CHECK_INT(db_open(url, &d, err, sizeof err), 0);
	if (!d)
		return;
	arena *a = arena_new();
	int pg = db_kind(d) == DB_PG;
	db_exec_script(d, "DROP TABLE IF EXISTS clr_test_defer");
	CHECK_INT(db_exec_script(d, "CREATE TABLE clr_test_defer (n INTEGER)"), 0);
	db_rows r, dr;
	/* warm the statement caches */
	CHECK_INT(db_query(d, a, &r, "SELECT CAST($1 AS TEXT)", DB_P("x")), 0);
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_defer", DB_NOP), 0);

	/* passes: the read's rows come back, one round trip on PostgreSQL */
	struct defer_ctx k = {0, "ok"};
	struct db_deferred x = {{"SELECT CAST($1 AS TEXT)", DB_P("ok"), &dr, 0, 0}, defer_check, &k, a, 0};
	db_defer(d, &x);
	unsigned long t0 = db_trips(d);
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_defer", DB_NOP), 0);
	CHECK_INT((int)(db_trips(d) - t0), pg ? 1 : 2);
	CHECK_INT(k.calls, 1);
	CHECK_STR(db_cell(&r, 0, 0), "0");
	CHECK_INT(db_exec(d, "INSERT INTO clr_test_defer (n) VALUES (1)", DB_NOP), 1);
	CHECK_INT(db_defer_end(d), 0);
	CHECK_INT(k.calls, 1);

	/* fails: no rows, the write refused, until db_defer_end() */
	struct defer_ctx k2 = {0, "other"};
	struct db_deferred x2 = {{"SELECT CAST($1 AS TEXT)", DB_P("ok"), &dr, 0, 0}, defer_check, &k2, a, 0};
	db_defer(d, &x2);
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_defer", DB_NOP), CLR_ESTALE);
	CHECK_INT(r.nrows, 0);
	CHECK_INT(db_exec(d, "INSERT INTO clr_test_defer (n) VALUES (2)", DB_NOP), CLR_ESTALE);
	CHECK_INT(db_begin(d), CLR_ESTALE);
	CHECK_INT(db_defer_end(d), CLR_ESTALE);
	CHECK_INT(k2.calls, 1);
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_defer", DB_NOP), 0);
	CHECK_STR(db_cell(&r, 0, 0), "1");

	/* a write first: the deferred read runs alone before it, and refuses it */
	struct defer_ctx k3 = {0, "other"};
	struct db_deferred x3 = {{"SELECT CAST($1 AS TEXT)", DB_P("ok"), &dr, 0, 0}, defer_check, &k3, a, 0};
	db_defer(d, &x3);
	CHECK_INT(db_exec(d, "INSERT INTO clr_test_defer (n) VALUES (3)", DB_NOP), CLR_ESTALE);
	CHECK_INT(db_defer_end(d), CLR_ESTALE);
	/* nothing else ran: db_defer_end() runs it */
	struct defer_ctx k4 = {0, "ok"};
	struct db_deferred x4 = {{"SELECT CAST($1 AS TEXT)", DB_P("ok"), &dr, 0, 0}, defer_check, &k4, a, 0};
	db_defer(d, &x4);
	CHECK_INT(db_defer_end(d), 0);
	CHECK_INT(k4.calls, 1);
	CHECK_INT(db_query(d, a, &r, "SELECT COUNT(*) FROM clr_test_defer", DB_NOP), 0);
	CHECK_STR(db_cell(&r, 0, 0), "1");

	CHECK_INT(db_exec_script(d, "DROP TABLE clr_test_defer"), 0);
	arena_free(a);
	db_close(d);
}

TEST(db_defer)
{
	test_on_sqlite("defer", defer_checks, failed_);
	test_on_pg(defer_checks, failed_);
}
