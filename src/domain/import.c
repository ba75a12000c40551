/* import.c - bulk import of candidates from CSV (two steps: report, then
 * one-transaction creation); see import.h.  Columns and choices come from
 * the field table (candidate_fields.h); validation is candidate.c's, row by
 * row, in a scratch arena reset after each line so that 100 000 lines run in
 * constant memory.  The exports are cand_query.c. */
#include "domain/import.h"
#include "domain/place.h"
#include "core/err.h"
#include "core/log.h"
#include "core/strmap.h"
#include "core/text.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ECHO_MAX 80 /* characters of a cell echoed in the report (text_excerpt) */

/* Columns of an export that an import ignores (round trip). */
static const char *const ignored_columns[] = {"statutdudossier", "datedepassage", "score", NULL};

/* text_fold() with only letters and digits kept: "Prénom *" -> "prenom". */
static const char *key_fold(arena *a, const char *s)
{
	char *f = text_fold(a, s), *o = f;
	for (const char *p = f; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			*o++ = *p;
	*o = 0;
	return f;
}

/* Whether the folded header k names field f: its label, its column header
 * or one of its aliases. */
static int header_names(arena *a, const struct cand_field *f, const char *k)
{
	if (strcmp(k, key_fold(a, f->label)) == 0 || (f->header && strcmp(k, key_fold(a, f->header)) == 0))
		return 1;
	size_t kl = strlen(k);
	for (const char *p = f->aliases; *p;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == kl && strncmp(p, k, l) == 0)
			return 1;
		p += l + (e ? 1 : 0);
	}
	return 0;
}

/* The example line of the template, by field (a field without one is left
 * empty). */
static const struct {
	int field;
	const char *value;
} example[] = {
	{CF_civility, "Madame"}, {CF_last_name, "Lefèvre"}, {CF_birth_name, "Martin"}, {CF_first_name, "Hélène"},
	{CF_email, "helene.lefevre@exemple.fr"}, {CF_birth_date, "14/07/1990"}, {CF_birth_country, "France"},
	{CF_birth_postal_code, "42000"}, {CF_birth_city, "Saint-Étienne"}, {CF_employment, "Salarié"},
	{CF_funding, "Compte personnel de formation (CPF)"}, {CF_phone, "06 12 34 56 78"},
	{CF_address, "12 rue des Lilas"}, {CF_country, "France"}, {CF_postal_code, "69003"}, {CF_city, "Lyon 3e Arrondissement"},
	{CF_education, "Baccalauréat"}, {CF_csp, "Employés"}, {CF_french_native, "Oui"},
};

void import_template(buf *out)
{
	buf_adds(out, "\xEF\xBB\xBF");
	int first = 1;
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_field_imported(&cand_fields[i])) {
			buf_printf(out, "%s%s", first ? "" : ";", cand_field_header(&cand_fields[i]));
			first = 0;
		}
	buf_adds(out, "\r\n");
	first = 1;
	for (int i = 0; i < CAND_NFIELDS; i++) {
		if (!cand_field_imported(&cand_fields[i]))
			continue;
		const char *v = "";
		for (size_t k = 0; k < sizeof example / sizeof *example; k++)
			if (example[k].field == i)
				v = example[k].value;
		if (!first)
			buf_addc(out, ';');
		csv_add_field(out, v, ';');
		first = 0;
	}
	buf_adds(out, "\r\n");
}

/* ------------------------------------------------------------ mapping */

struct country_map {
	int n;
	const char **fold; /* key_fold(name) */
	struct country *c;
};

struct importer {
	db *d;
	arena *a;       /* results */
	arena *scratch; /* one line */
	long long org_id;
	int *colmap; /* file column -> field index, -1 ignored */
	int ncol_file;
	struct country_map countries;
	struct strmap seen;  /* e-mails of the file so far -> their line */
	struct strmap known; /* the organisation's e-mails in the database (loaded
			      * once, instead of one query per line) */
	struct import_report *rep;
};

/* Loads the organisation's e-mails (again: the import's transaction reloads
 * them under its write lock). */
static int known_load(struct importer *im)
{
	db_rows r;
	int rc = db_query(im->d, im->a, &r, "SELECT email FROM candidates WHERE org_id = $1",
			  DB_P(db_int(im->a, im->org_id)));
	if (rc < 0)
		return rc;
	strmap_clear(&im->known, NULL);
	for (int i = 0; i < r.nrows; i++)
		if (strmap_put(&im->known, db_cell(&r, i, 0), NULL, NULL) < 0)
			return CLR_ESYS;
	return 0;
}

