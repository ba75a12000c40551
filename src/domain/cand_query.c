/* cand_query.c - the organisation's candidate list: the WHERE clause of its
 * filters (folded substring search: FTS5 trigram on SQLite, pg_trgm on
 * PostgreSQL, or the in-memory list index of large organisations), its one
 * ORDER BY, its pages and counts, and the CSV/XLSX exports of a filtered
 * list (the import template's columns, from candidate_fields.h). */
#include "domain/candidate.h"
#include "domain/cand_index.h"
#include "domain/place.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *s0(const char *s)
{
	return s ? s : "";
}

const char *candidate_order_by(arena *a, const struct candidate_query *q)
{
	const char *dir = q->desc ? "DESC" : "ASC";
	switch (q->sort) {
	case CSORT_EMAIL:
		return arena_printf(a, "c.email %s, c.id %s", dir, dir);
	case CSORT_STATUS:
		return arena_printf(a, "%s %s, c.sort_name %s, c.id %s", cand_status_order_sql(), dir, dir, dir);
	case CSORT_EXAM:
		return arena_printf(a, "COALESCE(c.exam_date, '') %s, c.sort_name %s, c.id %s", dir, dir, dir);
	default:
		return arena_printf(a, "c.sort_name %s, c.id %s", dir, dir);
	}
}

