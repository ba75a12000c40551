/* candidate.c - candidates: validation of the five steps (each field by its
 * kind in candidate_fields.h, then the rules that join fields: birthplace
 * checked against La Poste's postal codes, age, e-mail unique in the
 * organisation, password), and storage with audit and credentials e-mail in
 * the same transaction.  Every column list and bind array is derived from
 * CAND_FIELDS.  The list, its filters and the exports are cand_query.c. */
#include "domain/candidate.h"
#include "domain/cand_access.h"
#include "domain/certification.h"
#include "domain/outbox.h"
#include "domain/place.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicase.h>

/* ------------------------------------------------------------ names */

static const char *s0(const char *s)
{
	return s ? s : "";
}

static char *upper(arena *a, const char *s)
{
	size_t n = 0, len = strlen(s);
	while (n < len && !(s[n] & 0x80))
		n++;
	if (n == len) { /* ASCII (most names): no libunistring call, no malloc;
			 * 6.5 % of the list page's CPU (docs/perf-log.md, change 7) */
		char *out = arena_strndup(a, s, len);
		for (char *p = out; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		return out;
	}
	n = 0;
	uint8_t *u = u8_toupper((const uint8_t *)s, len, NULL, NULL, NULL, &n);
	if (!u)
		return arena_strdup(a, s);
	char *out = arena_strndup(a, (const char *)u, n);
	free(u);
	return out;
}

const char *candidate_display_name(arena *a, const char *last, const char *first)
{
	/* concatenated by hand: one vsnprintf per row was a visible share of the
	 * list page (docs/perf-log.md, run 5) */
	const char *u = upper(a, s0(last));
	first = s0(first);
	size_t lu = strlen(u), lf = strlen(first);
	char *out = arena_alloc(a, lu + lf + 2);
	memcpy(out, u, lu);
	out[lu] = ' ';
	memcpy(out + lu + 1, first, lf + 1);
	return out;
}

const char *candidate_search_text(arena *a, const char *last, const char *first, const char *birth, const char *email)
{
	const char *l = text_fold(a, last), *f = text_fold(a, first);
	return arena_printf(a, "%s %s | %s %s | %s | %s", l, f, f, l, text_fold(a, birth), text_fold(a, email));
}

static const char *sort_name(arena *a, const char *last, const char *first)
{
	return arena_printf(a, "%s %s", text_fold(a, last), text_fold(a, first));
}

const char *candidate_field_text(arena *a, const struct cand_field *f, const char *value,
				 const char *(*country)(void *ctx, const char *code), void *ctx)
{
	if (str_empty(value))
		return "";
	switch (f->kind) {
	case CK_RADIO:
	case CK_SELECT: {
		const char *l = code_label(f->choices, value);
		return l ? l : value;
	}
	case CK_COUNTRY: {
		const char *n = country ? country(ctx, value) : NULL;
		return n ? n : value;
	}
	case CK_DATE:
		return date_iso_fr(a, value);
	case CK_PASSWORD:
		return "Défini";
	default:
		return value;
	}
}

/* ------------------------------------------------------------ validation */

static const char *const too_long = "Ce champ ne peut dépasser %d caractères.";
static const char *const bad_name = "Seuls les lettres, espaces, traits d'union et apostrophes sont acceptés.";

/* Checks and normalises field i of in by its kind (required, length,
 * syntax, choices, known country).  Places (postal code and commune) are
 * only cleaned here: check_place() joins them to their country. */
static int check_field(db *d, arena *a, int i, struct candidate_input *in, struct errs *e)
{
	const struct cand_field *f = &cand_fields[i];
	if (f->kind == CK_PASSWORD || f->kind == CK_DERIVED)
		return 0;
	const char *s = str_clean(a, in->v[i]);
	if (!s) {
		errs_add(e, f->name, "Caractères invalides.");
		in->v[i] = "";
		return 0;
	}
	if (f->kind == CK_EMAIL)
		s = str_lower(a, s);
	in->v[i] = s;
	if (!*s) {
		if ((f->flags & CF_REQ) && f->missing)
			errs_add(e, f->name, f->missing);
		return 0;
	}
	if (f->max && f->kind != CK_POSTAL && (int)utf8_len(s) > f->max) {
		errs_add(e, f->name, arena_printf(a, too_long, f->max));
		return 0;
	}
	switch (f->kind) {
	case CK_RADIO:
	case CK_SELECT:
		if (!code_label(f->choices, s)) {
			errs_add(e, f->name, "Valeur invalide : choisissez dans la liste.");
			in->v[i] = "";
		}
		break;
	case CK_NAME:
		if (!place_valid_name(s))
			errs_add(e, f->name, bad_name);
		break;
	case CK_EMAIL:
		if (!valid_email(s))
			errs_add(e, f->name, "Adresse de courriel invalide.");
		break;
	case CK_DATE: {
		char iso[11];
		if (!date_to_iso(s, iso))
			errs_add(e, f->name, "Date invalide : utilisez le format jj/mm/aaaa.");
		else
			in->v[i] = arena_strdup(a, iso);
		break;
	}
	case CK_COUNTRY:
		if (!place_country_name(d, a, s))
			errs_add(e, f->name, "Pays inconnu : choisissez dans la liste.");
		break;
	case CK_PHONE:
		if (!valid_phone(s))
			errs_add(e, f->name, "Numéro de téléphone invalide.");
		break;
	default:
		break;
	}
	return 0;
}

/* A place: its postal code, its commune, then its country at field index ci
 * (and, for a birthplace, the derived INSEE code after it).  Required (a
 * birthplace): the country; in France the postal code and a commune of it;
 * elsewhere a city and no postal code.  Optional (a residence): a postal
 * code or commune without a country is in France; checked when given. */
static void check_place(db *d, arena *a, int ci, struct candidate_input *in, struct errs *e, int *dberr)
{
	int cp_i = ci - 2, city_i = ci - 1, insee_i = -1;
	if (ci + 1 < CAND_NFIELDS && cand_fields[ci + 1].kind == CK_DERIVED)
		insee_i = ci + 1;
	const struct cand_field *fc = &cand_fields[ci];
	int required = fc->flags & CF_REQ;
	if (insee_i >= 0)
		in->v[insee_i] = "";
	if (errs_get(e, fc->name) || errs_get(e, cand_fields[city_i].name))
		return;
	if (!required && !*in->v[ci] && (*in->v[cp_i] || *in->v[city_i]))
		in->v[ci] = "FR"; /* a French address is the usual case */
	if (!*in->v[ci])
		return;
	if (place_is_france(in->v[ci])) {
		if (required || *in->v[cp_i] || *in->v[city_i])
			place_check(d, a, cand_fields[cp_i].name, cand_fields[city_i].name, &in->v[cp_i], &in->v[city_i],
				    insee_i >= 0 ? &in->v[insee_i] : NULL, required, e, dberr);
		return;
	}
	if (required)
		in->v[cp_i] = ""; /* not asked for people born abroad */
	else if ((int)utf8_len(in->v[cp_i]) > cand_fields[cp_i].max)
		errs_add(e, cand_fields[cp_i].name, "Code postal invalide.");
	if (required && !*in->v[city_i])
		errs_add(e, cand_fields[city_i].name, "Veuillez indiquer la ville de naissance.");
	else if (!required && *in->v[city_i] && !place_valid_name(in->v[city_i]))
		errs_add(e, cand_fields[city_i].name, bad_name);
}

/* The identity's own rules: a plausible date of birth, an e-mail not used by
 * another of the organisation's candidates (taken(ctx, email) when given,
 * else a query). */
static int check_identity(db *d, arena *a, long long org_id, long long self_id,
			  int (*taken)(void *ctx, const char *email), void *ctx, struct candidate_input *in, struct errs *e)
{
	int y, m, dd;
	if (!errs_get(e, "birth_date") && date_parse(in->birth_date, &y, &m, &dd)) {
		time_t now = now_s();
		struct tm tm;
		localtime_r(&now, &tm);
		long today = (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100 + tm.tm_mday, born = y * 10000L + m * 100 + dd;
		if (y < 1900)
			errs_add(e, "birth_date", "La date de naissance doit être postérieure à 1900.");
		else if (born >= today)
			errs_add(e, "birth_date", "La date de naissance doit être dans le passé.");
		else if (born > today - CAND_MIN_AGE * 10000L)
			errs_add(e, "birth_date", "Le candidat doit avoir au moins 10 ans.");
	}
	if (errs_get(e, "email") || !*in->email)
		return 0;
	int used;
	if (taken) {
		used = taken(ctx, in->email);
	} else {
		db_rows rows;
		int rc = db_query(d, a, &rows, "SELECT 1 FROM candidates WHERE org_id = $1 AND email = $2 AND id <> $3",
				  DB_P(db_int(a, org_id), in->email, db_int(a, self_id)));
		if (rc < 0)
			return rc;
		used = rows.nrows > 0;
	}
	if (used)
		errs_add(e, "email", "Un candidat de votre organisation utilise déjà cette adresse de courriel.");
	return 0;
}

/* The password step's own rules; keep_password allows empty fields (the
 * current password stays: in->password becomes NULL). */
static void check_password(struct candidate_input *in, int keep_password, struct errs *e)
{
	const char *pw = s0(in->password);
	if (!utf8_valid(pw, strlen(pw)))
		pw = "\x01";
	if (!*pw && keep_password && str_empty(in->password_confirm))
		in->password = NULL; /* unchanged */
	else if (!*pw)
		errs_add(e, "password", "Veuillez choisir un mot de passe.");
	else if (utf8_len(pw) < CAND_PASSWORD_MIN || pw[0] == '\x01')
		errs_add(e, "password", "Le mot de passe doit contenir au minimum 6 caractères.");
	else if ((int)utf8_len(pw) > cand_fields[CF_password].max)
		errs_add(e, "password", "Le mot de passe ne peut dépasser 200 caractères.");
	else if (!str_eq(pw, s0(in->password_confirm)))
		errs_add(e, "password_confirm", "Les deux mots de passe ne correspondent pas.");
}

static int validate_step(db *d, arena *a, long long org_id, long long self_id, int step, int keep_password,
			 int (*taken)(void *ctx, const char *email), void *ctx, struct candidate_input *in,
			 struct errs *e)
{
	int n0 = e->n, dberr = 0, rc = 0;
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_fields[i].step == step)
			check_field(d, a, i, in, e);
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_fields[i].step == step && cand_fields[i].kind == CK_COUNTRY)
			check_place(d, a, i, in, e, &dberr);
	if (dberr)
		return dberr;
	if (step == CAND_STEP_IDENTITY)
		rc = check_identity(d, a, org_id, self_id, taken, ctx, in, e);
	else if (step == CAND_STEP_PASSWORD)
		check_password(in, keep_password, e);
	if (rc < 0)
		return rc;
	return e->n > n0 ? CLR_EINVAL : 0;
}