static int known_taken(void *ctx, const char *e)
{
	struct importer *im = ctx;
	int found;
	strmap_get(&im->known, e, &found);
	return found;
}
static const char *map_choice(struct importer *im, const struct code_label *t, const char *v)
{
	if (!*v)
		return v;
	for (const struct code_label *c = t; c->code; c++)
		if (strcmp(v, c->label) == 0 || strcmp(v, c->code) == 0)
			return c->code;
	const char *k = key_fold(im->scratch, v);
	for (const struct code_label *c = t; c->code; c++)
		if (strcmp(k, key_fold(im->scratch, c->label)) == 0 || strcmp(k, key_fold(im->scratch, c->code)) == 0)
			return c->code;
	if (t == cand_civilities) {
		if (!strcmp(k, "mme") || !strcmp(k, "mlle") || !strcmp(k, "f"))
			return "madame";
		if (!strcmp(k, "m") || !strcmp(k, "mr") || !strcmp(k, "h"))
			return "monsieur";
	}
	if (t == cand_fundings && (!strcmp(k, "poleemploi") || !strcmp(k, "francetravailpoleemploi")))
		return "france_travail";
	return NULL;
}

static const char *map_country(struct importer *im, const char *v)
{
	if (!*v)
		return v;
	struct country_map *m = &im->countries;
	for (int i = 0; i < m->n; i++)
		if (strcmp(v, m->c[i].name) == 0 || strcmp(v, m->c[i].code) == 0)
			return m->c[i].code;
	const char *k = key_fold(im->scratch, v);
	for (int i = 0; i < m->n; i++)
		if (strcmp(k, m->fold[i]) == 0 || (strlen(k) == 2 && strcasecmp(v, m->c[i].code) == 0))
			return m->c[i].code;
	return NULL;
}

static int importer_init(struct importer *im, db *d, arena *a, long long org_id, struct import_report *rep)
{
	memset(im, 0, sizeof *im);
	im->d = d;
	im->a = a;
	im->org_id = org_id;
	im->rep = rep;
	im->scratch = arena_new();
	int rc = place_countries(d, a, &im->countries.c, &im->countries.n);
	if (rc < 0)
		return rc;
	/* postal codes, communes and countries from memory for every line */
	if ((rc = place_cache_begin(d)) < 0)
		return rc;
	im->countries.fold = arena_alloc(a, sizeof(char *) * (size_t)(im->countries.n + 1));
	for (int i = 0; i < im->countries.n; i++)
		im->countries.fold[i] = key_fold(a, im->countries.c[i].name);
	return 0;
}

static void importer_free(struct importer *im)
{
	place_cache_end();
	arena_free(im->scratch);
	strmap_clear(&im->known, NULL);
	strmap_clear(&im->seen, NULL);
}

/* Line of a previous occurrence of e-mail e in the file, or 0 (and e is
 * recorded for line `line`). */
static int seen_add(struct importer *im, const char *e, int line)
{
	void *old = NULL;
	int rc = strmap_put(&im->seen, arena_strdup(im->a, e), (void *)(intptr_t)line, &old);
	if (rc < 0)
		abort();
	return rc == 0 ? (int)(intptr_t)old : 0;
}

/* Maps the header line to columns; rep->file_error when refused. */
static int map_header(struct importer *im, const struct csv_record *h)
{
	int have[CAND_NFIELDS] = {0};
	arena *a = im->a;
	buf unknown = BUF_INIT;
	im->ncol_file = h->nfields;
	im->colmap = arena_alloc(a, sizeof *im->colmap * (size_t)(h->nfields + 1));
	for (int i = 0; i < h->nfields; i++) {
		const char *k = key_fold(a, h->fields[i]);
		im->colmap[i] = -1;
		if (!*k)
			continue;
		int found = -1;
		for (int c = 0; c < CAND_NFIELDS && found < 0; c++)
			if (cand_field_imported(&cand_fields[c]) && header_names(a, &cand_fields[c], k))
				found = c;
		int ignored = 0;
		for (int c = 0; ignored_columns[c]; c++)
			ignored |= strcmp(k, ignored_columns[c]) == 0;
		if (found < 0 && !ignored) {
			buf_printf(&unknown, "%s« %s »", unknown.len ? ", " : "", text_excerpt(a, h->fields[i], ECHO_MAX));
			continue;
		}
		if (found >= 0 && have[found]) {
			im->rep->file_error = arena_printf(a, "La colonne « %s » figure deux fois dans la première ligne.",
							   cand_field_header(&cand_fields[found]));
			buf_free(&unknown);
			return CLR_EINVAL;
		}
		if (found >= 0)
			have[found] = 1;
		im->colmap[i] = found;
	}
	buf missing = BUF_INIT;
	for (int c = 0; c < CAND_NFIELDS; c++)
		if ((cand_fields[c].flags & CF_COLREQ) && !have[c])
			buf_printf(&missing, "%s« %s »", missing.len ? ", " : "", cand_field_header(&cand_fields[c]));
	if (unknown.len || missing.len) {
		im->rep->file_error = arena_printf(
			a, "La première ligne du fichier doit donner les noms des colonnes du modèle.%s%s%s%s",
			missing.len ? " Colonnes manquantes : " : "", missing.len ? missing.data : "",
			unknown.len ? " Colonnes inconnues : " : "", unknown.len ? unknown.data : "");
	}
	buf_free(&unknown);
	buf_free(&missing);
	return im->rep->file_error ? CLR_EINVAL : 0;
}

