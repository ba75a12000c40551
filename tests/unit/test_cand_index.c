/* test_cand_index.c - the in-memory list index (src/domain/cand_index.c)
 * against the SQL path it stands in for: an organisation of 420 candidates
 * with accented, hyphenated and apostrophised names, every status and a few
 * e-mail domains; for many searches (1 to 15 bytes, accents, spaces, absent
 * trigrams) x every status x both orders x several pages, the index and
 * candidate_list() (SQL: the unit tests never enable the index) must give
 * the same total and the same candidates in the same order.  Then the list
 * version (migration 0011): every insert, delete and change of status or
 * name increments it; and the registry: a get queues a build, the worker
 * builds it, a later get returns it at that version only.  On a temporary
 * SQLite file and, when CLR_TEST_PG_URL is set, on PostgreSQL. */
#include "test.h"
#include <stdatomic.h>
#include "core/arena.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/cand_index.h"
#include "domain/candidate.h"
#include "domain/org.h"
#include "domain/place.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const lasts[] = {"Martin", "Lefèvre", "Dupont-Aignan", "N'Guessan", "Le Goff", "Ødegaard",
				    "Çelik", "Mbappé", "Nguyen", "Saint-Martin", "Bœuf", "Lemaître"};
static const char *const firsts[] = {"Jean", "Hélène", "Marie-Anne", "Zoé", "François", "Maëlle", "Théo",
				     "Chloé", "Jean-Pierre", "Inès"};
/* "gmail.co.uk" beside "gmail.com": a search for "14@gmail.com" finds texts
 * with every trigram of it but "com" (a long list the search skips): only
 * reading the text tells them apart */
static const char *const domains[] = {"gmail.com", "orange.fr", "laposte.net", "exemple.fr", "gmail.co.uk"};

static int insert(db *d, arena *a, long long org, int i, const char *last, const char *first, const char *email)
{
	const char *status = cand_statuses[i % CAND_NSTATUS].code;
	return db_exec(d,
		       "INSERT INTO candidates (org_id, status, steps, civility, last_name, first_name, email, "
		       "birth_date, birth_country, birth_city, employment, funding, exam_date, search, sort_name, "
		       "created_at, updated_at) VALUES (CAST($1 AS BIGINT), $2, 7, 'madame', $3, $4, $5, '1990-01-01', "
		       "'BE', 'Bruxelles', 'salarie', 'cpf', $6, $7, $8, 0, 0)",
		       DB_P(db_int(a, org), status, last, first, email, i % 3 ? NULL : "2026-12-01",
			    candidate_search_text(a, last, first, "", email),
			    arena_printf(a, "%s %s", text_fold(a, last), text_fold(a, first))));
}

static int add(db *d, arena *a, long long org, int i)
{
	const char *last = lasts[i % 12], *first = firsts[(i / 12) % 10];
	const char *email = arena_printf(a, "%s.%s%d@%s", text_fold(a, first), text_fold(a, last), i, domains[i % 5]);
	for (char *p = (char *)email; *p; p++)
		if (*p == ' ' || *p == '\'')
			*p = '-';
	if (i % 7 == 0) /* not the folded e-mail of the search text: kept apart by the index */
		((char *)email)[0] = (char)(email[0] - 'a' + 'A');
	return insert(d, a, org, i, last, first, email);
}

/* Texts with every trigram of a query but not the query: only the places
 * of the trigrams' first occurrences (or the text) tell.  « martin.le »:
 * its trigrams are common (dense lists); « qwxzyk »: each in one text
 * (varint lists). */
static int add_decoys(db *d, arena *a, long long org)
{
	return insert(d, a, org, 1, "Marti", "Tin", "marti.tin.n.le@exemple.fr") == 1 &&
	       insert(d, a, org, 2, "Qwxz", "Xzyk", "qwxz.xzyk@exemple.fr") == 1;
}

static const char *const queries[] = {"",	 "a",	    "e",	"é",	 "ma",	     "mar",	  "martin",
				      "lef",	 "lefèvre", "LEFEVRE",	"jean",	 "jean-p",   "jean-pierre", "n'g",
				      "le goff", " ",	    "@",	"gmail", "orange.fr", "zzz",	  "odegaard",
				      "oe",	 "boeuf",   "lemaitre", "ines",	 "pierre l", "marie-anne mb", "42@",
				      "1@orange", "xq",	    "theo",	"chloe",
				      /* names then e-mail: a trigram's first occurrence in the name part */
				      "jean.m", "e.martin1", "marie-anne.le", "zoe.lef", "14@gmail.com", "4@gmail.co",
				      "@gmail.com", "9@gmail.co.uk", "martin.le", "qwxzyk", "marti", "tin.n"};

/* « NOM Prénom » of a row of either path. */
static const char *shown_name(arena *a, const struct candidate_row *r)
{
	return r->display ? r->display : candidate_display_name(a, r->last_name, r->first_name);
}

/* The index against candidate_list(): SQL while the index is disabled (once
 * enabled, candidate_list() answers from the registry's index itself). */