int candidate_validate_step(db *d, arena *a, long long org_id, long long self_id, int step, int keep_password,
			    struct candidate_input *in, struct errs *e)
{
	if (step < 1 || step > CAND_NSTEPS)
		return CLR_EINVAL;
	return validate_step(d, a, org_id, self_id, step, keep_password, NULL, NULL, in, e);
}

int candidate_validate_identity(db *d, arena *a, long long org_id, long long self_id, struct candidate_input *in,
				struct errs *e)
{
	return validate_step(d, a, org_id, self_id, CAND_STEP_IDENTITY, 0, NULL, NULL, in, e);
}

int candidate_validate_all(db *d, arena *a, long long org_id, struct candidate_input *in, struct errs *e)
{
	return candidate_validate_all_with(d, a, org_id, NULL, NULL, in, e);
}

int candidate_validate_all_with(db *d, arena *a, long long org_id, int (*taken)(void *ctx, const char *email),
				void *ctx, struct candidate_input *in, struct errs *e)
{
	int n0 = e->n;
	for (int s = 1; s <= CAND_NSTEPS; s++) {
		int rc = validate_step(d, a, org_id, 0, s, s == CAND_STEP_PASSWORD && in->password_hash, taken, ctx, in, e);
		if (rc < 0 && rc != CLR_EINVAL)
			return rc;
	}
	return e->n > n0 ? CLR_EINVAL : 0;
}