/* Fills `in` from a record and validates it; errors in e (French).  0 if
 * valid, CLR_EINVAL, or a storage error. */
static int check_record(struct importer *im, const struct csv_record *r, struct candidate_input *in, struct errs *e)
{
	arena *s = im->scratch;
	memset(in, 0, sizeof *in);
	memset(e, 0, sizeof *e);
	for (int i = im->ncol_file; i < r->nfields; i++)
		if (*r->fields[i]) {
			errs_add(e, "", arena_printf(s, "La ligne compte plus de colonnes que la première ligne (%d).",
						     im->ncol_file));
			break;
		}
	for (int i = 0; i < r->nfields && i < im->ncol_file; i++) {
		int c = im->colmap[i];
		if (c < 0)
			continue;
		const char *v = r->fields[i];
		/* a leading apostrophe protects a value from spreadsheet formulas */
		if (v[0] == '\'' && strchr("=+-@", v[1]) && v[1])
			v++;
		const struct cand_field *f = &cand_fields[c];
		if (f->choices && *v) {
			const char *code = map_choice(im, f->choices, v);
			if (!code) {
				buf b = BUF_INIT;
				for (const struct code_label *t = f->choices; t->code; t++)
					buf_printf(&b, "%s%s", t == f->choices ? "" : ", ", t->label);
				errs_add(e, f->name, arena_printf(s, "valeur « %s » inconnue (valeurs possibles : %s).",
								  text_excerpt(s, v, ECHO_MAX), b.data));
				buf_free(&b);
				continue;
			}
			v = code;
		} else if (f->kind == CK_COUNTRY && *v) {
			const char *code = map_country(im, v);
			if (!code) {
				errs_add(e, f->name, arena_printf(s, "pays « %s » inconnu.", text_excerpt(s, v, ECHO_MAX)));
				continue;
			}
			v = code;
		}
		in->v[c] = v;
	}
	/* born in France is the usual case: a postal code without a country */
	if (str_empty(in->birth_country) && !str_empty(in->birth_postal_code) && !errs_get(e, "birth_country"))
		in->birth_country = "FR";
	in->password_hash = "-"; /* the password step is generated */
	in->send_credentials = "non";
	/* a duplicate within the file is reported as such (before the
	 * organisation-wide check, which would see the first one once created) */
	if (!str_empty(in->email) && utf8_valid(in->email, strlen(in->email))) {
		const char *key = str_lower(s, str_trim(s, in->email, 1));
		int prev = *key ? seen_add(im, key, r->line) : 0;
		if (prev)
			errs_add(e, "email", arena_printf(s, "Cette adresse figure déjà à la ligne %d du fichier.", prev));
	}
	int rc = candidate_validate_all_with(im->d, s, im->org_id, known_taken, im, in, e);
	if (rc < 0 && rc != CLR_EINVAL)
		return rc;
	return e->n ? CLR_EINVAL : 0;
}

static void report_line(struct importer *im, const struct csv_record *r, const struct errs *e)
{
	struct import_report *rep = im->rep;
	if (!e->n && rep->nshown >= IMPORT_SHOW_VALID)
		return;
	arena *a = im->a;
	struct import_line *l = &rep->lines[rep->nshown++];
	l->line = r->line;
	const char *last = "", *first = "", *email = "";
	for (int i = 0; i < r->nfields && i < im->ncol_file; i++) {
		int c = im->colmap[i];
		if (c == CF_last_name)
			last = r->fields[i];
		else if (c == CF_first_name)
			first = r->fields[i];
		else if (c == CF_email)
			email = r->fields[i];
	}
	l->name = utf8_valid(last, strlen(last)) && utf8_valid(first, strlen(first))
			  ? text_excerpt(a, candidate_display_name(a, last, first), ECHO_MAX)
			  : "";
	l->email = text_excerpt(a, email, ECHO_MAX);
	l->nerr = e->n;
	l->errors = arena_alloc(a, sizeof *l->errors * (size_t)(e->n + 1));
	for (int i = 0; i < e->n; i++) {
		int f = cand_field_find(e->e[i].field);
		const char *lab = f >= 0 ? cand_field_header(&cand_fields[f]) : NULL;
		const char *msg = e->e[i].msg;
		l->errors[i] = lab ? arena_printf(a, "%s : %s", lab, msg) : arena_strdup(a, msg);
	}
}

