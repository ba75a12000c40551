/* import.c - bulk import of candidates from CSV (two steps: report, then
 * one-transaction creation) and export of the filtered list; see import.h.
 * Validation is candidate.c's, row by row, in a scratch arena reset after
 * each line so that 100 000 lines run in constant memory. */
#include "domain/import.h"
#include "domain/place.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct column {
	const char *label;  /* the template's header */
	const char *field;  /* struct candidate_input member / error key */
	size_t off;
	int required;       /* the column must be present */
	const char *aliases; /* other headers, folded, '|'-separated */
	const struct code_label *choices;
};

#define F(m) #m, offsetof(struct candidate_input, m)
static const struct column columns[] = {
	{"Civilité", F(civility), 1, "", cand_civilities},
	{"Nom", F(last_name), 1, "nomdusage|nomdefamille", NULL},
	{"Nom de naissance", F(birth_name), 0, "", NULL},
	{"Prénom", F(first_name), 1, "", NULL},
	{"Courriel", F(email), 1, "email|mail|adressedecourriel|adressecourriel|adresseemail|adressemail", NULL},
	{"Date de naissance", F(birth_date), 1, "", NULL},
	{"Code postal de naissance", F(birth_postal_code), 0, "", NULL},
	{"Commune de naissance", F(birth_city), 0, "villedenaissance|lieudenaissance", NULL},
	{"Pays de naissance", F(birth_country), 0, "", NULL},
	{"Statut", F(employment), 1, "statutprofessionnel", cand_employments},
	{"Financement", F(funding), 1, "", cand_fundings},
	{"Téléphone", F(phone), 0, "telephonemobiledepreference|telephonemobile|mobile|portable", NULL},
	{"Adresse de résidence", F(address), 0, "adresse", NULL},
	{"Code postal de résidence", F(postal_code), 0, "codepostal", NULL},
	{"Commune de résidence", F(city), 0, "commune|ville|villederesidence", NULL},
	{"Pays de résidence", F(country), 0, "pays", NULL},
	{"Niveau d'études", F(education), 0, "", cand_educations},
	{"Catégorie socio-professionnelle", F(csp), 0, "csp|categoriesocioprofessionnelle", cand_csps},
	{"Langue maternelle française", F(french_native), 0, "lefrancaisestilvotrelanguematernelle|francaislanguematernelle",
	 cand_yes_no},
};
#undef F
#define NCOLS ((int)(sizeof columns / sizeof *columns))
/* Columns of an export that an import ignores (round trip). */
static const char *const ignored_columns[] = {"statutdudossier", "datedepassage", NULL};

const char *const import_columns[] = {
	"Civilité", "Nom", "Nom de naissance", "Prénom", "Courriel", "Date de naissance", "Code postal de naissance",
	"Commune de naissance", "Pays de naissance", "Statut", "Financement", "Téléphone", "Adresse de résidence",
	"Code postal de résidence", "Commune de résidence", "Pays de résidence", "Niveau d'études",
	"Catégorie socio-professionnelle", "Langue maternelle française", NULL,
};
_Static_assert(sizeof import_columns / sizeof *import_columns == NCOLS + 1, "import_columns and columns differ");

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

static int alias_has(const char *aliases, const char *k)
{
	size_t kl = strlen(k);
	for (const char *p = aliases; *p;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == kl && strncmp(p, k, l) == 0)
			return 1;
		p += l + (e ? 1 : 0);
	}
	return 0;
}

void import_template(buf *out)
{
	buf_adds(out, "\xEF\xBB\xBF");
	for (int i = 0; import_columns[i]; i++)
		buf_printf(out, "%s%s", i ? ";" : "", import_columns[i]);
	buf_adds(out, "\r\nMadame;Lefèvre;Martin;Hélène;helene.lefevre@exemple.fr;14/07/1990;42000;Saint-Étienne;France;"
		      "Salarié;Compte personnel de formation (CPF);06 12 34 56 78;12 rue des Lilas;69003;Lyon;France;"
		      "Baccalauréat;Employés;Oui\r\n");
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
	int colmap[200]; /* file column -> columns[] index, -1 ignored */
	int ncol_file;
	struct country_map countries;
	/* e-mails seen in the file: open addressing, value = line */
	const char **seen;
	int *seen_line;
	size_t seen_cap, seen_n;
	/* the organisation's e-mails in the database (loaded once, instead of
	 * one query per line): open addressing, arena strings */
	const char **known;
	size_t known_cap;
	struct import_report *rep;
};