/* ------------------------------------------------------------ SQL from the field table */

/* Built once: every statement listing the stored fields.  A stored field's
 * value is bound as text ("" for NULL), a CF_BOOL one as 1/0. */
static struct {
	const char *cols;       /* "civility, last_name, ..." */
	const char *insert;     /* one candidate */
	const char *select;     /* candidate_get() */
	const char *update[CAND_NSTEPS + 1];
	const char *stage_pg, *stage_sqlite; /* the import's staging table */
	const char *stage_row;  /* "($1, ..., $N)" of one staged row, numbered from $1 */
	const char *finish;     /* staged rows -> candidates */
	int nstored;
} q;

/* Parameters of a step's UPDATE between the timestamp and the fields. */
static int step_extra(int step)
{
	return step == CAND_STEP_IDENTITY ? 2 : step == CAND_STEP_PASSWORD ? 1 : 0;
}

/* Leading columns of the staging table and of an INSERT, before the fields. */
#define LEAD_COLS "password_hash, search, sort_name"
#define NLEAD 3

static const char *dup(buf *b)
{
	char *s = strdup(b->data);
	if (!s)
		abort();
	buf_reset(b);
	return s;
}

/* ", $k" or ", CAST($k AS INTEGER)" for each stored field, from $first. */
static void add_params(buf *b, int first)
{
	int k = first;
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_field_stored(&cand_fields[i]))
			buf_printf(b, (cand_fields[i].flags & CF_BOOL) ? ", CAST($%d AS INTEGER)" : ", $%d", k++);
}

