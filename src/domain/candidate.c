/* candidate.c - candidates: validation of the five steps (French messages,
 * birthplace checked against La Poste's postal codes), storage with audit
 * and credentials e-mail in the same transaction, list with folded
 * substring search (FTS5 trigram on SQLite, pg_trgm on PostgreSQL). */
#include "domain/candidate.h"
#include "domain/cand_index.h"
#include "domain/outbox.h"
#include "domain/place.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicase.h>

const struct code_label cand_civilities[] = {
	{"madame", "Madame"}, {"monsieur", "Monsieur"}, {NULL, NULL},
};
const struct code_label cand_employments[] = {
	{"salarie", "Salarié"}, {"demandeur_emploi", "Demandeur d'emploi"}, {"etudiant", "Étudiant"},
	{"independant", "Indépendant"}, {"agent_public", "Agent public"}, {"autre", "Autre"}, {NULL, NULL},
};
const struct code_label cand_fundings[] = {
	{"cpf", "Compte personnel de formation (CPF)"}, {"employeur", "Employeur"}, {"opco", "OPCO"},
	{"france_travail", "France Travail"}, {"personnel", "Personnel"}, {"autre", "Autre"}, {NULL, NULL},
};
const struct code_label cand_educations[] = {
	{"sans", "Sans diplôme"}, {"brevet", "Brevet des collèges"}, {"cap_bep", "CAP, BEP"},
	{"bac", "Baccalauréat"}, {"bac2", "Bac + 2 (BTS, DUT, DEUST)"}, {"bac3", "Bac + 3 (licence, BUT)"},
	{"bac5", "Bac + 5 (master, diplôme d'ingénieur)"}, {"doctorat", "Doctorat"}, {NULL, NULL},
};
/* INSEE, nomenclature PCS 2020, groupes socioprofessionnels. */
const struct code_label cand_csps[] = {
	{"1", "Agriculteurs exploitants"},
	{"2", "Artisans, commerçants et chefs d'entreprise"},
	{"3", "Cadres et professions intellectuelles supérieures"},
	{"4", "Professions intermédiaires"},
	{"5", "Employés"},
	{"6", "Ouvriers"},
	{"7", "Retraités"},
	{"8", "Autres personnes sans activité professionnelle"},
	{NULL, NULL},
};
const struct code_label cand_yes_no[] = {{"oui", "Oui"}, {"non", "Non"}, {NULL, NULL}};

const struct cand_status cand_statuses[] = {
	{CAND_DRAFT, "En création", "draft", "#8a8f98"},
	{CAND_TO_ASSIGN, "À attribuer", "to-assign", "#1a5fb4"},
	{CAND_PLANNED, "Prévue", "planned", "#b25e00"},
	{CAND_WAITING, "En attente", "waiting", "#7b3fa0"},
	{CAND_DONE, "Passée", "done", "#1e7b34"},
	{NULL, NULL, NULL, NULL},
};

