/* test_keep.c - page data kept across requests (db_keep_version(),
 * db_query_stmt(), migration 0020): the statements marked for keeping read
 * only covered tables; a write of each covered table moves its
 * organisation's version (PostgreSQL); kept rows answer without a round
 * trip at the version they were read at, never at another, never inside a
 * transaction, never on SQLite. */
#include "test.h"
#include "core/arena.h"
#include "db/db.h"
#include "domain/candidate.h"
#include "domain/certification.h"
#include "domain/group.h"
#include "domain/org.h"
#include "domain/stock.h"
#include "domain/team.h"
#include <stdlib.h>
#include <string.h>

TEST(keep_marked_statements_read_covered_tables)
{
	arena *a = arena_new();
	struct db_stmt st[6];
	stock_balances_stmt(&st[0], a, 7);
	candidate_counts_stmt(&st[1], a, 7);
	group_count_stmt(&st[2], a, 7);
	group_names_stmt(&st[3], a, 7);
	candidate_list_version_stmt(&st[4], a, 7);
	team_stock_threshold_stmt(&st[5], a, 7);
	for (int i = 0; i < 6; i++) {
		CHECK(st[i].org == 7);
		CHECK(db_keep_covers(st[i].sql));
	}
	/* what is not covered is refused, whatever the spelling */
	struct db_stmt c;
	certification_list_stmt(&c, a, 7, &(struct cert_filter){.candidate_id = 1});
	CHECK(c.org == 0);
	CHECK(!db_keep_covers(c.sql));
	CHECK(!db_keep_covers("SELECT 1 FROM outbox"));
	CHECK(!db_keep_covers("select n from groups g join\tgroup_members m on m.group_id = g.id"));
	CHECK(!db_keep_covers("SELECT (SELECT COUNT(*) FROM candidates) FROM groups"));
	CHECK(!db_keep_covers("SELECT x FROM (SELECT 1 AS x FROM sessions) s"));
	CHECK(db_keep_covers("SELECT x FROM (SELECT id AS x FROM groups) s JOIN products p ON p.id = s.x"));
	CHECK(!db_keep_covers("SELECT x FROM groups_archive"));
	arena_free(a);
}

static long long version_of(db *d, arena *a, long long org)
{
	db_rows r;
	if (db_query(d, a, &r, "SELECT v FROM org_versions WHERE org_id = $1", DB_P(db_int(a, org))) < 0 || !r.nrows)
		return -1;
	return db_ll(&r, 0, 0);
}

/* One write of each covered table moves the version of the organisation
 * (of every organisation for the catalogue); a write elsewhere does not. */
static void writes_move_versions(int *failed_, const char *url)
{
	db *d = test_db_open(failed_, url);
	if (!d)
		return;
	arena *a = arena_new();
	char name[64], other[64];
	test_unique_name(name, "Gardée");
	test_unique_name(other, "Autre");
	long long org, org2;
	int created;
	CHECK_INT(org_ensure(d, a, name, &org, &created), 0);
	CHECK_INT(org_ensure(d, a, other, &org2, &created), 0);
	const char *o = db_int(a, org);
	const char *writes[] = {
		"INSERT INTO groups (org_id, name, name_folded, category, created_at, updated_at) "
		"VALUES ($1, 'G', 'g', 'client', 0, 0)",
		"UPDATE groups SET name = 'H' WHERE org_id = $1",
		"INSERT INTO stock_balances (org_id, product_id, qty, updated_at) SELECT $1, id, 3, 0 FROM products",
		"UPDATE stock_balances SET qty = qty + 1 WHERE org_id = $1",
		"UPDATE organisations SET stock_threshold = 9 WHERE id = $1",
		"INSERT INTO candidate_counts (org_id, status, n) VALUES ($1, 'draft', 0)",
		"DELETE FROM groups WHERE org_id = $1",
	};
	for (size_t i = 0; i < sizeof writes / sizeof *writes; i++) {
		long long before = version_of(d, a, org), before2 = version_of(d, a, org2);
		CHECK(before > 0);
		int rc = db_exec(d, writes[i], DB_P(o));
		if (rc < 0)
			fprintf(stderr, "    %s: %s\n", writes[i], db_errmsg(d));
		CHECK(rc >= 0);
		CHECK(version_of(d, a, org) != before);
		CHECK(version_of(d, a, org2) == before2); /* another organisation's data is not this one's */
	}
	long long before = version_of(d, a, org), before2 = version_of(d, a, org2);
	CHECK(db_exec(d, "UPDATE products SET sort_order = sort_order", DB_NOP) >= 0);
	CHECK(version_of(d, a, org) != before);
	CHECK(version_of(d, a, org2) != before2);
	/* outside the covered tables: no move (the outbox changes with each delivery) */
	before = version_of(d, a, org);
	CHECK(db_exec(d,
		      "INSERT INTO audit_log (at, org_id, action) VALUES (0, $1, 'test')",
		      DB_P(o)) >= 0);
	CHECK(version_of(d, a, org) == before);
	arena_free(a);
	db_close(d);
}