static void sql_build(void)
{
	buf b = BUF_INIT, cols = BUF_INIT;
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_field_stored(&cand_fields[i])) {
			buf_printf(&cols, "%s%s", q.nstored ? ", " : "", cand_fields[i].name);
			q.nstored++;
		}
	q.cols = dup(&cols);
	buf_printf(&b, "INSERT INTO candidates (org_id, status, steps, created_at, updated_at, " LEAD_COLS ", %s) "
		       "VALUES ($1, $2, CAST($3 AS INTEGER), $4, $4, $5, $6, $7", q.cols);
	add_params(&b, 8);
	buf_adds(&b, ") RETURNING id");
	q.insert = dup(&b);
	buf_printf(&b, "SELECT id, org_id, status, steps, password_hash, exam_date, created_at, updated_at, %s "
		       ", COALESCE(erasure_requested_at, 0), COALESCE(erased_at, 0) "
		       "FROM candidates WHERE id = $1 AND org_id = $2", q.cols);
	q.select = dup(&b);
	/* $1 id, $2 org, $3 now, then the search text and sort name (identity)
	 * or the new password hash (password: NULL keeps it), then the fields */
	for (int s = 1; s <= CAND_NSTEPS; s++) {
		buf_adds(&b, "UPDATE candidates SET updated_at = $3");
		if (s == CAND_STEP_IDENTITY)
			buf_adds(&b, ", search = $4, sort_name = $5");
		if (s == CAND_STEP_PASSWORD)
			buf_adds(&b, ", password_hash = COALESCE($4, password_hash)");
		int k = 4 + step_extra(s);
		for (int i = 0; i < CAND_NFIELDS; i++)
			if (cand_fields[i].step == s && cand_field_stored(&cand_fields[i]))
				buf_printf(&b, (cand_fields[i].flags & CF_BOOL) ? ", %s = CAST($%d AS INTEGER)" : ", %s = $%d",
					   cand_fields[i].name, k++);
		buf_adds(&b, " WHERE id = $1 AND org_id = $2");
		q.update[s] = dup(&b);
	}
	for (int pg = 0; pg < 2; pg++) {
		buf_adds(&b, pg ? "CREATE TEMP TABLE IF NOT EXISTS candidate_import_rows (seq BIGINT GENERATED ALWAYS "
				  "AS IDENTITY, password_hash TEXT, search TEXT, sort_name TEXT"
				: "CREATE TEMP TABLE IF NOT EXISTS candidate_import_rows (seq INTEGER PRIMARY KEY, "
				  "password_hash, search, sort_name");
		for (int i = 0; i < CAND_NFIELDS; i++)
			if (cand_field_stored(&cand_fields[i]))
				buf_printf(&b, ", %s%s", cand_fields[i].name,
					   !pg ? "" : (cand_fields[i].flags & CF_BOOL) ? " INTEGER" : " TEXT");
		buf_addc(&b, ')');
		if (pg)
			q.stage_pg = dup(&b);
		else
			q.stage_sqlite = dup(&b);
	}
	buf_adds(&b, "($1, $2, $3");
	add_params(&b, 4);
	buf_addc(&b, ')');
	q.stage_row = dup(&b);
	buf_printf(&b, "INSERT INTO candidates (org_id, status, steps, created_at, updated_at, " LEAD_COLS ", %s) "
		       "SELECT CAST($1 AS BIGINT), $2, CAST($3 AS INTEGER), CAST($4 AS BIGINT), CAST($4 AS BIGINT), "
		       LEAD_COLS ", %s FROM candidate_import_rows ORDER BY seq", q.cols, q.cols);
	q.finish = dup(&b);
	buf_free(&b);
	buf_free(&cols);
}

