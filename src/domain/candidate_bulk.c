/* candidate_bulk.c - synthetic candidates in bulk (see candidate_bulk.h).
 * The folded `search` and `sort_name` columns are computed in SQL: the
 * generated names are ASCII, so lower() is exactly text_fold() here, and
 * the SQLite FTS triggers index the rows as usual. */
#include "domain/candidate_bulk.h"
#include "core/err.h"
#include "core/text.h"
#include <stdio.h>

struct bulk_ctx {
	arena *a;
	const struct actor *who;
	long long n, created;
};

static int bulk_tx(db *d, void *vctx)
{
	struct bulk_ctx *c = vctx;
	arena *a = c->a;
	db_rows r;
	/* a batch tag that keeps e-mails unique across runs */
	int rc = db_query(d, a, &r, "SELECT COALESCE(MAX(id), 0) + 1 FROM candidates", DB_NOP);
	if (rc < 0)
		return rc;
	const char *batch = db_int(a, db_ll(&r, 0, 0));
	rc = db_exec(d,
		     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < CAST($2 AS BIGINT)) "
		     "INSERT INTO candidates (org_id, status, steps, civility, last_name, first_name, email, birth_date, "
		     "birth_country, birth_city, employment, funding, search, sort_name, created_at, updated_at) "
		     "SELECT CAST($1 AS BIGINT), 'to_assign', 7, 'madame', 'Lot', 'Candidat ' || i, "
		     "'lot-' || $3 || '-' || i || '@exemple.test', '1990-01-01', 'BE', 'Bruxelles', 'salarie', 'cpf', "
		     "'lot candidat ' || i || ' | candidat ' || i || ' lot |  | lot-' || $3 || '-' || i || '@exemple.test', "
		     "'lot candidat ' || i, CAST($4 AS BIGINT), CAST($4 AS BIGINT) FROM n",
		     DB_P(db_int(a, c->who->org_id), db_int(a, c->n), batch, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	c->created = rc;
	rc = audit_log(d, a, c->who, "candidate.bulk_create", "organisation", c->who->org_id,
		       arena_printf(a, "%lld candidats de test (lot %s)", c->created, batch));
	return rc < 0 ? rc : 0;
}

int candidate_bulk_create(db *d, arena *a, const struct actor *who, long long n, long long *created)
{
	if (n < 1 || n > CAND_BULK_MAX)
		return CLR_EINVAL;
	struct bulk_ctx c = {a, who, n, 0};
	int rc = db_tx(d, bulk_tx, &c);
	if (rc == 0 && created)
		*created = c.created;
	return rc;
}
