/* certificate.c - level bands, verification codes and the public
 * verification (certificate.h). */
#include "domain/certificate.h"
#include "domain/cand_access.h"
#include "domain/candidate_fields.h"
#include "domain/user.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include <sodium.h>
#include <string.h>

/* THE level bands: lowest score of each band, in increasing order.  Ours
 * (no source in the seed or the documents): docs/DECISIONS.md. */
static const struct {
	int min;
	const char *label;
} bands[] = {
	{0, "Élémentaire"}, {300, "Intermédiaire"}, {500, "Confirmé"}, {700, "Avancé"}, {900, "Expert"},
};

const char *certificate_level(int score)
{
	if (score < 0 || score > 1000)
		return "";
	const char *l = bands[0].label;
	for (size_t i = 0; i < sizeof bands / sizeof *bands; i++)
		if (score >= bands[i].min)
			l = bands[i].label;
	return l;
}

static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford: no I, L, O, U */

static void new_code(char out[15])
{
	int k = 0;
	for (int i = 0; i < 12; i++) {
		if (i && i % 4 == 0)
			out[k++] = '-';
		out[k++] = B32[randombytes_uniform(32)];
	}
	out[k] = 0;
}

/* "7k2m 9qxd-3hpw" -> "7K2M-9QXD-3HPW"; NULL unless 12 symbols of B32. */
static const char *norm_code(arena *a, const char *in)
{
	char raw[13];
	int n = 0;
	for (const char *p = in ? in : ""; *p; p++) {
		char ch = *p;
		if (ch == ' ' || ch == '-' || ch == '\t')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch == 'O')
			ch = '0';
		else if (ch == 'I' || ch == 'L')
			ch = '1';
		if (!strchr(B32, ch) || ch == 0 || n == 12)
			return NULL;
		raw[n++] = ch;
	}
	if (n != 12)
		return NULL;
	return arena_printf(a, "%.4s-%.4s-%.4s", raw, raw + 4, raw + 8);
}

#define CERT_COLS                                                                                             \
	"c.id, c.candidate_id, c.certificate_at, k.civility, k.first_name, k.last_name, k.birth_date, c.score, " \
	"COALESCE(NULLIF(c.taken_at, ''), c.exam_date), c.verify_code "

static void read_cert(const db_rows *r, struct certificate *o)
{
	o->certification_id = db_ll(r, 0, 0);
	o->candidate_id = db_ll(r, 0, 1);
	o->issued_at = db_ll(r, 0, 2);
	o->civility = db_cell(r, 0, 3);
	o->first_name = db_cell(r, 0, 4);
	o->last_name = db_cell(r, 0, 5);
	o->birth_date = db_cell(r, 0, 6);
	o->score = (int)db_ll(r, 0, 7);
	o->exam_date = db_cell(r, 0, 8);
	o->code = db_cell(r, 0, 9);
}

/* "k.phone <> '' AND ...": every field of « Coordonnées » filled in. */
static const char *contact_complete_sql(arena *a)
{
	buf b = BUF_INIT;
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_fields[i].step == CAND_STEP_CONTACT && cand_field_stored(&cand_fields[i]))
			buf_printf(&b, " AND k.%s <> ''", cand_fields[i].name);
	const char *s = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

int certificate_issue(db *d, arena *a, long long org_id, long long candidate_id, long long certification_id,
		      struct certificate *out)
{
	memset(out, 0, sizeof *out);
	const char *sql = arena_printf(a,
				       "SELECT " CERT_COLS "FROM certifications c JOIN candidates k ON k.id = c.candidate_id "
				       "WHERE c.id = $1 AND c.org_id = $2 AND c.candidate_id = $3 AND c.state = 'taken' "
				       "AND c.score IS NOT NULL AND k.erased_at IS NULL%s",
				       contact_complete_sql(a));
	const char *id = db_int(a, certification_id), *org = db_int(a, org_id), *cand = db_int(a, candidate_id);
	for (int attempt = 0; attempt < 3; attempt++) {
		db_rows r;
		int rc = db_query(d, a, &r, sql, DB_P(id, org, cand));
		if (rc < 0)
			return rc;
		if (!r.nrows)
			return CLR_ENOTFOUND;
		read_cert(&r, out);
		if (!str_empty(out->code))
			return 0;
		char code[15];
		new_code(code);
		rc = db_exec(d,
			     "UPDATE certifications SET verify_code = $1, certificate_at = $2 WHERE id = $3 AND "
			     "verify_code IS NULL",
			     DB_P(code, db_int(a, now_s()), id));
		if (rc < 0 && rc != CLR_ECONFLICT) /* a code already drawn: draw again */
			return rc;
	}
	return CLR_ECONFLICT;
}

int certificate_verify(db *d, arena *a, const char *code, const char *ip, struct certificate *out, int *wait_s)
{
	memset(out, 0, sizeof *out);
	int rc = login_throttle_count(d, a, "v", "", ip, wait_s);
	if (rc)
		return rc;
	const char *c = norm_code(a, code);
	if (!c)
		return CLR_ENOTFOUND;
	db_rows r;
	rc = db_query(d, a, &r,
		      "SELECT " CERT_COLS "FROM certifications c JOIN candidates k ON k.id = c.candidate_id "
		      "WHERE c.verify_code = $1 AND c.state = 'taken' AND c.score IS NOT NULL",
		      DB_P(c));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	read_cert(&r, out);
	/* a certificate found is not a failed attempt */
	rc = login_throttle_success(d, a, "v", "", ip);
	return rc < 0 ? rc : 0;
}

const char *certificate_verify_url(arena *a, const char *code)
{
	return arena_printf(a, "%s/verification?code=%s", cand_public_url(), code);
}