static void sql_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sql_build);
}

/* The stored fields' values of in, in column order, into p[0..nstored). */
static void bind_fields(const struct candidate_input *in, int step, const char **p)
{
	int k = 0;
	for (int i = 0; i < CAND_NFIELDS; i++) {
		const struct cand_field *f = &cand_fields[i];
		if (!cand_field_stored(f) || (step && f->step != step))
			continue;
		p[k++] = (f->flags & CF_BOOL) ? (str_eq(in->v[i], "oui") ? "1" : "0") : s0(in->v[i]);
	}
}

/* ------------------------------------------------------------ storage */

const char *candidate_login_url(void)
{
	static char url[600];
	if (!url[0])
		snprintf(url, sizeof url, "%s/candidat/connexion", cand_public_url());
	return url;
}

static int wants_credentials(const struct candidate_input *in)
{
	return !str_empty(in->password) && str_eq(in->send_credentials, "oui");
}

struct create_ctx {
	arena *a;
	const struct actor *who;
	const struct candidate_input *in;
	const char *hash;
	int steps;
	const char *status;
	long long id;
};

static int create_tx(db *d, void *vctx)
{
	struct create_ctx *c = vctx;
	arena *a = c->a;
	const struct candidate_input *in = c->in;
	const char **p = arena_alloc(a, sizeof *p * (size_t)(7 + q.nstored));
	p[0] = db_int(a, c->who->org_id);
	p[1] = c->status;
	p[2] = db_int(a, c->steps);
	p[3] = db_int(a, now_s());
	p[4] = s0(c->hash);
	p[5] = candidate_search_text(a, s0(in->last_name), s0(in->first_name), s0(in->birth_name), s0(in->email));
	p[6] = sort_name(a, s0(in->last_name), s0(in->first_name));
	bind_fields(in, 0, p + 7);
	db_rows rows;
	int rc = db_query(d, a, &rows, q.insert, 7 + q.nstored, p);
	if (rc < 0)
		return rc;
	c->id = db_ll(&rows, 0, 0);
	/* a password typed by the administrator (the import's are generated: nobody knows them) */
	if (c->hash && !in->password_hash &&
	    (rc = db_exec(d, "UPDATE candidates SET password_by = 'admin' WHERE id = $1", DB_P(db_int(a, c->id)))) < 0)
		return rc;
	rc = audit_log(d, a, c->who, "candidate.create", "candidate", c->id, s0(in->email));
	if (rc >= 0 && wants_credentials(in))
		rc = cand_access_enqueue(d, a, c->id); /* a one-time link, never the password */
	return rc < 0 ? rc : 0;
}

int candidate_create(db *d, arena *a, const struct actor *who, const struct candidate_input *in, int steps,
		     const char *status, long long *id_out)
{
	sql_init();
	char hash[PW_HASH_MAX] = "";
	const char *h = in->password_hash;
	if (!h && !str_empty(in->password)) {
		if (pw_hash(in->password, hash))
			return CLR_ESYS;
		h = hash;
	}
	struct create_ctx c = {a, who, in, h, steps, status ? status : CAND_DRAFT, 0};
	int rc = db_tx(d, create_tx, &c);
	if (rc == 0 && id_out)
		*id_out = c.id;
	return rc;
}

/* The bulk import's candidate_create (import.c), in three calls: rows are
 * staged in a temporary table by multi-row INSERTs (no index, no trigger),
 * then copied into candidates by one INSERT ... SELECT, so that SQLite's
 * FTS5 trigram index is fed by one statement (it flushes its pending terms
 * at every statement that touches it: a segment per batch otherwise) and the
 * audit rows are written by one statement too.  Same columns, audit rows and
 * credentials e-mails as candidate_create(). */
int candidate_batch_begin(db *d)
{
	if (!db_in_tx(d))
		return CLR_EINVAL;
	sql_init();
	int rc = db_exec(d, db_kind(d) == DB_PG ? q.stage_pg : q.stage_sqlite, DB_NOP);
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM candidate_import_rows", DB_NOP);
	return rc < 0 ? rc : 0;
}

