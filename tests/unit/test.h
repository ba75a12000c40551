/* test.h - a tiny unit-test framework.
 *
 * Each test file defines functions with TEST(name) { ... } and CHECK(...)
 * assertions; tests register themselves at load time (constructor), and
 * tests/unit/main.c runs them all (or those whose name contains argv[1]),
 * printing one "ok"/"not ok" line per test and a final "N passed, N failed".
 * A test that cannot run here (a tool it needs is missing) calls
 * test_skip(): it prints "skip NAME: WHY" and counts neither as passed nor
 * as failed ("N skipped" is printed above the totals line, 0 included; the
 * totals line keeps its format "N passed, N failed": tests/run reads both).
 */
#ifndef CLR_TEST_H
#define CLR_TEST_H
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(int *failed);
void test_register(const char *name, test_fn fn);
/* Marks the running test as skipped, WHY saying what is missing (a string
 * that outlives the test: a literal). */
void test_skip(const char *why);

/* A temporary SQLite database for one test: creates an empty file
 * /tmp/clr-NAME-XXXXXX, sets PATH to it and URL to "sqlite:PATH"; 0, or -1.
 * test_tmp_sqlite_drop() removes it with its -wal and -shm files. */
int test_tmp_sqlite(const char *name, char path[64], char url[80]);
void test_tmp_sqlite_drop(const char *path);

/* A name no other run has used: PREFIX and 12 random hex digits (an
 * organisation per test run on a shared PostgreSQL database). */
void test_unique_name(char out[64], const char *prefix);

/* The PostgreSQL database of this run (CLR_TEST_PG_URL; tests/run sets it
 * to the cluster it starts), or NULL after test_skip() when it is not set:
 * the test then returns without checking anything, and is counted as
 * skipped, never as passed.  A URL that does not answer is the test's to
 * fail (db_open() failing is a CHECK like any other). */
const char *test_pg_url(void);

/* Runs FN(failed, url) on a temporary SQLite database named NAME (removed
 * after), or on the PostgreSQL database of CLR_TEST_PG_URL (test_pg_url():
 * a skip when it is not set). */
typedef void (*test_db_fn)(int *failed, const char *url);
/* A connection to URL with every migration applied, or NULL with *failed
 * set (the caller db_close()s it). */
struct db;
struct db *test_db_open(int *failed, const char *url);
void test_on_sqlite(const char *name, test_db_fn fn, int *failed);
void test_on_pg(test_db_fn fn, int *failed);

#define TEST(name)                                                          \
	static void test_##name(int *failed_);                              \
	__attribute__((constructor)) static void reg_##name(void)           \
	{                                                                   \
		test_register(#name, test_##name);                          \
	}                                                                   \
	static void test_##name(int *failed_)

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",      \
				__FILE__, __LINE__, #cond);                 \
			*failed_ = 1;                                       \
		}                                                           \
	} while (0)

#define CHECK_STR(got, want)                                                \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		if (!g_ || !w_ || strcmp(g_, w_) != 0) {                    \
			fprintf(stderr, "  %s:%d: got \"%s\", want \"%s\"\n", \
				__FILE__, __LINE__, g_ ? g_ : "(null)",     \
				w_ ? w_ : "(null)");                        \
			*failed_ = 1;                                       \
		}                                                           \
	} while (0)

#define CHECK_INT(got, want)                                                \
	do {                                                                \
		long long g_ = (long long)(got), w_ = (long long)(want);    \
		if (g_ != w_) {                                             \
			fprintf(stderr, "  %s:%d: %s = %lld, want %lld\n",  \
				__FILE__, __LINE__, #got, g_, w_);          \
			*failed_ = 1;                                       \
		}                                                           \
	} while (0)

#endif
