/* index.c - bench/index: the in-memory list index (src/domain/cand_index.c)
 * of one organisation, measured without HTTP: the build time and size, and
 * for each search term of bench/search.lua (and a few short ones) the time
 * of one search, its number of matches, and the same count through the SQL
 * path (candidate_list() without the index), which must be equal.
 *
 *   make B=DIR DIR/bench-index
 *   DIR/bench-index sqlite:bench/data/bench-1000000.db 1      (org id 1: the big one)
 *   BENCH_INDEX_TERMS=gmail,mart DIR/bench-index ...           (those terms alone)
 *
 * Exit status 1 if a count differs from the SQL path's. */
#include "core/arena.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/cand_index.h"
#include "domain/candidate.h"
#include "domain/place.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const terms[] = {
	"mart", "dubo", "lefe", "lefèvre", "helene", "hélène", "jean", "nguy", "mercier", "dupont", "garc",
	"francois", "françois", "zoe", "chlo", "theo", "théo", "le goff", "diallo", "gmail", "orange.fr",
	"wanadoo", "laposte", "rousseau", "bonnet", "roux", "ois", "anne-so", "marie", "mbapp", "n'guess",
	"chateau", "boeuf", "lae", "quer", "jezeq", "saint-m", "leveque", "camille", "benoit", "noel", "mathi",
	"sebast", "clem", "ines", "maëlle", "raphael", "yasm", "gaet", "leg",
	/* the first keystrokes (bench/short.lua) */
	"m", "ma", "le", "é", "du", "a",
};

/* Whether the comma-separated LIST names TERM. */
static int list_has(const char *list, const char *term)
{
	size_t n = strlen(term);
	for (const char *p = list; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, term, n) && (p[n] == ',' || !p[n]))
			return 1;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-index DB_URL ORG_ID\n");
		return 2;
	}
	db *d;
	char err[256];
	if (db_open(argv[1], &d, err, sizeof err) != 0) {
		fprintf(stderr, "bench-index: %s\n", err);
		return 1;
	}
	long long org = atoll(argv[2]);
	double t0 = now();
	struct cand_index *ix = cand_index_build(d, org);
	if (!ix) {
		fprintf(stderr, "bench-index: build failed\n");
		return 1;
	}
	printf("build: %.0f ms, %.1f MB\n", (now() - t0) * 1000, (double)cand_index_bytes(ix) / 1e6);
	printf("%-12s %9s %9s %9s\n", "term", "matches", "sql", "µs");
	int bad = 0;
	double sum = 0;
	size_t nterms = sizeof terms / sizeof *terms;
	const char *only = getenv("BENCH_INDEX_TERMS"); /* "gmail,orange.fr": those alone */
	for (size_t i = 0; i < nterms; i++) {
		if (only && !list_has(only, terms[i]))
			continue;
		arena *a = arena_new(), *fa = arena_new();
		const char *f = text_fold(fa, terms[i]);
		struct candidate_row rows[50];
		long long total = 0;
		int n;
		double us = 1e18; /* the best of 20 batches of 10: this machine's noise only ever adds */
		for (int b = 0; b < 20; b++) {
			double t = now();
			for (int k = 0; k < 10; k++) {
				arena_reset(a);
				cand_index_find(ix, a, f, -1, 0, 0, 50, &total, rows, &n);
			}
			double u = (now() - t) * 1e6 / 10;
			if (u < us)
				us = u;
		}
		sum += us;
		struct candidate_query q = {.q = terms[i], .page = 1, .per_page = 50};
		struct candidate_page pg;
		long long sql = candidate_list(d, a, org, &q, &pg) == 0 ? pg.total : -1;
		printf("%-12s %9lld %9lld %9.1f%s\n", terms[i], total, sql, us, sql == total ? "" : "  DIFFERENT");
		bad |= sql != total;
		arena_free(a);
		arena_free(fa);
	}
	printf("mean: %.1f µs per search over %zu terms\n", sum / (double)nterms, nterms);
	cand_index_put(ix);
	db_close(d);
	return bad;
}