int candidate_create_batch(db *d, arena *a, const struct actor *who, const struct candidate_input *in, int n)
{
	if (n < 1 || n > CAND_BATCH_MAX || !db_in_tx(d))
		return CLR_EINVAL;
	sql_init();
	const int np = NLEAD + q.nstored;
	const char **p = arena_alloc(a, sizeof *p * (size_t)(n * np));
	/* the SQL text of a full batch is built once for the process (it is
	 * the same for every thread, and a per-thread copy leaked when its
	 * thread ended); parameters numbered in order: db/sqlite.c binds $k
	 * to index k */
	static _Atomic(char *) full_sql;
	char *full = atomic_load(&full_sql);
	buf sql = BUF_INIT;
	int build = !(n == CAND_BATCH_MAX && full);
	if (build)
		buf_printf(&sql, "INSERT INTO candidate_import_rows (" LEAD_COLS ", %s) VALUES ", q.cols);
	for (int i = 0; i < n; i++) {
		const struct candidate_input *x = &in[i];
		const char **row = p + i * np;
		row[0] = s0(x->password_hash);
		row[1] = candidate_search_text(a, s0(x->last_name), s0(x->first_name), s0(x->birth_name), s0(x->email));
		row[2] = sort_name(a, s0(x->last_name), s0(x->first_name));
		bind_fields(x, 0, row + NLEAD);
		if (!build)
			continue;
		buf_adds(&sql, i ? ", (" : "(");
		for (int k = 1, f = 0; k <= np; k++) {
			int is_bool = 0;
			if (k > NLEAD) { /* the k-th parameter is the f-th stored field */
				while (!cand_field_stored(&cand_fields[f]))
					f++;
				is_bool = cand_fields[f++].flags & CF_BOOL;
			}
			buf_printf(&sql, is_bool ? "%sCAST($%d AS INTEGER)" : "%s$%d", k > 1 ? ", " : "", i * np + k);
		}
		buf_addc(&sql, ')');
	}
	if (build && n == CAND_BATCH_MAX) {
		char *mine = strdup(sql.data), *none = NULL;
		if (!mine)
			abort();
		if (!atomic_compare_exchange_strong(&full_sql, &none, mine))
			free(mine); /* another thread stored it first */
	}
	int rc = db_exec(d, build ? sql.data : full, n * np, p);
	buf_free(&sql);
	return rc < 0 ? rc : 0;
}

long long candidate_batch_finish(db *d, arena *a, const struct actor *who, int steps, const char *status,
				 int send_credentials)
{
	sql_init();
	const char *org = db_int(a, who->org_id), *now = db_int(a, now_s());
	int rc = db_exec(d, q.finish, DB_P(org, status, db_int(a, steps), now));
	if (rc < 0)
		return rc;
	long long created = rc;
	rc = db_exec(d,
		     "INSERT INTO audit_log (at, org_id, actor_id, action, object_type, object_id, detail, ip) "
		     "SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT), 'candidate.create', 'candidate', "
		     "c.id, c.email, $4 FROM candidate_import_rows t JOIN candidates c ON c.org_id = CAST($2 AS BIGINT) "
		     "AND c.email = t.email ORDER BY t.seq",
		     DB_P(now, org, who->user_id ? db_int(a, who->user_id) : NULL, who->ip ? who->ip : ""));
	if (rc >= 0 && send_credentials) { /* each one's link, in the file's order */
		db_rows ids;
		rc = db_query(d, a, &ids,
			      "SELECT c.id FROM candidate_import_rows t JOIN candidates c ON c.org_id = CAST($1 AS BIGINT) "
			      "AND c.email = t.email ORDER BY t.seq",
			      DB_P(org));
		arena *scratch = arena_new();
		for (int i = 0; rc >= 0 && i < ids.nrows; i++) {
			rc = cand_access_enqueue(d, scratch, db_ll(&ids, i, 0));
			if (i % 64 == 63)
				arena_reset(scratch);
		}
		arena_free(scratch);
	}
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM candidate_import_rows", DB_NOP); /* the password hashes */
	return rc < 0 ? rc : created;
}

struct step_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	int step, finish, finished;
	struct candidate_input *in;
	const char *hash;
};

