/* main.c - runs every registered unit test; see test.h. */
#include "test.h"
#include "db/db.h"
#include <stdlib.h>
#include <sodium.h>
#include <unistd.h>

struct entry {
	const char *name;
	test_fn fn;
};
static struct entry tests[512];
static int ntests;
static const char *skip_reason; /* set by test_skip() during the running test */

void test_register(const char *name, test_fn fn)
{
	if (ntests < (int)(sizeof tests / sizeof *tests))
		tests[ntests++] = (struct entry){name, fn};
}

/* LeakSanitizer reads these built-in suppressions before LSAN_OPTIONS':
 * the entries of tests/lsan.supp (see the reasons there), so that running
 * build/asan/unit by hand with ASAN_OPTIONS=detect_leaks=1 is clean too.
 * Unused outside sanitizer builds. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

void test_skip(const char *why)
{
	skip_reason = why;
}

int test_tmp_sqlite(const char *name, char path[64], char url[80])
{
	snprintf(path, 64, "/tmp/clr-%s-XXXXXX", name);
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(url, 80, "sqlite:%s", path);
	return 0;
}

void test_tmp_sqlite_drop(const char *path)
{
	char p[80];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

void test_unique_name(char out[64], const char *prefix)
{
	unsigned char r[6];
	randombytes_buf(r, sizeof r);
	snprintf(out, 64, "%s %02x%02x%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3], r[4], r[5]);
}

void test_on_sqlite(const char *name, test_db_fn fn, int *failed)
{
	char path[64], url[80];
	if (test_tmp_sqlite(name, path, url) != 0) {
		fprintf(stderr, "  cannot create a temporary database\n");
		*failed = 1;
		return;
	}
	fn(failed, url);
	test_tmp_sqlite_drop(path);
}

const char *test_pg_url(void)
{
	const char *url = getenv("CLR_TEST_PG_URL");
	if (url && *url)
		return url;
	test_skip("CLR_TEST_PG_URL is not set (tests/run sets it; or tests/lib/pg.sh start DIR)");
	return NULL;
}

struct db *test_db_open(int *failed, const char *url)
{
	db *d = NULL;
	char err[256];
	if (db_open(url, &d, err, sizeof err) != 0) {
		fprintf(stderr, "  db_open(%s): %s\n", url, err);
		*failed = 1;
		return NULL;
	}
	if (db_migrate(d, 0) < 0) {
		fprintf(stderr, "  db_migrate(%s) failed: %s\n", url, db_errmsg(d));
		*failed = 1;
		db_close(d);
		return NULL;
	}
	return d;
}

void test_on_pg(test_db_fn fn, int *failed)
{
	const char *url = test_pg_url();
	if (url)
		fn(failed, url);
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	int passed = 0, failed = 0, skipped = 0;
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		int f = 0;
		skip_reason = NULL;
		tests[i].fn(&f);
		if (!f && skip_reason) {
			printf("skip %s: %s\n", tests[i].name, skip_reason);
			skipped++;
			continue;
		}
		printf("%s %s\n", f ? "not ok" : "ok", tests[i].name);
		if (f)
			failed++;
		else
			passed++;
	}
	printf("%d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