/* FTS5 phrase: "q" with inner quotes doubled. */
static const char *fts_phrase(arena *a, const char *q)
{
	buf b = BUF_INIT;
	buf_addc(&b, '"');
	for (const char *p = q; *p; p++) {
		if (*p == '"')
			buf_addc(&b, '"');
		buf_addc(&b, *p);
	}
	buf_addc(&b, '"');
	char *s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

const char *candidate_filter(db *d, arena *a, long long org_id, const struct candidate_query *q, const char **params,
			     int *np)
{
	const char *folded = text_fold(a, q->q);
	/* PostgreSQL must see every parameter: number them as they are used */
	buf where = BUF_INIT;
	params[(*np)++] = db_int(a, org_id);
	int org = *np;
	buf_printf(&where, " WHERE c.org_id = $%d", org);
	if (!str_empty(q->status)) {
		params[(*np)++] = q->status;
		buf_printf(&where, " AND c.status = $%d", *np);
	}
	if (*folded) {
		if (db_kind(d) == DB_SQLITE && utf8_len(folded) >= 3) {
			/* the organisation's rowid range of candidates_org_fts
			 * (migration 0009_perf_search): org_id * 2^32 + id */
			params[(*np)++] = fts_phrase(a, folded);
			buf_printf(&where,
				   " AND c.id IN (SELECT rowid - $%d * 4294967296 FROM candidates_org_fts "
				   "WHERE candidates_org_fts MATCH $%d AND rowid BETWEEN $%d * 4294967296 "
				   "AND $%d * 4294967296 + 4294967295)",
				   org, *np, org, org);
		} else {
			params[(*np)++] = like_contains(a, folded);
			buf_printf(&where, " AND c.search LIKE $%d ESCAPE '\\'", *np);
		}
	}
	if (q->group_id > 0) {
		params[(*np)++] = db_int(a, q->group_id);
		buf_printf(&where,
			   " AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.candidate_id = c.id "
			   "AND gm.group_id = $%d AND gm.org_id = $%d)",
			   *np, org);
	}
	char *s = arena_strndup(a, where.data, where.len);
	buf_free(&where);
	return s;
}

void candidate_list_version_stmt(struct db_stmt *st, arena *a, long long org_id)
{
	const char **p = arena_alloc(a, sizeof *p);
	p[0] = db_int(a, org_id);
	*st = (struct db_stmt){"SELECT COALESCE(SUM(n), 0), COALESCE(SUM(v), 0) FROM candidate_counts WHERE org_id = $1",
			       1, p, NULL, 0, org_id}; /* kept (db_keep_version) */
}

/* The list from the organisation's in-memory index (cand_index.h) when it
 * is at the current list version: 0 done, 1 not available (then the SQL
 * path answers, and *ORG_TOTAL, read with the version, is the number of
 * the organisation's candidates), < 0 error. */
static int list_from_index(db *d, arena *a, long long org_id, const struct candidate_query *q, const char *folded,
			   int per, struct candidate_page *out, long long *org_total)
{
	db_rows r;
	struct db_stmt st;
	candidate_list_version_stmt(&st, a, org_id);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	*org_total = db_ll(&r, 0, 0);
	struct cand_index *ix = cand_index_get(org_id, db_ll(&r, 0, 1), *org_total);
	if (!ix)
		return 1;
	int status = str_empty(q->status) ? -1 : cand_status_index(q->status);
	out->rows = arena_alloc(a, sizeof *out->rows * (size_t)(per + 1));
	out->page = q->page < 1 ? 1 : q->page;
	cand_index_find(ix, a, folded, status, q->desc, (long long)(out->page - 1) * per, per, &out->total, out->rows,
			&out->n);
	out->pages = (int)((out->total + per - 1) / per);
	if (out->pages < 1)
		out->pages = 1;
	if (out->page > out->pages) { /* past the end: the last page, as the SQL path */
		out->page = out->pages;
		cand_index_find(ix, a, folded, status, q->desc, (long long)(out->page - 1) * per, per, &out->total,
				out->rows, &out->n);
	}
	cand_index_put(ix);
	out->from_index = 1;
	return 0;
}

int candidate_list(db *d, arena *a, long long org_id, const struct candidate_query *q, struct candidate_page *out)
{
	memset(out, 0, sizeof *out);
	int per = q->per_page > 0 && q->per_page <= 500 ? q->per_page : 50;
	/* in name order, without group: the in-memory index when it is up to
	 * date (even the first page of the whole list: faster than the walk of
	 * the covering name index, docs/PERFORMANCE.md) */
	const char *folded = text_fold(a, q->q);
	long long org_total = -1;
	if (q->group_id <= 0 && q->sort == CSORT_NAME && cand_index_enabled()) {
		int rc = list_from_index(d, a, org_id, q, folded, per, out, &org_total);
		if (rc <= 0)
			return rc;
		memset(out, 0, sizeof *out);
	}
	const char *params[CAND_FILTER_MAXP + 2];
	int np = 0;
	const char *where = candidate_filter(d, a, org_id, q, params, &np);
	db_rows r;
	char *sql;
	int rc;
	/* the whole list when the index could not answer: its total was read
	 * with the list version */
	int known = org_total >= 0 && str_empty(q->q) && q->group_id <= 0 && str_empty(q->status);
	if (known)
		rc = 0;
	else if (str_empty(q->q) && q->group_id <= 0)
		/* no search, no group: the counters of migration 0008_perf_counts
		 * (COUNT(*) over 100 000 rows cost ~5 ms: docs/PERFORMANCE.md) */
		rc = db_query(d, a, &r,
			      str_empty(q->status)
				      ? "SELECT COALESCE(SUM(n), 0) FROM candidate_counts WHERE org_id = $1"
				      : "SELECT COALESCE(SUM(n), 0) FROM candidate_counts WHERE org_id = $1 AND status = $2",
			      np, params);
	else if (db_kind(d) == DB_SQLITE && np == 2 && str_empty(q->status) && q->group_id <= 0 &&
		 utf8_len(text_fold(a, q->q)) >= 3)
		/* a search alone: count in the organisation's rowid range of the
		 * FTS index (migration 0009_perf_search), no candidates row read */
		rc = db_query(d, a, &r,
			      "SELECT COUNT(*) FROM candidates_org_fts WHERE candidates_org_fts MATCH $2 "
			      "AND rowid BETWEEN $1 * 4294967296 AND $1 * 4294967296 + 4294967295",
			      np, params);
	else
		rc = db_query(d, a, &r, sql = arena_printf(a, "SELECT COUNT(*) FROM candidates c%s", where), np, params);
	if (rc < 0)
		return rc;
	out->total = known ? org_total : db_ll(&r, 0, 0);
	out->pages = (int)((out->total + per - 1) / per);
	if (out->pages < 1)
		out->pages = 1;
	out->page = q->page < 1 ? 1 : q->page > out->pages ? out->pages : q->page;

	const char *order = candidate_order_by(a, q);
	/* A search sorted by name: with many matches, walking the organisation's
	 * name index and keeping the matching ids finds a page after ~per *
	 * org size / total entries, cheaper than reading and sorting every
	 * match (SQLite's default plan here); with few, the default is cheaper.
	 * docs/PERFORMANCE.md, change 5. */
	const char *hint = db_kind(d) == DB_SQLITE && !str_empty(q->q) && q->sort == CSORT_NAME && out->total >= 1000
				   ? " INDEXED BY candidates_org_name"
				   : "";
	sql = arena_printf(a,
			   "SELECT c.id, c.last_name, c.first_name, c.email, c.status, c.exam_date FROM candidates c%s%s "
			   "ORDER BY %s LIMIT CAST($%d AS BIGINT) OFFSET CAST($%d AS BIGINT)",
			   hint, where, order, np + 1, np + 2);
	params[np++] = db_int(a, per);
	params[np++] = db_int(a, (long long)(out->page - 1) * per);
	rc = db_query(d, a, &r, sql, np, params);
	if (rc < 0)
		return rc;
	out->rows = arena_alloc(a, sizeof *out->rows * (size_t)(r.nrows + 1));
	out->n = r.nrows;
	for (int i = 0; i < r.nrows; i++) {
		struct candidate_row *row = &out->rows[i];
		row->id = db_ll(&r, i, 0);
		row->last_name = s0(db_cell(&r, i, 1));
		row->first_name = s0(db_cell(&r, i, 2));
		row->email = s0(db_cell(&r, i, 3));
		row->status = s0(db_cell(&r, i, 4));
		row->exam_date = db_cell(&r, i, 5);
	}
	return 0;
}

void candidate_counts_stmt(struct db_stmt *st, arena *a, long long org_id)
{
	const char **p = arena_alloc(a, sizeof *p);
	p[0] = db_int(a, org_id);
	*st = (struct db_stmt){"SELECT status, n FROM candidate_counts WHERE org_id = $1", 1, p, NULL, 0, org_id};
}

int candidate_counts(db *d, arena *a, long long org_id, long long counts[CAND_NSTATUS], long long *total)
{
	memset(counts, 0, sizeof(long long) * CAND_NSTATUS);
	*total = 0;
	db_rows r;
	/* the counters of migration 0008_perf_counts, kept by triggers: not a
	 * COUNT over the organisation's rows (~10 ms for 100 000) */
	struct db_stmt st;
	candidate_counts_stmt(&st, a, org_id);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < r.nrows; i++) {
		long long n = db_ll(&r, i, 1);
		int k = cand_status_index(db_cell(&r, i, 0));
		*total += n;
		if (k >= 0)
			counts[k] = n;
	}
	return 0;
}