TEST(keep_writes_move_versions_pg)
{
	test_on_pg(writes_move_versions, failed_);
}

/* Kept rows: answered without a round trip at their version only. */
static void kept_rows(int *failed_, const char *url)
{
	db *d = test_db_open(failed_, url);
	if (!d)
		return;
	arena *a = arena_new();
	char name[64];
	test_unique_name(name, "Gardée");
	long long org, n = -1;
	int created;
	CHECK_INT(org_ensure(d, a, name, &org, &created), 0);
	int pg = db_kind(d) == DB_PG;
	db_keep_version(d, org, 41);
	CHECK_INT(group_count(d, a, org, &n), 0); /* read, kept at 41 */
	CHECK_INT(n, 0);
	CHECK(db_exec(d,
		      "INSERT INTO groups (org_id, name, name_folded, category, created_at, updated_at) "
		      "VALUES ($1, 'G', 'g', 'client', 0, 0)",
		      DB_P(db_int(a, org))) >= 0);
	/* the write forgot the version: the next read is the database's */
	unsigned long t0 = db_trips(d);
	CHECK_INT(group_count(d, a, org, &n), 0);
	CHECK_INT(n, 1);
	CHECK(db_trips(d) > t0);
	/* at 41 again (as a server that has not seen the write would assume):
	 * the kept answer, no round trip, and db_keep_hits() says so */
	db_keep_version(d, org, 41);
	t0 = db_trips(d);
	CHECK_INT(group_count(d, a, org, &n), 0);
	if (pg) {
		CHECK_INT(n, 0);
		CHECK(db_trips(d) == t0);
		CHECK_INT(db_keep_hits(d), 1);
	} else { /* SQLite keeps nothing */
		CHECK_INT(n, 1);
		CHECK_INT(db_keep_hits(d), 0);
	}
	/* another version: read again */
	db_keep_version(d, org, 42);
	CHECK_INT(group_count(d, a, org, &n), 0);
	CHECK_INT(n, 1);
	/* a transaction never reads kept rows */
	db_keep_version(d, org, 42);
	CHECK_INT(db_begin(d), 0);
	CHECK(db_exec(d,
		      "INSERT INTO groups (org_id, name, name_folded, category, created_at, updated_at) "
		      "VALUES ($1, 'H', 'h', 'client', 0, 0)",
		      DB_P(db_int(a, org))) >= 0);
	CHECK_INT(group_count(d, a, org, &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(db_rollback(d), 0);
	/* the end of a request forgets the version */
	db_keep_version(d, org, 42);
	db_read_end(d);
	CHECK_INT(group_count(d, a, org, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(db_keep_hits(d), 0);
	arena_free(a);
	db_close(d);
}

TEST(keep_rows_sqlite)
{
	test_on_sqlite("keep", kept_rows, failed_);
}

TEST(keep_rows_pg)
{
	test_on_pg(kept_rows, failed_);
}