static int step_tx(db *d, void *vctx)
{
	struct step_ctx *c = vctx;
	arena *a = c->a;
	struct candidate_input *in = c->in;
	const char *org = db_int(a, c->who->org_id), *id = db_int(a, c->id);
	const char **p = arena_alloc(a, sizeof *p * (size_t)(5 + q.nstored));
	p[0] = id;
	p[1] = org;
	p[2] = db_int(a, now_s());
	if (c->step == CAND_STEP_IDENTITY) {
		p[3] = candidate_search_text(a, in->last_name, in->first_name, in->birth_name, in->email);
		p[4] = sort_name(a, in->last_name, in->first_name);
	} else if (c->step == CAND_STEP_PASSWORD) {
		p[3] = c->hash;
	}
	int n = 3 + step_extra(c->step);
	for (int i = 0; i < CAND_NFIELDS; i++)
		n += cand_fields[i].step == c->step && cand_field_stored(&cand_fields[i]);
	bind_fields(in, c->step, p + 3 + step_extra(c->step));
	int rc = db_exec(d, q.update[c->step], n, p);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	/* the step is valid; « Enregistrer » turns a complete draft into « À attribuer » */
	db_rows rows;
	rc = db_query(d, a, &rows,
		      "UPDATE candidates SET steps = steps | CAST($3 AS INTEGER), status = CASE WHEN CAST($4 AS INTEGER) = 1 "
		      "AND status = $5 AND ((steps | CAST($3 AS INTEGER)) & CAST($6 AS INTEGER)) = CAST($6 AS INTEGER) "
		      "THEN $7 ELSE status END "
		      "WHERE id = $1 AND org_id = $2 RETURNING steps",
		      DB_P(id, org, db_int(a, CAND_STEP_BIT(c->step)), c->finish ? "1" : "0", CAND_DRAFT,
			   db_int(a, CAND_REQUIRED_STEPS), CAND_TO_ASSIGN));
	if (rc < 0)
		return rc;
	c->finished = c->finish && (db_ll(&rows, 0, 0) & CAND_REQUIRED_STEPS) == CAND_REQUIRED_STEPS;
	if (c->finished && (rc = audit_log(d, a, c->who, "candidate.finish", "candidate", c->id, "")) < 0)
		return rc;
	rc = audit_log(d, a, c->who, cand_steps[c->step].audit, "candidate", c->id, "");
	if (rc < 0)
		return rc;
	if (c->step == CAND_STEP_PASSWORD && c->hash &&
	    (rc = db_exec(d, "UPDATE candidates SET password_by = 'admin' WHERE id = $1", DB_P(id))) < 0)
		return rc;
	if (c->step == CAND_STEP_PASSWORD && c->hash && str_eq(in->send_credentials, "oui"))
		rc = cand_access_enqueue(d, a, c->id); /* to the candidate's current address; a link, never the password */
	return rc < 0 ? rc : 0;
}

int candidate_save_step(db *d, arena *a, const struct actor *who, long long id, int step, struct candidate_input *in,
			int finish, struct errs *e, long long *id_out, int *finished)
{
	*finished = 0;
	*id_out = id;
	if (step < 1 || step > CAND_NSTEPS || (id == 0 && step != CAND_STEP_IDENTITY))
		return CLR_ENOTFOUND;
	sql_init();
	int keep = 0;
	if (id) {
		struct candidate cur;
		int rc = candidate_get(d, a, who->org_id, id, &cur);
		if (rc)
			return rc;
		keep = cur.has_password;
	}
	int rc = candidate_validate_step(d, a, who->org_id, id, step, keep, in, e);
	if (rc)
		return rc;
	if (id == 0) {
		rc = candidate_create(d, a, who, in, CAND_STEP_BIT(CAND_STEP_IDENTITY), CAND_DRAFT, id_out);
	} else {
		char hash[PW_HASH_MAX];
		struct step_ctx c = {a, who, id, step, finish, 0, in, NULL};
		if (step == CAND_STEP_PASSWORD && !str_empty(in->password)) {
			if (pw_hash(in->password, hash))
				return CLR_ESYS;
			c.hash = hash;
		}
		rc = db_tx(d, step_tx, &c);
		if (rc == 0)
			*finished = c.finished;
	}
	if (rc == CLR_ECONFLICT) {
		errs_add(e, "email", "Un candidat de votre organisation utilise déjà cette adresse de courriel.");
		return CLR_EINVAL;
	}
	return rc;
}

void candidate_get_stmt(struct db_stmt *st, arena *a, long long org_id, long long id)
{
	sql_init();
	const char **p = arena_alloc(a, sizeof *p * 2);
	p[0] = db_int(a, id);
	p[1] = db_int(a, org_id);
	*st = (struct db_stmt){q.select, 2, p, NULL, 0, 0};
}

