/* demo.c - `clr demo`: loads the demonstration data set so that `make run`
 * is a tour of every screen.  Idempotent: running it twice changes nothing. */
#include "cli/cli.h"
#include "domain/place.h"
#include "core/arena.h"
#include "core/err.h"
#include "domain/org.h"
#include "domain/user.h"
#include <stdio.h>

#define DEMO_ORG "Centre de formation Voltaire"
#define DEMO_ADMIN "admin@demo.clr.test"
#define DEMO_ADMIN_PW "Voltaire-2026"
#define DEMO_STAFF "staff@demo.clr.test"
#define DEMO_STAFF_PW "LeRobert-2026"
#define DEMO_CAND_PW "Espace-Candidat-2026"

static const char demo_help[] =
	"usage: clr demo [--db URL]\n"
	"\n"
	"Loads the demonstration data (the organisation \"" DEMO_ORG "\",\n"
	"its administrator, a Le Robert staff account, and fourteen La Poste\n"
	"exam centres with their slots over the next 8 weeks; the organisation's\n"
	"orders, candidates, groups, team and requests to support in every\n"
	"status; three candidates with a password of their own, one with a\n"
	"result and its certificate) and prints the credentials.  Running it\n"
	"again changes nothing.\n"
	"\n"
	"clr demo --candidates N --org NAME [--db URL]\n"
	"  adds N synthetic candidates (one transaction) to the existing\n"
	"  organisation NAME instead: load tests and benchmarks.\n";

static int ensure_user(db *d, arena *a, long long org_id, const char *email, const char *pw, const char *name)
{
	/* looked up first: on PostgreSQL a failed INSERT would abort demo's transaction */
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT 1 FROM users WHERE email = $1", DB_P(email));
	if (rc < 0 || r.nrows)
		return rc < 0 ? rc : 0;
	struct errs e = {0};
	rc = user_create(d, a, org_id, email, pw, name, &e, NULL);
	if (rc == CLR_EINVAL && errs_get(&e, "email") && e.n == 1)
		return 0; /* already there */
	return rc;
}

int cmd_demo(int argc, char **argv)
{
	const char *dbf = NULL, *ncand = NULL, *org = NULL;
	const struct opt opts[] = {{"db", &dbf, 0}, {"candidates", &ncand, 0}, {"org", &org, 0}, {0, 0, 0}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 0, &npos);
	if (rc) {
		fputs(demo_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d)
		return 1;
	arena *a = arena_new();
	if (ncand || org) { /* synthetic candidates (demo_groups.c) */
		rc = demo_bulk_candidates(d, a, org, ncand);
		if (rc && rc != CLR_EINVAL && rc != CLR_ENOTFOUND)
			fprintf(stderr, "clr: demo candidates failed: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
		arena_free(a);
		db_close(d);
		return rc ? 1 : 0;
	}
	long long org_id;
	int created;
	rc = db_begin(d);
	if (!rc)
		rc = org_ensure(d, a, DEMO_ORG, &org_id, &created);
	if (!rc)
		rc = ensure_user(d, a, org_id, DEMO_ADMIN, DEMO_ADMIN_PW, "Camille Martin");
	if (!rc)
		rc = ensure_user(d, a, 0, DEMO_STAFF, DEMO_STAFF_PW, "Service commercial"); /* « Le Robert » would be its password */
	if (!rc)
		rc = demo_orders(d, a, org_id); /* orders in each status, stock 9 + 10 (demo_orders.c) */
	if (!rc) /* postal codes and countries: centres and candidates are checked against them */
		rc = reference_load(d) < 0 ? CLR_EDB : 0;
	if (!rc)
		rc = demo_centres(d, a); /* La Poste exam centres and their slots (demo_centres.c) */
	if (!rc) /* candidates in every status, with their certifications (demo_candidates.c) */
		rc = demo_candidates(d, a, org_id);
	if (!rc)
		rc = demo_groups(d, a, org_id); /* a group of each category (demo_groups.c) */
	if (!rc) { /* a second administrator, a proctor, an invitation (demo_team.c) */
		db_rows adm;
		rc = db_query(d, a, &adm, "SELECT id FROM users WHERE email = $1", DB_P(DEMO_ADMIN));
		if (!rc)
			rc = demo_team(d, a, org_id, adm.nrows ? db_ll(&adm, 0, 0) : 0);
	}
	if (!rc)
		rc = demo_support(d, a, org_id); /* requests to support in each status (demo_support.c) */
	const char *cand_email = "";
	if (!rc) /* the candidate's space (demo_cand_space.c) */
		rc = demo_cand_space(d, a, org_id, DEMO_CAND_PW, &cand_email);
	if (!rc)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc) {
		fprintf(stderr, "clr: demo data failed: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
	} else {
		printf("Demo data ready.\n"
		       "  Administrator (" DEMO_ORG "): " DEMO_ADMIN " / " DEMO_ADMIN_PW "\n"
		       "  Le Robert staff (back office):  " DEMO_STAFF " / " DEMO_STAFF_PW "\n"
		       "  Second administrator:           " DEMO_ADMIN2 " / " DEMO_ADMIN2_PW "\n"
		       "  Proctor (« surveillant »):       " DEMO_PROCTOR " / " DEMO_PROCTOR_PW "\n"
		       "  Candidate (/candidat/connexion): %s / " DEMO_CAND_PW "\n",
		       cand_email);
	}
	arena_free(a);
	db_close(d);
	return rc ? 1 : 0;
}