/* Parses the file: rep->file_error or the records (header first). */
static int parse_file(struct importer *im, const char *text, size_t n, struct csv_table *t)
{
	struct import_report *rep = im->rep;
	if (csv_read(im->a, text, n, 0, IMPORT_MAX_LINES + 1, t)) {
		rep->file_error = t->error;
		return CLR_EINVAL;
	}
	rep->sep = t->sep;
	if (t->n < 1) {
		rep->file_error = "Le fichier est vide.";
		return CLR_EINVAL;
	}
	if (map_header(im, &t->recs[0]))
		return CLR_EINVAL;
	if (t->n < 2) {
		rep->file_error = "Le fichier ne contient aucun candidat (seulement la ligne d'en-tête).";
		return CLR_EINVAL;
	}
	rep->nlines = t->n - 1;
	rep->lines = arena_alloc(im->a, sizeof *rep->lines * (size_t)(t->n));
	return 0;
}

int import_check(db *d, arena *a, long long org_id, const char *text, size_t n, struct import_report *rep)
{
	memset(rep, 0, sizeof *rep);
	double t0 = mono_ms();
	struct importer im;
	int rc = importer_init(&im, d, a, org_id, rep);
	struct csv_table t;
	if (rc == 0)
		rc = known_load(&im);
	if (rc == 0 && parse_file(&im, text, n, &t) == 0) {
		for (int i = 1; i < t.n && rc >= 0; i++) {
			struct candidate_input in;
			struct errs e;
			rc = check_record(&im, &t.recs[i], &in, &e);
			if (rc >= 0 || rc == CLR_EINVAL) {
				if (e.n)
					rep->ninvalid++;
				else
					rep->nvalid++;
				report_line(&im, &t.recs[i], &e);
				rc = 0;
			}
			arena_reset(im.scratch);
		}
	}
	importer_free(&im);
	rep->ms_check = mono_ms() - t0;
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ creation */

struct run_ctx {
	struct importer *im;
	const struct actor *who;
	const struct csv_table *t;
	int send;
	struct pw_pool *pw;
	const char *token_hash; /* pending import to delete, or NULL */
	int batch;              /* rows per INSERT */
};

static int run_tx(db *d, void *vctx)
{
	struct run_ctx *c = vctx;
	struct importer *im = c->im;
	struct import_report *rep = im->rep;
	rep->nvalid = rep->ninvalid = rep->nshown = 0;
	rep->created = 0;
	strmap_clear(&im->seen, NULL);
	int rc = known_load(im);
	if (rc < 0)
		return rc;
	/* PostgreSQL: the statements' cached generic plans were made when the
	 * table was small (a fresh organisation: sequential scans); with
	 * thousands of rows added in this transaction, plan each execution */
	if (db_kind(d) == DB_PG && (rc = db_exec(d, "SET LOCAL plan_cache_mode = force_custom_plan", DB_NOP)) < 0)
		return rc;
	rc = 0;
	if (c->token_hash) {
		rc = db_exec(d, "DELETE FROM candidate_imports WHERE token_hash = $1 AND org_id = $2",
			     DB_P(c->token_hash, db_int(im->a, c->who->org_id)));
		if (rc < 0)
			return rc;
		if (rc == 0)
			return CLR_ENOTFOUND; /* confirmed twice */
	}
	if ((rc = candidate_batch_begin(d)) < 0)
		return rc;
	struct candidate_input batch[CAND_BATCH_MAX];
	int nb = 0;
	for (int i = 1; i < c->t->n; i++) {
		struct candidate_input *in = &batch[nb];
		struct errs e;
		const struct csv_record *r = &c->t->recs[i];
		rc = check_record(im, r, in, &e);
		if (rc < 0 && rc != CLR_EINVAL)
			break;
		if (rc == 0) {
			if ((rc = pw_pool_get(c->pw, i - 1, &in->password, &in->password_hash)) < 0)
				break;
			in->password_confirm = in->password;
			in->send_credentials = c->send ? "oui" : "non";
			nb++;
			rep->nvalid++;
		} else {
			rep->ninvalid++;
		}
		report_line(im, r, &e);
		rc = 0;
		if (nb == c->batch || (i == c->t->n - 1 && nb)) {
			rc = candidate_create_batch(d, im->scratch, c->who, batch, nb);
			if (rc < 0)
				break;
			rep->created += nb;
			nb = 0;
			arena_reset(im->scratch);
		}
	}
	if (rc < 0)
		return rc;
	long long made = candidate_batch_finish(d, im->a, c->who, CAND_ALL_STEPS, CAND_TO_ASSIGN, c->send);
	if (made < 0)
		return (int)made;
	rep->created = made;
	rc = audit_log(d, im->a, c->who, "candidate.import", "candidate", 0,
		       arena_printf(im->a, "%lld candidats importés, %d lignes refusées", rep->created, rep->ninvalid));
	return rc < 0 ? rc : 0;
}

static int run(db *d, arena *a, const struct actor *who, const char *text, size_t n, int send,
	       const char *token_hash, struct import_report *rep)
{
	memset(rep, 0, sizeof *rep);
	double t0 = mono_ms();
	struct importer im;
	int rc = importer_init(&im, d, a, who->org_id, rep);
	struct csv_table t;
	if (rc < 0 || parse_file(&im, text, n, &t)) {
		importer_free(&im);
		return rc < 0 ? rc : 0;
	}
	struct pw_pool *pw = pw_pool_start(t.n - 1);
	if (!pw) {
		importer_free(&im);
		return CLR_ESYS;
	}
	struct run_ctx c = {&im, who, &t, send, pw, token_hash, IMPORT_BATCH};
	/* one big transaction: give SQLite room to keep its dirty pages in
	 * memory instead of spilling them to the WAL as it goes */
	if (db_kind(d) == DB_SQLITE)
		db_exec(d, "PRAGMA cache_size = -262144", DB_NOP);
	rc = db_tx(d, run_tx, &c);
	if (db_kind(d) == DB_SQLITE)
		db_exec(d, "PRAGMA cache_size = -2000", DB_NOP);
	pw_pool_free(pw);
	importer_free(&im);
	if (rc < 0)
		rep->created = 0;
	rep->ms_create = mono_ms() - t0;
	return rc < 0 ? rc : 0;
}

int import_file(db *d, arena *a, const struct actor *who, const char *text, size_t n, int send_credentials,
		struct import_report *rep)
{
	return run(d, a, who, text, n, send_credentials, NULL, rep);
}

/* ------------------------------------------------------------ pending */

int import_store(db *d, arena *a, const struct actor *who, const char *filename, const char *text,
		 char token_out[TOKEN_LEN + 1])
{
	char th[TOKEN_HASH_LEN + 1];
	token_new(token_out);
	token_hash(token_out, th);
	long long now = now_s();
	int rc = db_exec(d, "DELETE FROM candidate_imports WHERE expires_at < $1", DB_P(db_int(a, now)));
	if (rc < 0)
		return rc;
	rc = db_exec(d,
		     "INSERT INTO candidate_imports (token_hash, org_id, user_id, filename, data, created_at, expires_at) "
		     "VALUES ($1, $2, $3, $4, $5, $6, $7)",
		     DB_P(th, db_int(a, who->org_id), db_int(a, who->user_id), filename ? filename : "", text,
			  db_int(a, now), db_int(a, now + IMPORT_TTL)));
	return rc < 0 ? rc : 0;
}

int import_load(db *d, arena *a, const struct actor *who, const char *token, const char **filename, const char **text)
{
	char th[TOKEN_HASH_LEN + 1];
	if (token_hash_sent(token, th))
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT filename, data FROM candidate_imports WHERE token_hash = $1 AND org_id = $2 "
			  "AND user_id = $3 AND expires_at >= $4",
			  DB_P(th, db_int(a, who->org_id), db_int(a, who->user_id), db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	if (filename)
		*filename = db_cell(&r, 0, 0);
	if (text)
		*text = db_cell(&r, 0, 1);
	return 0;
}

int import_confirm(db *d, arena *a, const struct actor *who, const char *token, int send_credentials,
		   struct import_report *rep)
{
	const char *text;
	int rc = import_load(d, a, who, token, NULL, &text);
	if (rc)
		return rc;
	char th[TOKEN_HASH_LEN + 1];
	token_hash(token, th);
	return run(d, a, who, text, strlen(text), send_credentials, arena_strdup(a, th), rep);
}
