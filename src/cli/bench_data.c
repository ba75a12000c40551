/* bench_data.c - `clr bench-data`: the benchmark data set of bench/
 * (docs/PERFORMANCE.md).  Organisations, candidates with French names taken
 * from bench/prenoms.txt and bench/noms.txt (accents included), e-mails,
 * birth dates, statuses and exam dates, one big organisation among them,
 * and a known administrator of that big organisation for wrk's session.
 *
 * The folded `search` and `sort_name` columns are computed by the domain
 * code itself (candidate_search_text(), text_fold()), exactly as
 * candidate_create() stores them.  Rows go through the db interface in one
 * transaction with one cached prepared INSERT (SQLite: one row per
 * statement; PostgreSQL: BATCH_PG rows per statement, to save round trips).
 * A fixed seed makes the set reproducible.  Not a user feature: the rows
 * have no password and are not audited.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/candidate.h"
#include "domain/place.h"
#include "domain/user.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: clr bench-data [--db URL] [--orgs N] [--candidates N] [--big N] [--names DIR]\n"
	"                      [--admin-email E] [--admin-password P]\n"
	"\n"
	"Generates the benchmark data set (bench/run.sh): N organisations named\n"
	"« Bench NNNN », the first one, « Bench Grand Compte », holding --big of the\n"
	"--candidates candidates and the others sharing the rest; French first and\n"
	"last names from DIR/prenoms.txt and DIR/noms.txt (default DIR: bench);\n"
	"an administrator of the big organisation (default bench@clr.test /\n"
	"Bench-2026).  Defaults: --orgs 1000 --candidates 1000000 --big 100000.\n"
	"Refuses to run twice on the same database.\n";

#define NCOLS 19 /* parameters per row */
#define BATCH_PG 200
#define BIG_ORG_NAME "Bench Grand Compte"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

struct names {
	char **v;
	int n;
};

static int load_names(const char *path, struct names *out)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "clr: cannot read %s\n", path);
		return -1;
	}
	char line[256];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!*line || *line == '#')
			continue;
		out->v = realloc(out->v, sizeof *out->v * (size_t)(out->n + 1));
		out->v[out->n++] = strdup(line);
	}
	fclose(f);
	return out->n ? 0 : -1;
}

/* The ASCII local part of an e-mail from a folded name: letters and digits
 * kept, spaces and apostrophes become '-', the rest dropped. */
static const char *mail_part(arena *a, const char *folded)
{
	char *o = arena_alloc(a, strlen(folded) + 1), *p = o;
	for (const unsigned char *s = (const unsigned char *)folded; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			*p++ = (char)*s;
		else if ((*s == ' ' || *s == '\'' || *s == '-') && p > o && p[-1] != '-')
			*p++ = '-';
	}
	*p = 0;
	return o;
}

static const struct {
	const char *cp, *city, *insee, *country;
} places[] = {
	{"75011", "Paris", "75111", "FR"}, {"69003", "Lyon 3e Arrondissement", "69383", "FR"},
	{"13001", "Marseille 1er Arrondissement", "13201", "FR"}, {"42000", "Saint-Étienne", "42218", "FR"},
	{"33000", "Bordeaux", "33063", "FR"}, {"59000", "Lille", "59350", "FR"}, {"31000", "Toulouse", "31555", "FR"},
	{"44000", "Nantes", "44109", "FR"}, {"67000", "Strasbourg", "67482", "FR"}, {"97400", "Saint-Denis", "97411", "RE"},
	{"", "Dakar", "", "SN"}, {"", "Montréal", "", "CA"}, {"", "Bruxelles", "", "BE"}, {"", "Alger", "", "DZ"},
};
static const char *const domains[] = {"gmail.com", "orange.fr", "free.fr", "laposte.net", "yahoo.fr",
				      "hotmail.fr", "sfr.fr", "outlook.fr", "wanadoo.fr", "exemple.fr"};
static const char *const employments[] = {"salarie", "demandeur_emploi", "etudiant", "independant", "agent_public", "autre"};
static const char *const fundings[] = {"cpf", "employeur", "opco", "france_travail", "personnel", "autre"};

/* Status by weight: draft 5 %, to_assign 40 %, planned 15 %, waiting 10 %, done 30 %. */
static const char *pick_status(void)
{
	uint32_t r = rnd() % 100;
	return r < 5 ? CAND_DRAFT : r < 45 ? CAND_TO_ASSIGN : r < 60 ? CAND_PLANNED : r < 70 ? CAND_WAITING : CAND_DONE;
}