int candidate_get(db *d, arena *a, long long org_id, long long id, struct candidate *out)
{
	memset(out, 0, sizeof *out);
	db_rows r;
	struct db_stmt st;
	candidate_get_stmt(&st, a, org_id, id);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	out->id = db_ll(&r, 0, 0);
	out->org_id = db_ll(&r, 0, 1);
	out->status = db_cell(&r, 0, 2);
	out->steps = (int)db_ll(&r, 0, 3);
	out->has_password = !str_empty(db_cell(&r, 0, 4));
	out->exam_date = db_cell(&r, 0, 5);
	out->created_at = db_ll(&r, 0, 6);
	out->updated_at = db_ll(&r, 0, 7);
	int k = 8;
	for (int i = 0; i < CAND_NFIELDS; i++) {
		const struct cand_field *f = &cand_fields[i];
		if (!cand_field_stored(f))
			continue;
		const char *v = s0(db_cell(&r, 0, k++));
		if (f->flags & CF_BOOL)
			v = !out->has_password ? "" : str_eq(v, "1") ? "oui" : "non";
		out->v[i] = v;
	}
	out->erasure_requested_at = db_ll(&r, 0, k++);
	out->erased_at = db_ll(&r, 0, k++);
	return 0;
}

struct del_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	struct errs *e;
};

static int delete_tx(db *d, void *vctx)
{
	struct del_ctx *c = vctx;
	int rc = certification_candidate_deletable(d, c->a, c->who->org_id, c->id, c->e);
	if (rc)
		return rc;
	db_rows r;
	rc = db_query(d, c->a, &r, "DELETE FROM candidates WHERE id = $1 AND org_id = $2 RETURNING email",
			  DB_P(db_int(c->a, c->id), db_int(c->a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	rc = audit_log(d, c->a, c->who, "candidate.delete", "candidate", c->id, db_cell(&r, 0, 0));
	return rc < 0 ? rc : 0;
}

int candidate_delete(db *d, arena *a, const struct actor *who, long long id, struct errs *e)
{
	struct del_ctx c = {a, who, id, e};
	return db_tx(d, delete_tx, &c);
}

void candidate_mails_stmt(struct db_stmt *st, arena *a, long long org_id, long long id)
{
	const char **p = arena_alloc(a, sizeof *p * 2);
	p[0] = db_int(a, org_id);
	p[1] = db_int(a, id);
	*st = (struct db_stmt){"SELECT subject, status, created_at, sent_at FROM outbox WHERE org_id = $1 AND recipient = "
			       "(SELECT email FROM candidates WHERE id = $2 AND org_id = $1) "
			       "AND kind LIKE 'candidate.%' ORDER BY id DESC LIMIT 20",
			       2, p, NULL, 0, 0};
}

int candidate_mails(db *d, arena *a, long long org_id, long long id, struct candidate_mail **out, int *n)
{
	*out = NULL;
	*n = 0;
	db_rows r;
	struct db_stmt st;
	candidate_mails_stmt(&st, a, org_id, id);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++) {
		(*out)[i].subject = s0(db_cell(&r, i, 0));
		(*out)[i].status = s0(db_cell(&r, i, 1));
		(*out)[i].created_at = db_ll(&r, i, 2);
		(*out)[i].sent_at = db_ll(&r, i, 3);
	}
	*n = r.nrows;
	return 0;
}

struct status_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	const char *status, *exam_date;
};

static int status_tx(db *d, void *vctx)
{
	struct status_ctx *c = vctx;
	int rc = db_exec(d, "UPDATE candidates SET status = $3, exam_date = $4, updated_at = $5 WHERE id = $1 AND org_id = $2",
			 DB_P(db_int(c->a, c->id), db_int(c->a, c->who->org_id), c->status, c->exam_date,
			      db_int(c->a, now_s())));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = audit_log(d, c->a, c->who, "candidate.status", "candidate", c->id, c->status);
	return rc < 0 ? rc : 0;
}

int candidate_set_status(db *d, arena *a, const struct actor *who, long long id, const char *status,
			 const char *exam_date)
{
	if (!cand_status_find(status))
		return CLR_EINVAL;
	struct status_ctx c = {a, who, id, status, exam_date};
	return db_tx(d, status_tx, &c);
}