static void compare(int *failed_, db *d, arena *a, struct cand_index *ix, long long org)
{
	int mismatches = 0;
	for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++)
		for (int st = -1; st < CAND_NSTATUS; st++)
			for (int desc = 0; desc < 2; desc++)
				for (int page = 1; page <= 4; page++) {
					struct candidate_query q = {.q = queries[qi],
								    .status = st < 0 ? NULL : cand_statuses[st].code,
								    .desc = desc,
								    .page = page,
								    .per_page = 25};
					struct candidate_page sql;
					if (candidate_list(d, a, org, &q, &sql) != 0) {
						mismatches++;
						continue;
					}
					if (sql.page != page)
						continue; /* past the end: the SQL path clamps, as list_from_index */
					struct candidate_row rows[25];
					long long total;
					int n;
					cand_index_find(ix, a, text_fold(a, queries[qi]), st, desc, (long long)(page - 1) * 25,
							25, &total, rows, &n);
					int same = total == sql.total && n == sql.n;
					for (int i = 0; same && i < n; i++)
						same = rows[i].id == sql.rows[i].id && !rows[i].last_name &&
						       !strcmp(rows[i].display, shown_name(a, &sql.rows[i])) &&
						       !strcmp(rows[i].email, sql.rows[i].email) &&
						       !strcmp(rows[i].status, sql.rows[i].status) &&
						       !strcmp(rows[i].exam_date ? rows[i].exam_date : "-",
							       sql.rows[i].exam_date ? sql.rows[i].exam_date : "-");
					if (!same && mismatches++ < 5)
						fprintf(stderr, "  q=\"%s\" status=%d desc=%d page=%d: index %lld/%d, sql %lld/%d\n",
							queries[qi], st, desc, page, total, n, sql.total, sql.n);
				}
	CHECK_INT(mismatches, 0);
}

struct worker_run {
	atomic_int stop;
};

static void *worker_thread(void *p)
{
	struct worker_run *w = p;
	cand_index_worker(&w->stop);
	db_thread_close();
	return NULL;
}

static void run_on(int *failed_, const char *url)
{
	db *d = test_db_open(failed_, url);
	if (!d)
		return;
	arena *a = arena_new();
	char name[64];
	test_unique_name(name, "Index");
	long long org;
	int created;
	CHECK_INT(org_ensure(d, a, name, &org, &created), 0);

	/* the list version grows with every change of the list */
	long long v0 = cand_index_version(d, a, org);
	CHECK_INT(db_begin(d), 0);
	for (int i = 0; i < 420; i++)
		CHECK_INT(add(d, a, org, i), 1);
	CHECK(add_decoys(d, a, org));
	CHECK_INT(db_commit(d), 0);
	long long v1 = cand_index_version(d, a, org);
	CHECK(v1 > v0);

	struct cand_index *ix = cand_index_build(d, org);
	CHECK(ix != NULL);
	if (!ix)
		goto out;
	compare(failed_, d, a, ix, org);

	db_rows r;
	CHECK_INT(db_query(d, a, &r, "SELECT MIN(id), MAX(id) FROM candidates WHERE org_id = $1", DB_P(db_int(a, org))), 0);
	const char *first_id = db_cell(&r, 0, 0), *last_id = db_cell(&r, 0, 1);
	CHECK_INT(db_exec(d, "UPDATE candidates SET status = 'done' WHERE id = $1 AND status <> 'done'", DB_P(first_id)), 1);
	long long v2 = cand_index_version(d, a, org);
	CHECK(v2 > v1);
	CHECK_INT(db_exec(d, "UPDATE candidates SET last_name = 'Zola', search = 'zola', sort_name = 'zola' WHERE id = $1",
			  DB_P(first_id)), 1);
	long long v3 = cand_index_version(d, a, org);
	CHECK(v3 > v2);
	CHECK_INT(db_exec(d, "DELETE FROM candidates WHERE id = $1", DB_P(last_id)), 1);
	long long v4 = cand_index_version(d, a, org);
	CHECK(v4 > v3);
	cand_index_put(ix);

	/* a fresh index sees the changes, and still agrees with SQL */
	ix = cand_index_build(d, org);
	CHECK(ix != NULL);
	if (ix) {
		compare(failed_, d, a, ix, org);
		cand_index_put(ix);
	}

	/* the registry: nothing while disabled; enabled, a get queues a build
	 * for the worker, and only that version is served */
	CHECK(cand_index_get(org, v4, 420) == NULL);
	setenv("CLR_LIST_INDEX_MIN", "100", 1);
	cand_index_enable();
	CHECK(cand_index_enabled());
	CHECK(cand_index_get(org, v4, 99) == NULL); /* smaller than the minimum: never built */
	db_set_url(url);
	struct worker_run w = {0};
	pthread_t t;
	pthread_create(&t, NULL, worker_thread, &w);
	struct cand_index *got = NULL;
	for (int i = 0; i < 300 && !got; i++) {
		got = cand_index_get(org, v4, 419);
		if (!got)
			usleep(20000);
	}
	CHECK(got != NULL);
	if (got) {
		compare(failed_, d, a, got, org);
		cand_index_put(got);
	}
	CHECK(cand_index_get(org, v4 + 1, 419) == NULL); /* another version: not this index */
	struct cand_index_stats s;
	cand_index_stats(&s);
	CHECK(s.builds >= 1 && s.hits >= 1 && s.bytes > 0);
	atomic_store(&w.stop, 1);
	pthread_join(t, NULL);
	CHECK(!cand_index_enabled()); /* the worker's end drops every index */
	unsetenv("CLR_LIST_INDEX_MIN");
out:
	arena_free(a);
	db_close(d);
}

TEST(cand_index_sqlite)
{
	test_on_sqlite("index", run_on, failed_);
}

TEST(cand_index_pg)
{
	test_on_pg(run_on, failed_);
}
