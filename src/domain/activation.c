/* activation.c - activation codes: drawn, stored in chunks, regenerated,
 * revoked, and looked up (see activation.h). */
#include "domain/activation.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CHUNK 200 /* codes per INSERT */

static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; /* no 0 O 1 I L */

int activation_days(void)
{
	const char *e = getenv("CLR_CODE_DAYS");
	int n = e && *e ? atoi(e) : 7;
	return n < 0 ? 0 : n > 365 ? 365 : n;
}

const char *activation_format(arena *a, const char *code)
{
	if (!code || strlen(code) != ACTIVATION_LEN)
		return code ? code : "";
	return arena_printf(a, "%.4s-%.4s-%.4s", code, code + 4, code + 8);
}

/* A fresh code into out[ACTIVATION_LEN + 1]: 31 symbols, rejection
 * sampling (no modulo bias). */
static void draw(char out[ACTIVATION_LEN + 1])
{
	int n = 0;
	while (n < ACTIVATION_LEN) {
		unsigned char r[32];
		randombytes_buf(r, sizeof r);
		for (size_t i = 0; i < sizeof r && n < ACTIVATION_LEN; i++)
			if (r[i] < 248) /* 8 x 31 */
				out[n++] = alphabet[r[i] % 31];
	}
	out[n] = 0;
}

const char *activation_normalise(arena *a, const char *s)
{
	char *out = arena_alloc(a, ACTIVATION_LEN + 1);
	int n = 0;
	for (; s && *s; s++) {
		char c = *s;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (n == ACTIVATION_LEN || !strchr(alphabet, c) || !c)
			return NULL;
		out[n++] = c;
	}
	out[n] = 0;
	return n == ACTIVATION_LEN ? out : NULL;
}

int activation_revoke(db *d, arena *a, const char *where, const char *value)
{
	int rc = db_exec(d,
			 arena_printf(a,
				      "UPDATE activation_codes SET revoked_at = CAST($2 AS BIGINT) WHERE revoked_at IS NULL AND "
				      "certification_id IN (SELECT c.id FROM certifications c WHERE %s)",
				      where),
			 DB_P(value, db_int(a, now_s())));
	return rc < 0 ? rc : 0;
}

/* Gives a live code to each of the certifications ids[0..n) (which have
 * none): chunks of CHUNK rows inserted with ON CONFLICT DO NOTHING, then
 * those left without a code (a code drawn twice: astronomically rare; or
 * one given meanwhile by another request) are tried again.  *created. */
static int give(db *d, arena *a, const struct actor *who, const long long *ids, int n, long long *created)
{
	const char *org = db_int(a, who->org_id), *now = db_int(a, now_s());
	const char *by = who->user_id ? db_int(a, who->user_id) : NULL;
	const char **p = arena_alloc(a, sizeof *p * (size_t)(2 * CHUNK + 3));
	for (int off = 0; off < n; off += CHUNK) {
		int k = n - off < CHUNK ? n - off : CHUNK;
		for (int attempt = 0; attempt < 4 && k > 0; attempt++) {
			buf sql = BUF_INIT;
			buf_adds(&sql, "INSERT INTO activation_codes (code, certification_id, org_id, created_by, created_at) VALUES ");
			p[0] = org;
			p[1] = by;
			p[2] = now;
			for (int i = 0; i < k; i++) {
				char code[ACTIVATION_LEN + 1];
				draw(code);
				p[3 + 2 * i] = arena_strdup(a, code);
				p[4 + 2 * i] = db_int(a, ids[off + i]);
				buf_printf(&sql, "%s($%d, CAST($%d AS BIGINT), CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT))",
					   i ? ", " : "", 4 + 2 * i, 5 + 2 * i);
			}
			buf_adds(&sql, " ON CONFLICT DO NOTHING");
			int rc = db_exec(d, sql.data, 3 + 2 * k, p);
			buf_free(&sql);
			if (rc < 0)
				return rc;
			*created += rc;
			if (rc == k)
				break;
			/* those of the chunk still without a live code, again */
			int left = 0;
			for (int i = 0; i < k; i++) {
				db_rows r;
				rc = db_query(d, a, &r,
					      "SELECT 1 FROM activation_codes WHERE certification_id = $1 AND revoked_at IS NULL",
					      DB_P(db_int(a, ids[off + i])));
				if (rc < 0)
					return rc;
				if (!r.nrows)
					((long long *)ids)[off + left++] = ids[off + i];
			}
			k = left;
		}
	}
	return 0;
}

struct gen_ctx {
	arena *a;
	const struct actor *who;
	long long session_id, group_id;
	const char *date;
	long long created;
};

