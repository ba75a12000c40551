/* demo_groups.c - the demo organisation's groups for `clr demo` (one of
 * each category, with members taken from the demo candidates), and
 * `clr demo --candidates N --org NAME`, which adds N synthetic candidates
 * to an existing organisation (load tests, benchmarks).  The groups run
 * inside demo's transaction and are idempotent: a group that already
 * exists is left alone, members are only added to a group just created. */
#include "cli/cli.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/candidate.h"
#include "domain/candidate_bulk.h"
#include "domain/group.h"
#include "domain/org.h"
#include <stdio.h>
#include <stdlib.h>

static const struct {
	const char *name, *category;
	const char *status; /* members: candidates in this status (NULL: any) */
	int first, count;   /* ... the count after the first, by name */
} groups[] = {
	{"Entreprise Durand & Fils", "client", NULL, 0, 6},
	{"BTS MCO 2026", "classe", NULL, 6, 9},
	{"Session du 15 juin", "session", CAND_PLANNED, 0, 100},
	{"Remise à niveau", "autre", CAND_TO_ASSIGN, 2, 4},
};

int demo_groups(db *d, arena *a, long long org_id)
{
	struct actor who = {0, org_id, ""};
	for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
		struct errs e = {0};
		long long gid;
		int rc = group_create(d, a, &who, groups[i].name, groups[i].category, &e, &gid);
		if (rc == CLR_EINVAL && errs_get(&e, "name") && e.n == 1)
			continue; /* already there */
		if (rc)
			return rc < 0 ? rc : CLR_EINVAL;
		struct candidate_query q = {.status = groups[i].status, .page = 1, .per_page = 500};
		struct candidate_page p;
		if ((rc = candidate_list(d, a, org_id, &q, &p)) != 0)
			return rc;
		long long ids[100];
		int n = 0;
		for (int k = groups[i].first; k < p.n && n < groups[i].count && n < 100; k++)
			ids[n++] = p.rows[k].id;
		if (n && (rc = group_add_members(d, a, &who, gid, ids, n, NULL)) != 0)
			return rc;
	}
	return 0;
}

int demo_bulk_candidates(db *d, arena *a, const char *org, const char *count)
{
	char *end;
	long long n = count ? strtoll(count, &end, 10) : 0;
	if (!count || *end || n < 1 || n > CAND_BULK_MAX) {
		fprintf(stderr, "clr: --candidates takes a number from 1 to %d\n", CAND_BULK_MAX);
		return CLR_EINVAL;
	}
	long long org_id;
	int rc = org ? org_by_name(d, a, org, &org_id) : CLR_ENOTFOUND;
	if (rc == CLR_ENOTFOUND) {
		fprintf(stderr, "clr: --candidates needs --org NAME, an existing organisation\n");
		return rc;
	}
	if (rc)
		return rc;
	struct actor who = {0, org_id, ""};
	long long created = 0;
	double t0 = mono_ms();
	rc = candidate_bulk_create(d, a, &who, n, &created);
	if (rc == 0)
		printf("%lld candidates created in \"%s\" (%.0f ms).\n", created, org, mono_ms() - t0);
	return rc;
}