static size_t str_hash(const char *e)
{
	size_t h = 5381;
	for (const char *p = e; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return h;
}

/* Loads the organisation's e-mails (again: the import's transaction reloads
 * them under its write lock). */
static int known_load(struct importer *im)
{
	db_rows r;
	int rc = db_query(im->d, im->a, &r, "SELECT email FROM candidates WHERE org_id = $1",
			  DB_P(db_int(im->a, im->org_id)));
	if (rc < 0)
		return rc;
	free(im->known);
	im->known_cap = 1024;
	while (im->known_cap < (size_t)r.nrows * 2 + 2)
		im->known_cap *= 2;
	im->known = calloc(im->known_cap, sizeof *im->known);
	if (!im->known)
		abort();
	for (int i = 0; i < r.nrows; i++) {
		const char *e = db_cell(&r, i, 0);
		size_t j = str_hash(e) & (im->known_cap - 1);
		while (im->known[j])
			j = (j + 1) & (im->known_cap - 1);
		im->known[j] = e;
	}
	return 0;
}

static int known_taken(void *ctx, const char *e)
{
	struct importer *im = ctx;
	for (size_t j = str_hash(e) & (im->known_cap - 1); im->known[j]; j = (j + 1) & (im->known_cap - 1))
		if (strcmp(im->known[j], e) == 0)
			return 1;
	return 0;
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
	free(im->known);
	free(im->seen);
	free(im->seen_line);
}

static void seen_reset(struct importer *im)
{
	if (im->seen)
		memset(im->seen, 0, sizeof *im->seen * im->seen_cap);
	im->seen_n = 0;
}

/* Line of a previous occurrence of e-mail e in the file, or 0 (and e is
 * recorded for line `line`). */
static int seen_add(struct importer *im, const char *e, int line)
{
	if ((im->seen_n + 1) * 2 > im->seen_cap) {
		size_t cap = im->seen_cap ? im->seen_cap * 2 : 1024;
		const char **ns = calloc(cap, sizeof *ns);
		int *nl = calloc(cap, sizeof *nl);
		if (!ns || !nl)
			abort();
		for (size_t i = 0; i < im->seen_cap; i++) {
			if (!im->seen[i])
				continue;
			size_t h = 5381;
			for (const char *p = im->seen[i]; *p; p++)
				h = h * 33 + (unsigned char)*p;
			size_t j = h & (cap - 1);
			while (ns[j])
				j = (j + 1) & (cap - 1);
			ns[j] = im->seen[i];
			nl[j] = im->seen_line[i];
		}
		free(im->seen);
		free(im->seen_line);
		im->seen = ns;
		im->seen_line = nl;
		im->seen_cap = cap;
	}
	size_t h = 5381;
	for (const char *p = e; *p; p++)
		h = h * 33 + (unsigned char)*p;
	size_t j = h & (im->seen_cap - 1);
	while (im->seen[j]) {
		if (strcmp(im->seen[j], e) == 0)
			return im->seen_line[j];
		j = (j + 1) & (im->seen_cap - 1);
	}
	im->seen[j] = arena_strdup(im->a, e);
	im->seen_line[j] = line;
	im->seen_n++;
	return 0;
}

/* Maps the header line to columns; rep->file_error when refused. */
static int map_header(struct importer *im, const struct csv_record *h)
{
	int have[NCOLS] = {0};
	arena *a = im->a;
	buf unknown = BUF_INIT;
	im->ncol_file = h->nfields;
	for (int i = 0; i < h->nfields; i++) {
		const char *k = key_fold(a, h->fields[i]);
		im->colmap[i] = -1;
		if (!*k)
			continue;
		int found = -1;
		for (int c = 0; c < NCOLS && found < 0; c++)
			if (strcmp(k, key_fold(a, columns[c].label)) == 0 || alias_has(columns[c].aliases, k))
				found = c;
		int ignored = 0;
		for (int c = 0; ignored_columns[c]; c++)
			ignored |= strcmp(k, ignored_columns[c]) == 0;
		if (found < 0 && !ignored) {
			buf_printf(&unknown, "%s« %s »", unknown.len ? ", " : "", h->fields[i]);
			continue;
		}
		if (found >= 0 && have[found]) {
			im->rep->file_error = arena_printf(a, "La colonne « %s » figure deux fois dans la première ligne.",
							   columns[found].label);
			buf_free(&unknown);
			return CLR_EINVAL;
		}
		if (found >= 0)
			have[found] = 1;
		im->colmap[i] = found;
	}
	buf missing = BUF_INIT;
	for (int c = 0; c < NCOLS; c++)
		if (columns[c].required && !have[c])
			buf_printf(&missing, "%s« %s »", missing.len ? ", " : "", columns[c].label);
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

static const char *label_of(const char *field)
{
	for (int c = 0; c < NCOLS; c++)
		if (strcmp(columns[c].field, field) == 0)
			return columns[c].label;
	return NULL;
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
		const struct column *col = &columns[c];
		if (col->choices && *v) {
			const char *code = map_choice(im, col->choices, v);
			if (!code) {
				buf b = BUF_INIT;
				for (const struct code_label *t = col->choices; t->code; t++)
					buf_printf(&b, "%s%s", t == col->choices ? "" : ", ", t->label);
				errs_add(e, col->field, arena_printf(s, "valeur « %s » inconnue (valeurs possibles : %s).", v, b.data));
				buf_free(&b);
				continue;
			}
			v = code;
		} else if ((col->off == offsetof(struct candidate_input, birth_country) ||
			    col->off == offsetof(struct candidate_input, country)) && *v) {
			const char *code = map_country(im, v);
			if (!code) {
				errs_add(e, col->field, arena_printf(s, "pays « %s » inconnu.", v));
				continue;
			}
			v = code;
		}
		*(const char **)((char *)in + col->off) = v;
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
	int rc = candidate_validate_all_with(im->d, s, im->org_id, im->known ? known_taken : NULL, im, in, e);
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
		if (c >= 0 && columns[c].off == offsetof(struct candidate_input, last_name))
			last = r->fields[i];
		else if (c >= 0 && columns[c].off == offsetof(struct candidate_input, first_name))
			first = r->fields[i];
		else if (c >= 0 && columns[c].off == offsetof(struct candidate_input, email))
			email = r->fields[i];
	}
	l->name = utf8_valid(last, strlen(last)) && utf8_valid(first, strlen(first))
			  ? candidate_display_name(a, last, first)
			  : "";
	l->email = email;
	l->nerr = e->n;
	l->errors = arena_alloc(a, sizeof *l->errors * (size_t)(e->n + 1));
	for (int i = 0; i < e->n; i++) {
		const char *lab = label_of(e->e[i].field);
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

/* ------------------------------------------------------------ passwords */

static const char pw_alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

struct hasher {
	int n;
	char (*pw)[IMPORT_PASSWORD_LEN + 1];
	char (*hash)[PW_HASH_MAX];
	atomic_int next;
	atomic_int *ready; /* 1 done, -1 failed */
	atomic_int stop;
};

/* Hashes the next unclaimed password; 0 when none is left. */
static int hash_one(struct hasher *h)
{
	int i = atomic_fetch_add(&h->next, 1);
	if (i >= h->n || atomic_load(&h->stop))
		return 0;
	/* random high-entropy passwords: minimum argon2id limits (DECISIONS) */
	int rc = crypto_pwhash_str_alg(h->hash[i], h->pw[i], IMPORT_PASSWORD_LEN, crypto_pwhash_argon2id_OPSLIMIT_MIN,
				       crypto_pwhash_argon2id_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13);
	atomic_store(&h->ready[i], rc == 0 ? 1 : -1);
	return 1;
}

static void *hash_main(void *arg)
{
	struct hasher *h = arg;
	while (hash_one(h))
		;
	return NULL;
}

/* ------------------------------------------------------------ creation */

struct run_ctx {
	struct importer *im;
	const struct actor *who;
	const struct csv_table *t;
	int send;
	struct hasher *h;
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
	seen_reset(im);
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
	const int steps = CAND_STEP_BIT(CAND_STEP_IDENTITY) | CAND_STEP_BIT(CAND_STEP_PASSWORD) |
			  CAND_STEP_BIT(CAND_STEP_INFO) | CAND_STEP_BIT(CAND_STEP_CONTACT) | CAND_STEP_BIT(CAND_STEP_MISC);
	for (int i = 1; i < c->t->n; i++) {
		struct candidate_input *in = &batch[nb];
		struct errs e;
		const struct csv_record *r = &c->t->recs[i];
		rc = check_record(im, r, in, &e);
		if (rc < 0 && rc != CLR_EINVAL)
			break;
		if (rc == 0) {
			int k = i - 1;
			/* the inserting thread lends a hand rather than spinning
			 * while the workers are behind (2 cores: they share them) */
			while (atomic_load(&c->h->ready[k]) == 0)
				if (!hash_one(c->h))
					sched_yield(); /* row k is being hashed */
			if (atomic_load(&c->h->ready[k]) < 0) {
				rc = CLR_ESYS;
				break;
			}
			in->password = c->h->pw[k];
			in->password_confirm = in->password;
			in->password_hash = c->h->hash[k];
			in->send_credentials = c->send ? "oui" : "non";
			nb++;
			rep->nvalid++;
		} else {
			rep->ninvalid++;
		}
		report_line(im, r, &e);
		rc = 0;
		if (nb == c->batch || (i == c->t->n - 1 && nb)) {
			rc = candidate_create_batch(d, im->scratch, c->who, batch, nb, steps, CAND_TO_ASSIGN);
			if (rc < 0)
				break;
			rep->created += nb;
			nb = 0;
			arena_reset(im->scratch);
		}
	}
	if (rc < 0)
		return rc;
	long long made = candidate_batch_finish(d, im->a, c->who, steps, CAND_TO_ASSIGN);
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
	struct hasher h = {0};
	h.n = t.n - 1;
	h.pw = calloc((size_t)h.n, sizeof *h.pw);
	h.hash = calloc((size_t)h.n, sizeof *h.hash);
	h.ready = calloc((size_t)h.n, sizeof *h.ready);
	if (!h.pw || !h.hash || !h.ready)
		abort();
	for (int i = 0; i < h.n; i++) {
		unsigned char rnd[IMPORT_PASSWORD_LEN * 2];
		randombytes_buf(rnd, sizeof rnd);
		for (int k = 0; k < IMPORT_PASSWORD_LEN; k++) /* 55 symbols: bias < 0.4 % per character */
			h.pw[i][k] = pw_alphabet[((unsigned)rnd[2 * k] << 8 | rnd[2 * k + 1]) % (sizeof pw_alphabet - 1)];
		h.pw[i][IMPORT_PASSWORD_LEN] = 0;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
	if (nthreads > h.n)
		nthreads = h.n;
	pthread_t th[8];
	int started = 0;
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&th[started], NULL, hash_main, &h) == 0)
			started++;
	if (!started)
		hash_main(&h); /* no thread: hash everything here first */
	struct run_ctx c = {&im, who, &t, send, &h, token_hash, IMPORT_BATCH};
	/* one big transaction: give SQLite room to keep its dirty pages in
	 * memory instead of spilling them to the WAL as it goes */
	if (db_kind(d) == DB_SQLITE)
		db_exec(d, "PRAGMA cache_size = -262144", DB_NOP);
	rc = db_tx(d, run_tx, &c);
	if (db_kind(d) == DB_SQLITE)
		db_exec(d, "PRAGMA cache_size = -2000", DB_NOP);
	atomic_store(&h.stop, 1);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	sodium_memzero(h.pw, sizeof *h.pw * (size_t)h.n);
	free(h.pw);
	free(h.hash);
	free(h.ready);
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
	if (!token || strlen(token) != TOKEN_LEN)
		return CLR_ENOTFOUND;
	char th[TOKEN_HASH_LEN + 1];
	token_hash(token, th);
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

/* ------------------------------------------------------------ export */

static const char *const export_cols[EXPORT_NCOLS + 1] = {
	"Civilité", "Nom", "Nom de naissance", "Prénom", "Courriel", "Date de naissance", "Code postal de naissance",
	"Commune de naissance", "Pays de naissance", "Statut", "Financement", "Téléphone", "Adresse de résidence",
	"Code postal de résidence", "Commune de résidence", "Pays de résidence", "Niveau d'études",
	"Catégorie socio-professionnelle", "Langue maternelle française", "Statut du dossier", "Date de passage", NULL,
};

const char *const *export_header(void)
{
	return export_cols;
}

static const char *iso_fr(arena *a, const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return s ? s : "";
	return arena_printf(a, "%.2s/%.2s/%.4s", s + 8, s + 5, s);
}

static const char *lab(const struct code_label *t, const char *code)
{
	const char *l = code_label(t, code);
	return l ? l : code ? code : "";
}

int candidate_export(db *d, arena *a, long long org_id, const struct candidate_query *q,
		     int (*row)(void *ctx, const char *const *cells), void *ctx)
{
	struct country *cs;
	int nc, rc = place_countries(d, a, &cs, &nc);
	if (rc < 0)
		return rc;
	const char *params[CAND_FILTER_MAXP + 2];
	int np = 0;
	const char *where = candidate_filter(d, a, org_id, q, params, &np);
	const char *dir = q->desc ? "DESC" : "ASC";
	const char *order;
	switch (q->sort) {
	case CSORT_EMAIL:
		order = arena_printf(a, "c.email %s, c.id %s", dir, dir);
		break;
	case CSORT_STATUS:
		order = arena_printf(a,
				     "CASE c.status WHEN 'draft' THEN 1 WHEN 'to_assign' THEN 2 WHEN 'planned' THEN 3 "
				     "WHEN 'waiting' THEN 4 ELSE 5 END %s, c.sort_name %s, c.id %s",
				     dir, dir, dir);
		break;
	case CSORT_EXAM:
		order = arena_printf(a, "COALESCE(c.exam_date, '') %s, c.sort_name %s, c.id %s", dir, dir, dir);
		break;
	default:
		order = arena_printf(a, "c.sort_name %s, c.id %s", dir, dir);
	}
	const char *sql = arena_printf(
		a,
		"SELECT c.civility, c.last_name, c.birth_name, c.first_name, c.email, c.birth_date, c.birth_postal_code, "
		"c.birth_city, c.birth_country, c.employment, c.funding, c.phone, c.address, c.postal_code, c.city, "
		"c.country, c.education, c.csp, c.french_native, c.status, c.exam_date FROM candidates c%s ORDER BY %s "
		"LIMIT 2000 OFFSET CAST($%d AS BIGINT)",
		where, order, np + 1);
	arena *page = arena_new();
	for (long long off = 0;; off += 2000) {
		params[np] = db_int(page, off);
		db_rows r;
		rc = db_query(d, page, &r, sql, np + 1, params);
		if (rc < 0)
			break;
		for (int i = 0; i < r.nrows && rc >= 0; i++) {
			const char *cell[EXPORT_NCOLS];
			for (int k = 0; k < EXPORT_NCOLS; k++)
				cell[k] = db_cell(&r, i, k) ? db_cell(&r, i, k) : "";
			cell[0] = lab(cand_civilities, cell[0]);
			cell[5] = iso_fr(page, cell[5]);
			for (int k = 8; k <= 15; k += 7)
				for (int j = 0; j < nc; j++)
					if (strcmp(cs[j].code, cell[k]) == 0)
						cell[k] = cs[j].name;
			cell[9] = lab(cand_employments, cell[9]);
			cell[10] = lab(cand_fundings, cell[10]);
			cell[16] = lab(cand_educations, cell[16]);
			cell[17] = lab(cand_csps, cell[17]);
			cell[18] = lab(cand_yes_no, cell[18]);
			const struct cand_status *st = cand_status_find(cell[19]);
			cell[19] = st ? st->label : cell[19];
			cell[20] = iso_fr(page, cell[20]);
			rc = row(ctx, cell);
		}
		if (rc < 0 || r.nrows < 2000)
			break;
		arena_reset(page);
		params[np] = NULL;
	}
	arena_free(page);
	return rc < 0 ? rc : 0;
}