static const char *insert_sql(arena *a, int rows)
{
	buf b = BUF_INIT;
	buf_adds(&b, "INSERT INTO candidates (org_id, status, steps, civility, last_name, birth_name, first_name, email, "
		     "birth_date, birth_postal_code, birth_city, birth_insee, birth_country, employment, funding, "
		     "exam_date, search, sort_name, created_at, updated_at) VALUES ");
	for (int r = 0; r < rows; r++) {
		int k = r * NCOLS;
		buf_printf(&b,
			   "%s(CAST($%d AS BIGINT), $%d, CAST($%d AS INTEGER), $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, "
			   "$%d, $%d, $%d, $%d, $%d, $%d, CAST($%d AS BIGINT), CAST($%d AS BIGINT))",
			   r ? ", " : "", k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7, k + 8, k + 9, k + 10, k + 11,
			   k + 12, k + 13, k + 14, k + 15, k + 16, k + 17, k + 18, k + 19, k + 19);
	}
	char *s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

/* NCOLS parameters of candidate number i (0-based) of org_id into p. */
static void make_row(arena *a, long long i, long long org_id, struct names *fn, struct names *ln, const char **p)
{
	const char *first = fn->v[rnd() % (uint32_t)fn->n], *last = ln->v[rnd() % (uint32_t)ln->n];
	int woman = rnd() % 2;
	const char *birth_name = woman && rnd() % 5 == 0 ? ln->v[rnd() % (uint32_t)ln->n] : "";
	const char *ff = mail_part(a, text_fold(a, first)), *lf = mail_part(a, text_fold(a, last));
	const char *dom = domains[rnd() % (sizeof domains / sizeof *domains)];
	const char *email;
	switch (rnd() % 3) {
	case 0:
		email = arena_printf(a, "%s.%s%lld@%s", ff, lf, i, dom);
		break;
	case 1:
		email = arena_printf(a, "%c%s.%lld@%s", ff[0] ? ff[0] : 'x', lf, i, dom);
		break;
	default:
		email = arena_printf(a, "%s-%s-%lld@%s", lf, ff, i, dom);
	}
	const char *status = pick_status();
	int draft = str_eq(status, CAND_DRAFT);
	const char *exam = NULL;
	if (str_eq(status, CAND_PLANNED) || str_eq(status, CAND_WAITING) || str_eq(status, CAND_DONE))
		exam = arena_printf(a, "%04d-%02d-%02d", 2024 + (int)(rnd() % 3), 1 + (int)(rnd() % 12),
				    1 + (int)(rnd() % 28));
	int pl = (int)(rnd() % (sizeof places / sizeof *places));
	long long created = 1700000000LL + i * 60;
	p[0] = db_int(a, org_id);
	p[1] = status;
	p[2] = draft ? "1" : "7";
	p[3] = woman ? "madame" : "monsieur";
	p[4] = last;
	p[5] = birth_name;
	p[6] = first;
	p[7] = email;
	p[8] = arena_printf(a, "%04d-%02d-%02d", 1950 + (int)(rnd() % 58), 1 + (int)(rnd() % 12), 1 + (int)(rnd() % 28));
	p[9] = places[pl].cp;
	p[10] = places[pl].city;
	p[11] = places[pl].insee;
	p[12] = places[pl].country;
	p[13] = draft ? "" : employments[rnd() % 6];
	p[14] = draft ? "" : fundings[rnd() % 6];
	p[15] = exam;
	p[16] = candidate_search_text(a, last, first, birth_name, email);
	p[17] = arena_printf(a, "%s %s", text_fold(a, last), text_fold(a, first)); /* = sort_name() of candidate.c */
	p[18] = db_int(a, created);
}

int cmd_bench_data(int argc, char **argv)
{
	const char *dbf = NULL, *sorgs = "1000", *scand = "1000000", *sbig = "100000", *dir = "bench";
	const char *aemail = "bench@clr.test", *apw = "Bench-2026";
	const struct opt opts[] = {
		{"db", &dbf, 0},       {"orgs", &sorgs, 0},	   {"candidates", &scand, 0},	    {"big", &sbig, 0},
		{"names", &dir, 0},    {"admin-email", &aemail, 0}, {"admin-password", &apw, 0}, {0, 0, 0},
	};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 1, &npos);
	if (rc || npos) {
		if (rc <= 0)
			fprintf(stderr, "clr: unexpected arguments\n");
		fputs(help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	long long norgs = atoll(sorgs), ncand = atoll(scand), nbig = atoll(sbig);
	if (norgs < 1 || ncand < 0 || nbig < 0 || nbig > ncand || (norgs == 1 && nbig != ncand)) {
		fprintf(stderr, "clr: need --orgs >= 1 and 0 <= --big <= --candidates\n");
		return 2;
	}
	struct names fn = {0}, ln = {0};
	char path[1024];
	snprintf(path, sizeof path, "%s/prenoms.txt", dir);
	if (load_names(path, &fn))
		return 1;
	snprintf(path, sizeof path, "%s/noms.txt", dir);
	if (load_names(path, &ln))
		return 1;
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d)
		return 1;
	arena *a = arena_new();
	double t0 = mono_ms();
	db_rows r;
	rc = db_query(d, a, &r, "SELECT id FROM organisations WHERE name = $1", DB_P(BIG_ORG_NAME));
	if (rc == 0 && r.nrows) {
		fprintf(stderr, "clr: the bench data set is already in this database\n");
		return 1;
	}
	if (!rc)
		rc = db_begin(d);
	/* organisations: ids in insertion order */
	long long *org_ids = calloc((size_t)norgs, sizeof *org_ids);
	const char *now = db_int(a, now_s());
	for (long long o = 0; !rc && o < norgs; o++) {
		const char *name = o ? arena_printf(a, "Bench %04lld", o) : BIG_ORG_NAME;
		rc = db_query(d, a, &r, "INSERT INTO organisations (name, created_at) VALUES ($1, CAST($2 AS BIGINT)) RETURNING id",
			      DB_P(name, now));
		if (!rc)
			org_ids[o] = db_ll(&r, 0, 0);
	}
	struct errs e = {0};
	long long uid = 0;
	if (!rc)
		rc = user_create(d, a, org_ids[0], aemail, apw, "Administrateur Bench", &e, &uid);
	if (rc == CLR_EINVAL && e.n)
		fprintf(stderr, "clr: administrator: %s: %s\n", e.e[0].field, e.e[0].msg);

	/* candidates: the big organisation's rows are spread over the whole
	 * insertion order (as they would be over years), the others round-robin */
	int batch = db_kind(d) == DB_PG ? BATCH_PG : 1;
	const char *sql_full = insert_sql(a, batch);
	const char **params = calloc((size_t)batch * NCOLS, sizeof *params);
	arena *ra = arena_new();
	long long big_left = nbig, left = ncand, rr = 0;
	int inb = 0;
	for (long long i = 0; !rc && i < ncand; i++, left--) {
		long long org;
		if (norgs == 1 || (big_left > 0 && (long long)(rnd() % (uint32_t)left) < big_left)) {
			org = org_ids[0];
			big_left--;
		} else {
			org = org_ids[1 + rr++ % (norgs - 1)];
		}
		const char **p = params + (size_t)inb * NCOLS;
		make_row(ra, i, org, &fn, &ln, p);
		inb++;
		if (inb == batch || i == ncand - 1) {
			const char *sql = inb == batch ? sql_full : insert_sql(ra, inb);
			rc = db_exec(d, sql, inb * NCOLS, params);
			rc = rc < 0 ? rc : 0;
			inb = 0;
			arena_reset(ra);
		}
		if (i % 100000 == 99999) {
			fprintf(stderr, "clr: %lld candidates (%.0f s)\n", i + 1, (mono_ms() - t0) / 1000);
		}
	}
	if (!rc)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (!rc)
		/* PostgreSQL: the counters' rows were updated once per batch, and a
		 * data set measured before autovacuum comes round reads their dead
		 * versions (candidate_counts: 150 rows in 1.6 MB) */
		rc = db_exec_script(d, db_kind(d) == DB_PG ? "VACUUM ANALYZE" : "ANALYZE");
	if (rc) {
		fprintf(stderr, "clr: bench-data failed: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
		return 1;
	}
	printf("%lld organisations, %lld candidates (%lld in \"%s\", id %lld), administrator %s in %.1f s\n", norgs,
	       ncand, nbig, BIG_ORG_NAME, org_ids[0], aemail, (mono_ms() - t0) / 1000);
	arena_free(ra);
	arena_free(a);
	free(params);
	free(org_ids);
	db_close(d);
	return 0;
}
