/* cand_selection.c - the temporary table of the candidates a screen acts
 * on; see cand_selection.h. */
#include "domain/cand_selection.h"
#include "core/buf.h"
#include "core/err.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;
	return (a > b) - (a < b);
}

int ids_unique(arena *a, const long long *ids, int n, long long **out, int *nout)
{
	*out = arena_alloc(a, sizeof **out * (size_t)(n > 0 ? n + 1 : 1));
	*nout = 0;
	if (n < 0 || n > CAND_SELECTION_MAX)
		return CLR_EINVAL;
	for (int i = 0; i < n; i++) {
		if (ids[i] <= 0)
			return CLR_ENOTFOUND;
		(*out)[i] = ids[i];
	}
	qsort(*out, (size_t)n, sizeof **out, cmp_ll);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (k == 0 || (*out)[k - 1] != (*out)[i])
			(*out)[k++] = (*out)[i];
	*nout = k;
	return 0;
}

/* INSERT of one chunk: $1 the organisation, $2.. the ids; built once. */
static char *chunk_sql;
static void chunk_sql_build(void)
{
	buf b = BUF_INIT;
	buf_adds(&b, "INSERT INTO cand_selection (id) SELECT c.id FROM (VALUES ");
	for (int i = 0; i < CAND_SELECTION_CHUNK; i++)
		buf_printf(&b, "%s(CAST($%d AS BIGINT))", i ? ", " : "", i + 2);
	buf_adds(&b, ") ids JOIN candidates c ON c.id = ids.column1 WHERE c.org_id = CAST($1 AS BIGINT)");
	chunk_sql = strdup(b.data);
	buf_free(&b);
	if (!chunk_sql)
		abort();
}

int cand_selection_fill(db *d, arena *a, long long org_id, const struct cand_selection *sel, long long *count)
{
	if (count)
		*count = 0;
	if (!db_in_tx(d))
		return CLR_EINVAL;
	int rc = db_exec(d,
			 db_kind(d) == DB_PG ? "CREATE TEMP TABLE IF NOT EXISTS cand_selection (id BIGINT PRIMARY KEY)"
					     : "CREATE TEMP TABLE IF NOT EXISTS cand_selection (id INTEGER PRIMARY KEY)",
			 DB_NOP);
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM cand_selection", DB_NOP);
	if (rc < 0)
		return rc;
	long long n = 0;
	if (sel->all) {
		const char *params[CAND_FILTER_MAXP];
		int np = 0;
		const char *where = candidate_filter(d, a, org_id, sel->all, params, &np);
		rc = db_exec(d, arena_printf(a, "INSERT INTO cand_selection (id) SELECT c.id FROM candidates c%s", where), np,
			     params);
		if (rc < 0)
			return rc;
		n = rc;
	} else {
		static pthread_once_t once = PTHREAD_ONCE_INIT;
		pthread_once(&once, chunk_sql_build);
		long long *ids;
		int nids;
		if ((rc = ids_unique(a, sel->ids, sel->n, &ids, &nids)) != 0)
			return rc;
		const char *params[1 + CAND_SELECTION_CHUNK];
		params[0] = db_int(a, org_id);
		for (int off = 0; off < nids; off += CAND_SELECTION_CHUNK) {
			int k = nids - off < CAND_SELECTION_CHUNK ? nids - off : CAND_SELECTION_CHUNK;
			for (int i = 0; i < k; i++)
				params[1 + i] = db_int(a, ids[off + i]);
			rc = db_exec(d, chunk_sql, 1 + k, params);
			if (rc < 0)
				return rc;
			if (rc != k)
				return CLR_ENOTFOUND; /* another organisation's, or no such candidate */
			n += k;
		}
	}
	if (count)
		*count = n;
	return 0;
}
