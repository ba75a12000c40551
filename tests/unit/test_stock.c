/* test_stock.c - the stock ledger under contention: 200 consume calls from
 * 40 threads (one connection each) compete for 10 credits; exactly 10
 * succeed, the balance ends at 0 and the ledger sums to the balance.  On a
 * temporary SQLite file and, when CLR_TEST_PG_URL is set, on PostgreSQL. */
#include "test.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/crypto.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/org.h"
#include "domain/org.h"
#include "domain/stock.h"
#include "domain/user.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS 40
#define CALLS_PER_THREAD 5

struct race {
	const char *url;
	long long org_id, product_id;
	int ok, conflict, other;
	pthread_mutex_t mu;
};

static void *racer(void *p)
{
	struct race *r = p;
	db *d = NULL;
	char err[256];
	if (db_open(r->url, &d, err, sizeof err) != 0) {
		pthread_mutex_lock(&r->mu);
		r->other += CALLS_PER_THREAD;
		pthread_mutex_unlock(&r->mu);
		return NULL;
	}
	arena *a = arena_new();
	struct actor who = {0, r->org_id, "test"};
	for (int i = 0; i < CALLS_PER_THREAD; i++) {
		int rc = stock_consume(d, a, r->org_id, r->product_id, 1, "test", "race", &who, NULL);
		pthread_mutex_lock(&r->mu);
		if (rc == 0)
			r->ok++;
		else if (rc == CLR_ECONFLICT)
			r->conflict++;
		else
			r->other++;
		pthread_mutex_unlock(&r->mu);
	}
	arena_free(a);
	db_close(d);
	return NULL;
}

static void race_on(int *failed_, const char *url)
{
	db *d = test_db_open(failed_, url);
	if (!d)
		return;
	arena *a = arena_new();
	char name[64];
	test_unique_name(name, "Course");
	struct race r = {url, 0, 0, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER};
	int created;
	CHECK_INT(org_ensure(d, a, name, &r.org_id, &created), 0);
	struct product p;
	CHECK_INT(product_by_ref(d, a, "PART-CLR-EXAMEN", &p), 0);
	r.product_id = p.id;
	struct actor who = {0, 0, "test"};
	CHECK_INT(stock_credit(d, a, r.org_id, p.id, 10, "test", 0, "race", &who, NULL), 0);
	/* consuming more than the balance takes nothing */
	CHECK_INT(stock_consume(d, a, r.org_id, p.id, 11, "test", "race", &who, NULL), CLR_ECONFLICT);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, racer, &r);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(r.ok, 10);
	CHECK_INT(r.conflict, THREADS * CALLS_PER_THREAD - 10);
	CHECK_INT(r.other, 0);
	struct stock_balance *bs;
	int nb;
	long long total;
	CHECK_INT(stock_balances(d, a, r.org_id, &bs, &nb, &total), 0);
	CHECK_INT(total, 0);
	struct stock_move *ms;
	int nm;
	CHECK_INT(stock_history(d, a, r.org_id, p.id, 1000, &ms, &nm), 0);
	CHECK_INT(nm, 11); /* one credit, ten consumptions */
	long long sum = 0;
	for (int i = 0; i < nm; i++)
		sum += ms[i].qty;
	CHECK_INT(sum, 0);
	/* the database itself refuses a negative balance */
	db_rows rows;
	CHECK_INT(db_query(d, a, &rows, "UPDATE stock_balances SET qty = -1 WHERE org_id = $1",
			   DB_P(db_int(a, r.org_id))), CLR_ECONFLICT);
	arena_free(a);
	db_close(d);
}

TEST(stock_consume_race_sqlite)
{
	test_on_sqlite("stock", race_on, failed_);
}

TEST(stock_consume_race_pg)
{
	test_on_pg(race_on, failed_);
}