const char *code_label(const struct code_label *t, const char *code)
{
	for (; code && t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->label;
	return NULL;
}

const struct cand_status *cand_status_find(const char *code)
{
	for (const struct cand_status *s = cand_statuses; code && s->code; s++)
		if (s->code == code) /* the index's rows point at s->code */
			return s;
	for (const struct cand_status *s = cand_statuses; code && s->code; s++)
		if (strcmp(s->code, code) == 0)
			return s;
	return NULL;
}

/* ------------------------------------------------------------ helpers */

static char *upper(arena *a, const char *s)
{
	size_t n = 0, len = strlen(s);
	while (n < len && !(s[n] & 0x80))
		n++;
	if (n == len) { /* ASCII (most names): no libunistring call, no malloc;
			 * 6.5 % of the list page's CPU (docs/PERFORMANCE.md, change 7) */
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
	 * list page (docs/PERFORMANCE.md, run 5) */
	const char *u = upper(a, last ? last : "");
	if (!first)
		first = "";
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

/* Trimmed, whitespace-collapsed copy; "" for NULL; invalid UTF-8 -> NULL. */
static const char *clean(arena *a, const char *s)
{
	if (!s)
		return "";
	if (!utf8_valid(s, strlen(s)))
		return NULL;
	char *t = str_trim(a, s, 1);
	for (char *p = t; *p; p++)
		if (*p == '\t' || *p == '\r' || *p == '\n')
			*p = ' ';
	return t;
}

/* A person's name: letters, spaces, hyphens, apostrophes. */
static const char *check_person_name(arena *a, const char *field, const char *in, int required, const char *what,
				     struct errs *e)
{
	const char *s = clean(a, in);
	if (!s) {
		errs_add(e, field, "Caractères invalides.");
		return "";
	}
	/* normalise the typographic apostrophe and runs of hyphens/spaces */
	if (!*s) {
		if (required)
			errs_add(e, field, arena_printf(a, "Veuillez indiquer %s.", what));
	} else if (utf8_len(s) > CAND_NAME_MAX) {
		errs_add(e, field, "Ce champ ne peut dépasser 100 caractères.");
	} else if (!place_valid_name(s)) {
		errs_add(e, field, "Seuls les lettres, espaces, traits d'union et apostrophes sont acceptés.");
	}
	return s;
}

static const char *check_choice(arena *a, const char *field, const char *in, const struct code_label *t, int required,
				const char *msg_missing, struct errs *e)
{
	const char *s = clean(a, in);
	if (!s || !*s) {
		if (required)
			errs_add(e, field, msg_missing);
		return "";
	}
	if (!code_label(t, s)) {
		errs_add(e, field, "Valeur invalide : choisissez dans la liste.");
		return "";
	}
	return s;
}

/* ------------------------------------------------------------ validation */

/* taken(ctx, email), when given, answers the uniqueness of the e-mail
 * (the bulk import's set of the organisation's e-mails) instead of a query. */
static int validate_identity(db *d, arena *a, long long org_id, long long self_id,
			     int (*taken)(void *ctx, const char *email), void *ctx, struct candidate_input *in,
			     struct errs *e)
{
	int n0 = e->n, dberr = 0;
	in->civility = check_choice(a, "civility", in->civility, cand_civilities, 1, "Veuillez choisir la civilité.", e);
	in->last_name = check_person_name(a, "last_name", in->last_name, 1, "le nom", e);
	in->birth_name = check_person_name(a, "birth_name", in->birth_name, 0, "le nom de naissance", e);
	in->first_name = check_person_name(a, "first_name", in->first_name, 1, "le prénom", e);

	const char *email = clean(a, in->email);
	email = email ? str_lower(a, email) : "";
	in->email = email;
	if (!*email)
		errs_add(e, "email", "Veuillez indiquer une adresse de courriel.");
	else if (!valid_email(email))
		errs_add(e, "email", "Adresse de courriel invalide.");

	const char *bd = clean(a, in->birth_date);
	int y, m, dd;
	if (!bd || !*bd) {
		errs_add(e, "birth_date", "Veuillez indiquer la date de naissance.");
	} else if (!date_parse(bd, &y, &m, &dd)) {
		errs_add(e, "birth_date", "Date invalide : utilisez le format jj/mm/aaaa.");
	} else {
		time_t now = now_s();
		struct tm tm;
		localtime_r(&now, &tm);
		int ty = tm.tm_year + 1900, tmo = tm.tm_mon + 1, td = tm.tm_mday;
		long today = ty * 10000L + tmo * 100 + td, born = y * 10000L + m * 100 + dd;
		if (y < 1900)
			errs_add(e, "birth_date", "La date de naissance doit être postérieure à 1900.");
		else if (born >= today)
			errs_add(e, "birth_date", "La date de naissance doit être dans le passé.");
		else if (born > today - CAND_MIN_AGE * 10000L)
			errs_add(e, "birth_date", "Le candidat doit avoir au moins 10 ans.");
		else
			in->birth_date = arena_printf(a, "%04d-%02d-%02d", y, m, dd);
	}

	const char *country = clean(a, in->birth_country);
	country = country ? country : "";
	in->birth_country = country;
	const char *cp = clean(a, in->birth_postal_code), *city = clean(a, in->birth_city);
	cp = cp ? cp : "";
	city = city ? city : "";
	in->birth_insee = "";
	if (!*country) {
		errs_add(e, "birth_country", "Veuillez choisir le pays de naissance.");
	} else if (!place_country_name(d, a, country)) {
		errs_add(e, "birth_country", "Pays inconnu : choisissez dans la liste.");
	} else if (place_is_france(country)) {
		place_check(d, a, "birth_postal_code", "birth_city", &cp, &city, &in->birth_insee, 1, e, &dberr);
	} else {
		cp = ""; /* not asked for people born abroad */
		if (!*city)
			errs_add(e, "birth_city", "Veuillez indiquer la ville de naissance.");
		else if (utf8_len(city) > CAND_NAME_MAX)
			errs_add(e, "birth_city", "Ce champ ne peut dépasser 100 caractères.");
	}
	in->birth_postal_code = cp;
	in->birth_city = city;
	if (dberr)
		return dberr;

	if (!errs_get(e, "email") && taken) {
		if (taken(ctx, email))
			errs_add(e, "email", "Un candidat de votre organisation utilise déjà cette adresse de courriel.");
	} else if (!errs_get(e, "email")) {
		db_rows rows;
		int rc = db_query(d, a, &rows,
				  "SELECT 1 FROM candidates WHERE org_id = $1 AND email = $2 AND id <> $3",
				  DB_P(db_int(a, org_id), email, db_int(a, self_id)));
		if (rc < 0)
			return rc;
		if (rows.nrows)
			errs_add(e, "email", "Un candidat de votre organisation utilise déjà cette adresse de courriel.");
	}
	return e->n > n0 ? CLR_EINVAL : 0;
}

int candidate_validate_identity(db *d, arena *a, long long org_id, long long self_id, struct candidate_input *in,
				struct errs *e)
{
	return validate_identity(d, a, org_id, self_id, NULL, NULL, in, e);
}

int candidate_validate_password(arena *a, struct candidate_input *in, int keep_password, struct errs *e)
{
	int n0 = e->n;
	const char *pw = in->password ? in->password : "";
	if (!utf8_valid(pw, strlen(pw)))
		pw = "\x01";
	if (!*pw && keep_password && str_empty(in->password_confirm)) {
		in->password = NULL; /* unchanged */
	} else if (!*pw) {
		errs_add(e, "password", "Veuillez choisir un mot de passe.");
	} else if (utf8_len(pw) < CAND_PASSWORD_MIN || pw[0] == '\x01') {
		errs_add(e, "password", "Le mot de passe doit contenir au minimum 6 caractères.");
	} else if (utf8_len(pw) > 200) {
		errs_add(e, "password", "Le mot de passe ne peut dépasser 200 caractères.");
	} else if (!str_eq(pw, in->password_confirm ? in->password_confirm : "")) {
		errs_add(e, "password_confirm", "Les deux mots de passe ne correspondent pas.");
	}
	in->send_credentials = check_choice(a, "send_credentials", in->send_credentials, cand_yes_no, 1,
					    "Indiquez si l'identifiant et le mot de passe doivent être envoyés par courriel.", e);
	return e->n > n0 ? CLR_EINVAL : 0;
}

int candidate_validate_info(arena *a, struct candidate_input *in, struct errs *e)
{
	int n0 = e->n;
	in->employment = check_choice(a, "employment", in->employment, cand_employments, 1, "Veuillez choisir le statut.", e);
	in->funding = check_choice(a, "funding", in->funding, cand_fundings, 1, "Veuillez choisir le financement.", e);
	return e->n > n0 ? CLR_EINVAL : 0;
}

int candidate_validate_contact(db *d, arena *a, struct candidate_input *in, struct errs *e)
{
	int n0 = e->n, dberr = 0;
	const char *phone = clean(a, in->phone), *addr = clean(a, in->address), *cp = clean(a, in->postal_code),
		   *city = clean(a, in->city), *country = clean(a, in->country);
	phone = phone ? phone : "";
	if (*phone && !valid_phone(phone))
		errs_add(e, "phone", "Numéro de téléphone invalide.");
	if (!addr)
		errs_add(e, "address", "Caractères invalides."), addr = "";
	else if (utf8_len(addr) > 200)
		errs_add(e, "address", "L'adresse ne peut dépasser 200 caractères.");
	cp = cp ? cp : "";
	city = city ? city : "";
	country = country ? country : "";
	if (*country && !place_country_name(d, a, country))
		errs_add(e, "country", "Pays inconnu : choisissez dans la liste.");
	else if (!*country && (*cp || *city))
		country = "FR"; /* a French address is the usual case */
	if (place_is_france(country) && (*cp || *city))
		place_check(d, a, "postal_code", "city", &cp, &city, NULL, 0, e, &dberr);
	else if (*city && !place_valid_name(city))
		errs_add(e, "city", "Seuls les lettres, espaces, traits d'union et apostrophes sont acceptés.");
	if (utf8_len(cp) > 12)
		errs_add(e, "postal_code", "Code postal invalide.");
	if (utf8_len(city) > CAND_NAME_MAX)
		errs_add(e, "city", "Ce champ ne peut dépasser 100 caractères.");
	in->phone = phone;
	in->address = addr;
	in->postal_code = cp;
	in->city = city;
	in->country = country;
	if (dberr)
		return dberr;
	return e->n > n0 ? CLR_EINVAL : 0;
}

int candidate_validate_misc(arena *a, struct candidate_input *in, struct errs *e)
{
	int n0 = e->n;
	in->education = check_choice(a, "education", in->education, cand_educations, 0, "", e);
	in->csp = check_choice(a, "csp", in->csp, cand_csps, 0, "", e);
	in->french_native = check_choice(a, "french_native", in->french_native, cand_yes_no, 0, "", e);
	return e->n > n0 ? CLR_EINVAL : 0;
}

int candidate_validate_step(db *d, arena *a, long long org_id, long long self_id, int step, int keep_password,
			    struct candidate_input *in, struct errs *e)
{
	switch (step) {
	case CAND_STEP_IDENTITY:
		return candidate_validate_identity(d, a, org_id, self_id, in, e);
	case CAND_STEP_PASSWORD:
		return candidate_validate_password(a, in, keep_password, e);
	case CAND_STEP_INFO:
		return candidate_validate_info(a, in, e);
	case CAND_STEP_CONTACT:
		return candidate_validate_contact(d, a, in, e);
	case CAND_STEP_MISC:
		return candidate_validate_misc(a, in, e);
	}
	return CLR_EINVAL;
}

int candidate_validate_all(db *d, arena *a, long long org_id, struct candidate_input *in, struct errs *e)
{
	return candidate_validate_all_with(d, a, org_id, NULL, NULL, in, e);
}

int candidate_validate_all_with(db *d, arena *a, long long org_id, int (*taken)(void *ctx, const char *email),
				void *ctx, struct candidate_input *in, struct errs *e)
{
	int n0 = e->n, rc;
	for (int s = 1; s <= CAND_NSTEPS; s++) {
		int keep = s == CAND_STEP_PASSWORD && in->password_hash;
		rc = s == CAND_STEP_IDENTITY ? validate_identity(d, a, org_id, 0, taken, ctx, in, e)
					     : candidate_validate_step(d, a, org_id, 0, s, keep, in, e);
		if (rc < 0 && rc != CLR_EINVAL)
			return rc;
	}
	return e->n > n0 ? CLR_EINVAL : 0;
}

/* ------------------------------------------------------------ storage */

static const char *s0(const char *s)
{
	return s ? s : "";
}

static const char *login_url(void)
{
	const char *u = getenv("CLR_CANDIDATE_URL");
	return u && *u ? u : "https://candidat.certification-lerobert.com";
}

/* The credentials e-mail, in the caller's transaction. */
static int enqueue_credentials(db *d, arena *a, long long org_id, const struct candidate_input *in, const char *password)
{
	view *v = view_new(a);
	view_set(v, "first_name", s0(in->first_name));
	view_set(v, "last_name", s0(in->last_name));
	view_set(v, "email", s0(in->email));
	view_set(v, "login_url", login_url());
	struct mail m = {0};
	m.org_id = org_id;
	m.kind = "candidate.credentials";
	m.to = in->email;
	m.to_name = arena_printf(a, "%s %s", s0(in->first_name), s0(in->last_name));
	m.subject = "Vos identifiants pour la Certification Le Robert";
	m.tmpl = "candidate_credentials";
	m.v = v;
	m.secret = password;
	struct errs e = {0};
	int rc = outbox_enqueue(d, a, &m, &e, NULL);
	return rc == CLR_EINVAL ? CLR_EINVAL : rc;
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
	const char *now = db_int(a, now_s());
	const char *p[] = {
		db_int(a, c->who->org_id), c->status, db_int(a, c->steps), s0(in->civility), s0(in->last_name),
		s0(in->birth_name), s0(in->first_name), s0(in->email), s0(in->birth_date), s0(in->birth_postal_code),
		s0(in->birth_city), s0(in->birth_insee), s0(in->birth_country), s0(c->hash),
		str_eq(in->send_credentials, "oui") ? "1" : "0", s0(in->employment), s0(in->funding), s0(in->phone),
		s0(in->address), s0(in->postal_code), s0(in->city), s0(in->country), s0(in->education), s0(in->csp),
		s0(in->french_native),
		candidate_search_text(a, s0(in->last_name), s0(in->first_name), s0(in->birth_name), s0(in->email)),
		sort_name(a, s0(in->last_name), s0(in->first_name)), now,
	};
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "INSERT INTO candidates (org_id, status, steps, civility, last_name, birth_name, first_name, email, "
			  "birth_date, birth_postal_code, birth_city, birth_insee, birth_country, password_hash, "
			  "send_credentials, employment, funding, phone, address, postal_code, city, country, education, csp, "
			  "french_native, search, sort_name, created_at, updated_at) VALUES ($1, $2, CAST($3 AS INTEGER), $4, "
			  "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, CAST($15 AS INTEGER), $16, $17, $18, $19, $20, $21, "
			  "$22, $23, $24, $25, $26, $27, $28, $28) RETURNING id",
			  (int)(sizeof p / sizeof *p), p);
	if (rc < 0)
		return rc;
	c->id = db_ll(&rows, 0, 0);
	rc = audit_log(d, a, c->who, "candidate.create", "candidate", c->id, s0(in->email));
	if (rc < 0)
		return rc;
	if (!str_empty(in->password) && str_eq(in->send_credentials, "oui"))
		rc = enqueue_credentials(d, a, c->who->org_id, in, in->password);
	return rc < 0 ? rc : 0;
}

int candidate_create(db *d, arena *a, const struct actor *who, const struct candidate_input *in, int steps,
		     const char *status, long long *id_out)
{
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
#define BATCH_COLS "civility, last_name, birth_name, first_name, email, birth_date, birth_postal_code, birth_city, " \
		   "birth_insee, birth_country, password_hash, send_credentials, employment, funding, phone, address, " \
		   "postal_code, city, country, education, csp, french_native, search, sort_name"

int candidate_batch_begin(db *d)
{
	if (!db_in_tx(d))
		return CLR_EINVAL;
	int rc = db_exec(d,
			 db_kind(d) == DB_PG
				 ? "CREATE TEMP TABLE IF NOT EXISTS candidate_import_rows (seq BIGINT GENERATED ALWAYS AS "
				   "IDENTITY, civility TEXT, last_name TEXT, birth_name TEXT, first_name TEXT, email TEXT, "
				   "birth_date TEXT, birth_postal_code TEXT, birth_city TEXT, birth_insee TEXT, birth_country "
				   "TEXT, password_hash TEXT, send_credentials INTEGER, employment TEXT, funding TEXT, phone "
				   "TEXT, address TEXT, postal_code TEXT, city TEXT, country TEXT, education TEXT, csp TEXT, "
				   "french_native TEXT, search TEXT, sort_name TEXT)"
				 : "CREATE TEMP TABLE IF NOT EXISTS candidate_import_rows (seq INTEGER PRIMARY KEY, civility, "
				   "last_name, birth_name, first_name, email, birth_date, birth_postal_code, birth_city, "
				   "birth_insee, birth_country, password_hash, send_credentials INTEGER, employment, funding, "
				   "phone, address, postal_code, city, country, education, csp, french_native, search, sort_name)",
			 DB_NOP);
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM candidate_import_rows", DB_NOP);
	return rc < 0 ? rc : 0;
}

int candidate_create_batch(db *d, arena *a, const struct actor *who, const struct candidate_input *in, int n,
			   int steps, const char *status)
{
	enum { NP = 24 };
	(void)steps;
	(void)status;
	if (n < 1 || n > CAND_BATCH_MAX || !db_in_tx(d))
		return CLR_EINVAL;
	const char **p = arena_alloc(a, sizeof *p * (size_t)(n * NP));
	/* the SQL text of a full batch is built once per thread */
	static _Thread_local char *full_sql;
	buf sql = BUF_INIT;
	int build = !(n == CAND_BATCH_MAX && full_sql);
	if (build)
		buf_adds(&sql, "INSERT INTO candidate_import_rows (" BATCH_COLS ") VALUES ");
	for (int i = 0; i < n; i++) {
		const struct candidate_input *x = &in[i];
		const char *row[NP] = {
			s0(x->civility), s0(x->last_name), s0(x->birth_name), s0(x->first_name),
			s0(x->email), s0(x->birth_date), s0(x->birth_postal_code), s0(x->birth_city), s0(x->birth_insee),
			s0(x->birth_country), s0(x->password_hash), str_eq(x->send_credentials, "oui") ? "1" : "0",
			s0(x->employment), s0(x->funding), s0(x->phone), s0(x->address), s0(x->postal_code), s0(x->city),
			s0(x->country), s0(x->education), s0(x->csp), s0(x->french_native),
			candidate_search_text(a, s0(x->last_name), s0(x->first_name), s0(x->birth_name), s0(x->email)),
			sort_name(a, s0(x->last_name), s0(x->first_name)),
		};
		memcpy(p + i * NP, row, sizeof row);
		if (!build)
			continue;
		/* parameters numbered in order: db/sqlite.c binds $k to index k */
		buf_adds(&sql, i ? ", (" : "(");
		for (int k = 1; k <= NP; k++)
			buf_printf(&sql, k == 12 ? ", CAST($%d AS INTEGER)" : k == 1 ? "$%d" : ", $%d", i * NP + k);
		buf_addc(&sql, ')');
	}
	if (build && n == CAND_BATCH_MAX) {
		full_sql = strdup(sql.data);
		if (!full_sql)
			abort();
	}
	int rc = db_exec(d, build ? sql.data : full_sql, n * NP, p);
	buf_free(&sql);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++)
		if (!str_empty(in[i].password) && str_eq(in[i].send_credentials, "oui") &&
		    (rc = enqueue_credentials(d, a, who->org_id, &in[i], in[i].password)) < 0)
			return rc;
	return 0;
}

long long candidate_batch_finish(db *d, arena *a, const struct actor *who, int steps, const char *status)
{
	const char *org = db_int(a, who->org_id), *now = db_int(a, now_s());
	int rc = db_exec(d,
			 "INSERT INTO candidates (org_id, status, steps, created_at, updated_at, " BATCH_COLS ") "
			 "SELECT CAST($1 AS BIGINT), $2, CAST($3 AS INTEGER), CAST($4 AS BIGINT), CAST($4 AS BIGINT), "
			 BATCH_COLS " FROM candidate_import_rows ORDER BY seq",
			 DB_P(org, status, db_int(a, steps), now));
	if (rc < 0)
		return rc;
	long long created = rc;
	rc = db_exec(d,
		     "INSERT INTO audit_log (at, org_id, actor_id, action, object_type, object_id, detail, ip) "
		     "SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT), 'candidate.create', 'candidate', "
		     "c.id, c.email, $4 FROM candidate_import_rows t JOIN candidates c ON c.org_id = CAST($2 AS BIGINT) "
		     "AND c.email = t.email ORDER BY t.seq",
		     DB_P(now, org, who->user_id ? db_int(a, who->user_id) : NULL, who->ip ? who->ip : ""));
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
	const char *org = db_int(a, c->who->org_id), *id = db_int(a, c->id), *now = db_int(a, now_s());
	int rc = 0;
	c->finished = 0;
	switch (c->step) {
	case CAND_STEP_IDENTITY:
		rc = db_exec(d,
			     "UPDATE candidates SET civility = $3, last_name = $4, birth_name = $5, first_name = $6, "
			     "email = $7, birth_date = $8, birth_postal_code = $9, birth_city = $10, birth_insee = $11, "
			     "birth_country = $12, search = $13, sort_name = $14, updated_at = $15 "
			     "WHERE id = $1 AND org_id = $2",
			     DB_P(id, org, in->civility, in->last_name, in->birth_name, in->first_name, in->email,
				  in->birth_date, in->birth_postal_code, in->birth_city, in->birth_insee, in->birth_country,
				  candidate_search_text(a, in->last_name, in->first_name, in->birth_name, in->email),
				  sort_name(a, in->last_name, in->first_name), now));
		break;
	case CAND_STEP_PASSWORD:
		if (c->hash)
			rc = db_exec(d,
				     "UPDATE candidates SET password_hash = $3, send_credentials = CAST($4 AS INTEGER), "
				     "updated_at = $5 WHERE id = $1 AND org_id = $2",
				     DB_P(id, org, c->hash, str_eq(in->send_credentials, "oui") ? "1" : "0", now));
		else
			rc = db_exec(d,
				     "UPDATE candidates SET send_credentials = CAST($3 AS INTEGER), updated_at = $4 "
				     "WHERE id = $1 AND org_id = $2",
				     DB_P(id, org, str_eq(in->send_credentials, "oui") ? "1" : "0", now));
		break;
	case CAND_STEP_INFO:
		rc = db_exec(d,
			     "UPDATE candidates SET employment = $3, funding = $4, updated_at = $5 WHERE id = $1 AND org_id = $2",
			     DB_P(id, org, in->employment, in->funding, now));
		break;
	case CAND_STEP_CONTACT:
		rc = db_exec(d,
			     "UPDATE candidates SET phone = $3, address = $4, postal_code = $5, city = $6, country = $7, "
			     "updated_at = $8 WHERE id = $1 AND org_id = $2",
			     DB_P(id, org, in->phone, in->address, in->postal_code, in->city, in->country, now));
		break;
	case CAND_STEP_MISC:
		rc = db_exec(d,
			     "UPDATE candidates SET education = $3, csp = $4, french_native = $5, updated_at = $6 "
			     "WHERE id = $1 AND org_id = $2",
			     DB_P(id, org, in->education, in->csp, in->french_native, now));
		break;
	}
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = db_exec(d, "UPDATE candidates SET steps = steps | CAST($3 AS INTEGER) WHERE id = $1 AND org_id = $2",
		     DB_P(id, org, db_int(a, CAND_STEP_BIT(c->step))));
	if (rc < 0)
		return rc;
	if (c->finish) {
		rc = db_exec(d,
			     "UPDATE candidates SET status = $3 WHERE id = $1 AND org_id = $2 AND status = $4 "
			     "AND (steps & 7) = 7",
			     DB_P(id, org, CAND_TO_ASSIGN, CAND_DRAFT));
		if (rc < 0)
			return rc;
		db_rows rows;
		rc = db_query(d, a, &rows, "SELECT steps FROM candidates WHERE id = $1", DB_P(id));
		if (rc < 0)
			return rc;
		c->finished = (db_ll(&rows, 0, 0) & CAND_REQUIRED_STEPS) == CAND_REQUIRED_STEPS;
		if (c->finished && (rc = audit_log(d, a, c->who, "candidate.finish", "candidate", c->id, "")) < 0)
			return rc;
	}
	static const char *const actions[] = {"", "candidate.identity", "candidate.password", "candidate.info",
					      "candidate.contact", "candidate.misc"};
	rc = audit_log(d, a, c->who, actions[c->step], "candidate", c->id, "");
	if (rc < 0)
		return rc;
	if (c->step == CAND_STEP_PASSWORD && c->hash && str_eq(in->send_credentials, "oui")) {
		/* the e-mail goes to the candidate's current address */
		db_rows rows;
		rc = db_query(d, a, &rows, "SELECT email, first_name, last_name FROM candidates WHERE id = $1", DB_P(id));
		if (rc < 0)
			return rc;
		struct candidate_input to = *in;
		to.email = db_cell(&rows, 0, 0);
		to.first_name = db_cell(&rows, 0, 1);
		to.last_name = db_cell(&rows, 0, 2);
		rc = enqueue_credentials(d, a, c->who->org_id, &to, in->password);
	}
	return rc < 0 ? rc : 0;
}

int candidate_save_step(db *d, arena *a, const struct actor *who, long long id, int step, struct candidate_input *in,
			int finish, struct errs *e, long long *id_out, int *finished)
{
	*finished = 0;
	*id_out = id;
	if (step < 1 || step > CAND_NSTEPS || (id == 0 && step != CAND_STEP_IDENTITY))
		return CLR_ENOTFOUND;
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
		if (rc == CLR_ECONFLICT) {
			errs_add(e, "email", "Un candidat de votre organisation utilise déjà cette adresse de courriel.");
			return CLR_EINVAL;
		}
		return rc;
	}
	char hash[PW_HASH_MAX];
	struct step_ctx c = {a, who, id, step, finish, 0, in, NULL};
	if (step == CAND_STEP_PASSWORD && !str_empty(in->password)) {
		if (pw_hash(in->password, hash))
			return CLR_ESYS;
		c.hash = hash;
	}
	rc = db_tx(d, step_tx, &c);
	if (rc == CLR_ECONFLICT) {
		errs_add(e, "email", "Un candidat de votre organisation utilise déjà cette adresse de courriel.");
		return CLR_EINVAL;
	}
	if (rc == 0)
		*finished = c.finished;
	return rc;
}

#define CAND_COLS                                                                                              \
	"id, org_id, status, steps, civility, last_name, birth_name, first_name, email, birth_date, "          \
	"birth_postal_code, birth_city, birth_insee, birth_country, password_hash, send_credentials, employment, " \
	"funding, phone, address, postal_code, city, country, education, csp, french_native, exam_date, "      \
	"created_at, updated_at"

int candidate_get(db *d, arena *a, long long org_id, long long id, struct candidate *out)
{
	memset(out, 0, sizeof *out);
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT " CAND_COLS " FROM candidates WHERE id = $1 AND org_id = $2",
			  DB_P(db_int(a, id), db_int(a, org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	int k = 0;
	out->id = db_ll(&r, 0, k++);
	out->org_id = db_ll(&r, 0, k++);
	out->status = db_cell(&r, 0, k++);
	out->steps = (int)db_ll(&r, 0, k++);
	const char **f[] = {&out->civility, &out->last_name, &out->birth_name, &out->first_name, &out->email,
			    &out->birth_date, &out->birth_postal_code, &out->birth_city, &out->birth_insee,
			    &out->birth_country};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		*f[i] = s0(db_cell(&r, 0, k++));
	out->has_password = !str_empty(db_cell(&r, 0, k++));
	out->send_credentials = (int)db_ll(&r, 0, k++);
	const char **g[] = {&out->employment, &out->funding, &out->phone, &out->address, &out->postal_code,
			    &out->city, &out->country, &out->education, &out->csp, &out->french_native};
	for (size_t i = 0; i < sizeof g / sizeof *g; i++)
		*g[i] = s0(db_cell(&r, 0, k++));
	out->exam_date = db_cell(&r, 0, k++);
	out->created_at = db_ll(&r, 0, k++);
	out->updated_at = db_ll(&r, 0, k++);
	return 0;
}

struct del_ctx {
	arena *a;
	const struct actor *who;
	long long id;
};

static int delete_tx(db *d, void *vctx)
{
	struct del_ctx *c = vctx;
	db_rows r;
	int rc = db_query(d, c->a, &r, "SELECT email FROM candidates WHERE id = $1 AND org_id = $2",
			  DB_P(db_int(c->a, c->id), db_int(c->a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	const char *email = db_cell(&r, 0, 0);
	rc = db_exec(d, "DELETE FROM candidates WHERE id = $1 AND org_id = $2",
		     DB_P(db_int(c->a, c->id), db_int(c->a, c->who->org_id)));
	if (rc < 0)
		return rc;
	rc = audit_log(d, c->a, c->who, "candidate.delete", "candidate", c->id, email);
	return rc < 0 ? rc : 0;
}

int candidate_delete(db *d, arena *a, const struct actor *who, long long id)
{
	struct del_ctx c = {a, who, id};
	return db_tx(d, delete_tx, &c);
}

/* ------------------------------------------------------------ list */

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

#define STATUS_ORDER                                                                                            \
	"CASE status WHEN 'draft' THEN 1 WHEN 'to_assign' THEN 2 WHEN 'planned' THEN 3 WHEN 'waiting' THEN 4 " \
	"ELSE 5 END"

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

/* The list from the organisation's in-memory index (cand_index.h) when it
 * is at the current list version: 0 done, 1 not available (then the SQL
 * path answers, and *ORG_TOTAL, read with the version, is the number of
 * the organisation's candidates), < 0 error. */
static int list_from_index(db *d, arena *a, long long org_id, const struct candidate_query *q, const char *folded,
			   int per, struct candidate_page *out, long long *org_total)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT COALESCE(SUM(n), 0), COALESCE(SUM(v), 0) FROM candidate_counts WHERE org_id = $1",
			  DB_P(db_int(a, org_id)));
	if (rc < 0)
		return rc;
	*org_total = db_ll(&r, 0, 0);
	struct cand_index *ix = cand_index_get(org_id, db_ll(&r, 0, 1), *org_total);
	if (!ix)
		return 1;
	int status = -1;
	for (int k = 0; k < CAND_NSTATUS && !str_empty(q->status); k++)
		if (str_eq(q->status, cand_statuses[k].code))
			status = k;
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

	const char *dir = q->desc ? "DESC" : "ASC";
	const char *order;
	switch (q->sort) {
	case CSORT_EMAIL:
		order = arena_printf(a, "c.email %s, c.id %s", dir, dir);
		break;
	case CSORT_STATUS:
		order = arena_printf(a, STATUS_ORDER " %s, c.sort_name %s, c.id %s", dir, dir, dir);
		break;
	case CSORT_EXAM:
		order = arena_printf(a, "COALESCE(c.exam_date, '') %s, c.sort_name %s, c.id %s", dir, dir, dir);
		break;
	default:
		order = arena_printf(a, "c.sort_name %s, c.id %s", dir, dir);
	}
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

int candidate_counts(db *d, arena *a, long long org_id, long long counts[CAND_NSTATUS], long long *total)
{
	memset(counts, 0, sizeof(long long) * CAND_NSTATUS);
	*total = 0;
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT status, COUNT(*) FROM candidates WHERE org_id = $1 GROUP BY status",
			  DB_P(db_int(a, org_id)));
	if (rc < 0)
		return rc;
	for (int i = 0; i < r.nrows; i++) {
		long long n = db_ll(&r, i, 1);
		*total += n;
		for (int k = 0; k < CAND_NSTATUS; k++)
			if (str_eq(cand_statuses[k].code, db_cell(&r, i, 0)))
				counts[k] = n;
	}
	return 0;
}

int candidate_mails(db *d, arena *a, long long org_id, const char *email, struct candidate_mail **out, int *n)
{
	*out = NULL;
	*n = 0;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT subject, status, created_at, sent_at FROM outbox WHERE org_id = $1 AND recipient = $2 "
			  "AND kind LIKE 'candidate.%' ORDER BY id DESC LIMIT 20",
			  DB_P(db_int(a, org_id), email));
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