/* ------------------------------------------------------------ export */

/* The import template's columns (fields imported), then the status and
 * date the list shows and the latest score; built once. */
static struct export_col export_cols[CAND_NFIELDS + 3];
static int export_n;
static int export_field[CAND_NFIELDS]; /* column k < export_n - 2 -> field index */

static void export_build(void)
{
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_field_imported(&cand_fields[i])) {
			export_field[export_n] = i;
			export_cols[export_n++] = (struct export_col){cand_field_header(&cand_fields[i]),
								      cand_fields[i].kind == CK_DATE};
		}
	export_cols[export_n++] = (struct export_col){"Statut du dossier", 0};
	export_cols[export_n++] = (struct export_col){"Date de passage", 1};
	export_cols[export_n++] = (struct export_col){"Score", 0};
}

int candidate_export_columns(const struct export_col **cols)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, export_build);
	*cols = export_cols;
	return export_n;
}

static const char *country_name(void *ctx, const char *code)
{
	const char *const *names = ctx; /* [26 * 26] by the code's two letters */
	if (!code || strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
		return NULL;
	return names[(code[0] - 'A') * 26 + (code[1] - 'A')];
}

int candidate_export(db *d, arena *a, long long org_id, const struct candidate_query *q,
		     int (*row)(void *ctx, const char *const *cells), void *ctx)
{
	const struct export_col *cols;
	int ncols = candidate_export_columns(&cols);
	struct country *cs;
	int nc, rc = place_countries(d, a, &cs, &nc);
	if (rc < 0)
		return rc;
	const char **names = arena_alloc(a, sizeof *names * 26 * 26);
	for (int j = 0; j < nc; j++)
		if (strlen(cs[j].code) == 2 && cs[j].code[0] >= 'A' && cs[j].code[0] <= 'Z' && cs[j].code[1] >= 'A' &&
		    cs[j].code[1] <= 'Z')
			names[(cs[j].code[0] - 'A') * 26 + (cs[j].code[1] - 'A')] = cs[j].name;
	const char *params[CAND_FILTER_MAXP + 2];
	int np = 0;
	const char *where = candidate_filter(d, a, org_id, q, params, &np);
	buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT c.status, c.exam_date, c.score");
	for (int k = 0; k < ncols - 3; k++)
		buf_printf(&sql, ", c.%s", cand_fields[export_field[k]].name);
	buf_printf(&sql, " FROM candidates c%s ORDER BY %s LIMIT 2000 OFFSET CAST($%d AS BIGINT)", where,
		   candidate_order_by(a, q), np + 1);
	const char **cell = arena_alloc(a, sizeof *cell * (size_t)ncols);
	arena *page = arena_new();
	for (long long off = 0;; off += 2000) {
		params[np] = db_int(page, off);
		db_rows r;
		rc = db_query(d, page, &r, sql.data, np + 1, params);
		if (rc < 0)
			break;
		for (int i = 0; i < r.nrows && rc >= 0; i++) {
			for (int k = 0; k < ncols - 3; k++)
				cell[k] = candidate_field_text(page, &cand_fields[export_field[k]], db_cell(&r, i, 3 + k),
							       country_name, names);
			const struct cand_status *st = cand_status_find(db_cell(&r, i, 0));
			cell[ncols - 3] = st ? st->label : s0(db_cell(&r, i, 0));
			cell[ncols - 2] = date_iso_fr(page, db_cell(&r, i, 1));
			cell[ncols - 1] = s0(db_cell(&r, i, 2));
			rc = row(ctx, cell);
		}
		if (rc < 0 || r.nrows < 2000)
			break;
		arena_reset(page);
		params[np] = NULL;
	}
	arena_free(page);
	buf_free(&sql);
	return rc < 0 ? rc : 0;
}