static int generate_tx(db *d, void *vctx)
{
	struct gen_ctx *c = vctx;
	arena *a = c->a;
	const char *org = db_int(a, c->who->org_id);
	db_rows r;
	int rc;
	if (c->session_id > 0) {
		rc = db_query(d, a, &r, "SELECT 1 FROM exam_sessions WHERE id = $1 AND org_id = $2",
			      DB_P(db_int(a, c->session_id), org));
		if (rc < 0 || !r.nrows)
			return rc < 0 ? rc : CLR_ENOTFOUND;
	}
	if (c->group_id > 0) {
		rc = db_query(d, a, &r, "SELECT 1 FROM groups WHERE id = $1 AND org_id = $2", DB_P(db_int(a, c->group_id), org));
		if (rc < 0 || !r.nrows)
			return rc < 0 ? rc : CLR_ENOTFOUND;
	}
	rc = db_query(d, a, &r,
		      "SELECT c.id FROM certifications c JOIN exam_sessions s ON s.id = c.session_id "
		      "WHERE c.org_id = $1 AND c.state = 'planned' AND c.mode = 'partner' "
		      "AND (s.id = CAST($2 AS BIGINT) OR (CAST($2 AS BIGINT) = 0 AND s.date = $3)) "
		      "AND (CAST($4 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM group_members g WHERE g.group_id = CAST($4 AS BIGINT) "
		      "AND g.candidate_id = c.candidate_id AND g.org_id = c.org_id)) "
		      "AND NOT EXISTS (SELECT 1 FROM activation_codes k WHERE k.certification_id = c.id AND k.revoked_at IS NULL) "
		      "ORDER BY c.id",
		      DB_P(org, db_int(a, c->session_id), c->date ? c->date : "", db_int(a, c->group_id)));
	if (rc < 0)
		return rc;
	long long *ids = arena_alloc(a, sizeof *ids * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		ids[i] = db_ll(&r, i, 0);
	c->created = 0;
	if ((rc = give(d, a, c->who, ids, r.nrows, &c->created)) < 0)
		return rc;
	rc = audit_log(d, a, c->who, "activation.generate", c->session_id ? "exam_session" : "", c->session_id,
		       arena_printf(a, "%lld code(s)%s%s", c->created, c->date ? ", date " : "", c->date ? c->date : ""));
	return rc < 0 ? rc : 0;
}

int activation_generate(db *d, arena *a, const struct actor *who, long long session_id, const char *date,
			long long group_id, long long *created)
{
	struct gen_ctx c = {a, who, session_id, group_id, session_id > 0 ? NULL : date, 0};
	int rc = db_tx(d, generate_tx, &c);
	if (created)
		*created = rc == 0 ? c.created : 0;
	return rc;
}

struct regen_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	struct errs *e;
};

static int regen_tx(db *d, void *vctx)
{
	struct regen_ctx *c = vctx;
	arena *a = c->a;
	const char *id = db_int(a, c->id);
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT state, mode FROM certifications WHERE id = $1 AND org_id = $2",
			  DB_P(id, db_int(a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	if (!str_eq(db_cell(&r, 0, 1), "partner")) {
		errs_add(c->e, "", "Les certifications passées en centre d'examen La Poste n'ont pas de code d'activation : "
				   "le centre d'examen donne accès à l'épreuve.");
		return CLR_EINVAL;
	}
	if (!str_eq(db_cell(&r, 0, 0), "planned")) {
		errs_add(c->e, "", "Seule une certification prévue reçoit un code d'activation.");
		return CLR_EINVAL;
	}
	if ((rc = activation_revoke(d, a, "c.id = CAST($1 AS BIGINT)", id)) < 0)
		return rc;
	long long created = 0;
	if ((rc = give(d, a, c->who, &c->id, 1, &created)) < 0)
		return rc;
	if (created != 1)
		return CLR_EDB;
	rc = audit_log(d, a, c->who, "activation.regenerate", "certification", c->id, "");
	return rc < 0 ? rc : 0;
}

int activation_regenerate(db *d, arena *a, const struct actor *who, long long id, struct errs *e)
{
	struct regen_ctx c = {a, who, id, e};
	return db_tx(d, regen_tx, &c);
}

int activation_find(db *d, arena *a, const char *code_in, struct code_info *out)
{
	memset(out, 0, sizeof *out);
	out->state = CODE_UNKNOWN;
	const char *code = activation_normalise(a, code_in);
	if (!code)
		return 0;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT k.certification_id, k.org_id, k.revoked_at, c.state, c.exam_date, "
			  "CASE WHEN k.id = (SELECT MAX(n.id) FROM activation_codes n "
			  "WHERE n.certification_id = k.certification_id) THEN 1 ELSE 0 END "
			  "FROM activation_codes k JOIN certifications c ON c.id = k.certification_id WHERE k.code = $1",
			  DB_P(code));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return 0;
	out->certification_id = db_ll(&r, 0, 0);
	out->org_id = db_ll(&r, 0, 1);
	out->exam_date = db_cell(&r, 0, 4);
	const char *state = db_cell(&r, 0, 3), *today = date_today_iso(a);
	char last[32] = "";
	int y, m, dd;
	if (date_parse(out->exam_date, &y, &m, &dd)) {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = dd + activation_days(), .tm_hour = 12};
		time_t t = mktime(&tm);
		localtime_r(&t, &tm);
		snprintf(last, sizeof last, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	}
	int newest = db_ll(&r, 0, 5) == 1;
	if (str_eq(state, "taken") && newest) /* revoked by its own result */
		out->state = CODE_TAKEN;
	else if (db_cell(&r, 0, 2) || str_eq(state, "cancelled"))
		out->state = CODE_REVOKED;
	else if (strcmp(today, out->exam_date) < 0)
		out->state = CODE_NOT_YET;
	else if (strcmp(today, last) > 0)
		out->state = CODE_EXPIRED;
	else
		out->state = CODE_OK;
	return 0;
}
