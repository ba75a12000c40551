/* results_import.c - results from a CSV file (see results_import.h): the
 * columns found by their folded label, each line parsed, checked against
 * the file's other lines and judged by result.c (the API's rules), the
 * report, and the confirmation that records every valid line in one
 * transaction.  A scratch arena per line keeps 20 000 lines in bounded
 * memory. */
#include "domain/results_import.h"
#include "domain/candidate.h"
#include "domain/result.h"
#include "core/err.h"
#include "core/strmap.h"
#include "core/text.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum col { COL_CODE, COL_CERT, COL_SCORE, COL_DURATION, COL_TAKEN, NCOLS };

/* Column labels (as the template writes them) and the folded keys that
 * name them. */
static const struct {
	const char *label;
	const char *keys; /* '|'-separated, folded: letters and digits only */
} columns[NCOLS] = {
	[COL_CODE] = {"Code d'activation", "codedactivation|codeactivation|code"},
	[COL_CERT] = {"Certification", "certification|numerodecertification|reference|referencedelacertification"},
	[COL_SCORE] = {"Score", "score|scoresur1000"},
	[COL_DURATION] = {"Durée (minutes)", "dureeminutes|duree|dureeenminutes"},
	[COL_TAKEN] = {"Date de passage", "datedepassage|passele|datedelexamenpasse|date"},
};

/* text_fold() with only letters and digits kept: "Durée (minutes)" -> "dureeminutes". */
static const char *key_fold(arena *a, const char *s)
{
	char *f = text_fold(a, s), *o = f;
	for (const char *p = f; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			*o++ = *p;
	*o = 0;
	return f;
}

/* A message of ours with French typography (no-break spaces before : ; ! ?
 * and inside « »): the report shows it as a value, which templates leave
 * as it is.  fr_typography() is idempotent. */
static const char *typo(arena *a, const char *msg)
{
	char *t = fr_typography(msg);
	const char *out = t ? arena_strdup(a, t) : arena_strdup(a, msg);
	free(t);
	return out;
}

static int names(const char *keys, const char *k)
{
	size_t kl = strlen(k);
	for (const char *p = keys; *p;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == kl && strncmp(p, k, l) == 0)
			return 1;
		p += l + (e ? 1 : 0);
	}
	return 0;
}

void results_template(buf *out)
{
	buf_adds(out, "\xEF\xBB\xBF");
	buf_adds(out, "Code d'activation;Score;Durée (minutes);Date de passage\r\n");
	buf_adds(out, "ABCD-EFGH-JKMN;745;98;\r\n");
	buf_adds(out, "PQRS-TUVW-XYZ2;812;;\r\n");
}

struct importer {
	db *d;
	arena *a;       /* the report */
	arena *scratch; /* one line */
	int col[NCOLS]; /* file column of each, -1 absent */
	int ncol_file;
	struct strmap seen; /* "c<id>" or "t<text>" -> line */
	struct results_report *rep;
	const struct actor *who; /* NULL: check only */
};

static int map_header(struct importer *im, const struct csv_record *h)
{
	arena *a = im->a;
	struct results_report *rep = im->rep;
	buf ignored = BUF_INIT;
	for (int c = 0; c < NCOLS; c++)
		im->col[c] = -1;
	im->ncol_file = h->nfields;
	for (int i = 0; i < h->nfields; i++) {
		const char *k = key_fold(a, h->fields[i]);
		int found = -1;
		for (int c = 0; c < NCOLS && found < 0; c++)
			if (*k && names(columns[c].keys, k))
				found = c;
		if (found < 0) {
			if (*h->fields[i])
				buf_printf(&ignored, "%s« %s »", ignored.len ? ", " : "", h->fields[i]);
			continue;
		}
		if (im->col[found] >= 0) {
			rep->file_error = arena_printf(a, "La colonne « %s » figure deux fois dans la première ligne.",
						       columns[found].label);
			buf_free(&ignored);
			return CLR_EINVAL;
		}
		im->col[found] = i;
	}
	if (ignored.len)
		rep->ignored = arena_strdup(a, ignored.data);
	buf_free(&ignored);
	const char *missing = NULL;
	if (im->col[COL_CODE] < 0 && im->col[COL_CERT] < 0)
		missing = "« Code d'activation » (ou « Certification »)";
	if (im->col[COL_SCORE] < 0)
		missing = missing ? arena_printf(a, "%s et « Score »", missing) : "« Score »";
	if (missing) {
		rep->file_error = arena_printf(a, "La première ligne du fichier doit donner les noms des colonnes du "
						  "modèle. Colonne%s manquante%s : %s.",
					       strstr(missing, " et ") ? "s" : "", strstr(missing, " et ") ? "s" : "", missing);
		return CLR_EINVAL;
	}
	return 0;
}

static int parse_file(struct importer *im, const char *text, size_t n, struct csv_table *t)
{
	struct results_report *rep = im->rep;
	if (csv_read(im->a, text, n, 0, RESULTS_IMPORT_MAX_LINES + 1, t)) {
		rep->file_error = typo(im->a, t->error);
		return CLR_EINVAL;
	}
	rep->sep = t->sep;
	if (t->n < 1) {
		rep->file_error = "Le fichier est vide.";
		return CLR_EINVAL;
	}
	if (map_header(im, &t->recs[0])) {
		rep->file_error = typo(im->a, rep->file_error);
		return CLR_EINVAL;
	}
	if (t->n < 2) {
		rep->file_error = "Le fichier ne contient aucun résultat (seulement la ligne d'en-tête).";
		return CLR_EINVAL;
	}
	rep->nlines = t->n - 1;
	rep->lines = arena_alloc(im->a, sizeof *rep->lines * (size_t)t->n);
	return 0;
}

static const char *field(const struct importer *im, const struct csv_record *r, enum col c)
{
	int i = im->col[c];
	return i >= 0 && i < r->nfields ? r->fields[i] : "";
}

/* A whole number written with digits only (spaces around allowed): 0..max,
 * else -1. */
static long long number(const char *s, long long max)
{
	while (*s == ' ')
		s++;
	long long v = 0;
	int digits = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
		digits++;
	}
	while (*s == ' ')
		s++;
	return digits && !*s ? v : -1;
}

/* « 123 » or « CLR-2026-000123 »: the certification's id, or 0. */
static long long cert_id(const char *s)
{
	const char *p = s;
	if ((p[0] == 'C' || p[0] == 'c') && (p[1] == 'L' || p[1] == 'l') && (p[2] == 'R' || p[2] == 'r') && p[3] == '-') {
		p = strrchr(s, '-') + 1;
		if (p - s != 9) /* CLR-YYYY- */
			return 0;
	}
	long long v = number(p, 999999999999LL);
	return v > 0 ? v : 0;
}

/* One line: parsed, checked against the file's earlier lines and judged
 * (and, when im->who, recorded).  Fills l; a storage error is returned. */
static int do_line(struct importer *im, const struct csv_record *r, struct results_line *l)
{
	arena *s = im->scratch;
	memset(l, 0, sizeof *l);
	l->line = r->line;
	l->kind = RL_ERROR;
	const char *code = str_trim(s, field(im, r, COL_CODE), 1), *cert = str_trim(s, field(im, r, COL_CERT), 1);
	const char *score = str_trim(s, field(im, r, COL_SCORE), 1), *dur = str_trim(s, field(im, r, COL_DURATION), 1);
	const char *taken = str_trim(s, field(im, r, COL_TAKEN), 1);
	char taken_iso[11];
	l->ref = *code ? code : cert;
	l->score = score;
	for (int i = im->ncol_file; i < r->nfields; i++)
		if (*r->fields[i]) {
			l->error = "La ligne compte plus de colonnes que la première ligne.";
			return 0;
		}
	struct result_in in = {0};
	in.source = "csv";
	if (*code) {
		in.code = code;
	} else if (*cert) {
		if (!(in.certification_id = cert_id(cert))) {
			l->error = "Certification : indiquez son numéro (par exemple 123) ou sa référence (CLR-2026-000123).";
			return 0;
		}
	} else {
		l->error = im->col[COL_CODE] >= 0 ? "Code d'activation manquant." : "Certification manquante.";
		return 0;
	}
	long long sc = *score ? number(score, 1000) : -1;
	long long minutes = *dur ? number(dur, RESULT_DURATION_MAX / 60) : 0;
	if (!*score)
		l->error = "Score manquant : un nombre entier de 0 à 1000.";
	else if (sc < 0)
		l->error = arena_printf(s, "Score « %s » invalide : un nombre entier de 0 à 1000, sans décimales.", score);
	else if (minutes < 0)
		l->error = arena_printf(s, "Durée « %s » invalide : un nombre entier de minutes, de 0 à 1440.", dur);
	else if (*taken && !date_to_iso(taken, taken_iso))
		l->error = arena_printf(s, "Date de passage « %s » invalide : une date jj/mm/aaaa.", taken);
	if (l->error)
		return 0;
	in.score = (int)sc;
	in.duration_s = minutes * 60;
	in.taken_at = *taken ? taken_iso : NULL;
	struct result_out out;
	int rc = result_check(im->d, s, &in, &out);
	if (rc < 0 && rc != CLR_EINVAL && rc != CLR_ENOTFOUND && rc != CLR_ECONFLICT)
		return rc;
	l->certification_id = out.certification_id;
	if (*code && *cert && out.certification_id && cert_id(cert) != out.certification_id) {
		l->error = "Le code d'activation et la certification indiqués ne désignent pas la même certification.";
		return 0;
	}
	/* the same certification twice in the file: only its first line counts */
	const char *key = out.certification_id ? arena_printf(im->a, "c%lld", out.certification_id)
					       : arena_printf(im->a, "t%s", *code ? code : cert);
	void *old = NULL;
	int put = strmap_put(&im->seen, key, (void *)(intptr_t)r->line, &old);
	if (put < 0)
		return CLR_ESYS;
	if (put == 0) {
		l->error = arena_printf(s, "Cette certification figure déjà à la ligne %d du fichier.", (int)(intptr_t)old);
		return 0;
	}
	if (rc < 0) {
		l->error = out.message;
		return 0;
	}
	if (im->who) {
		rc = result_record(im->d, s, im->who, &in, &out);
		if (rc == CLR_EINVAL || rc == CLR_ENOTFOUND || rc == CLR_ECONFLICT) {
			l->error = out.message;
			return 0;
		}
		if (rc < 0)
			return rc;
	}
	l->kind = out.unchanged ? RL_UNCHANGED : RL_NEW;
	return 0;
}

/* Adds line l to the report (copied into the report's arena), with the
 * candidate and organisation it names. */
static int report_line(struct importer *im, const struct results_line *l)
{
	struct results_report *rep = im->rep;
	if (l->kind == RL_ERROR)
		rep->ninvalid++;
	else if (l->kind == RL_NEW)
		rep->nnew++;
	else
		rep->nunchanged++;
	if (l->kind != RL_ERROR && rep->nshown - rep->ninvalid >= RESULTS_IMPORT_SHOW_OK)
		return 0;
	arena *a = im->a;
	struct results_line *o = &rep->lines[rep->nshown++];
	*o = *l;
	o->ref = arena_strdup(a, l->ref ? l->ref : "");
	o->score = arena_strdup(a, l->score ? l->score : "");
	o->error = l->error ? typo(a, l->error) : NULL;
	o->candidate = o->org = "";
	if (l->certification_id) {
		db_rows r;
		int rc = db_query(im->d, im->scratch, &r,
				  "SELECT k.last_name, k.first_name, o.name FROM certifications c JOIN candidates k ON "
				  "k.id = c.candidate_id JOIN organisations o ON o.id = c.org_id WHERE c.id = $1",
				  DB_P(db_int(im->scratch, l->certification_id)));
		if (rc < 0)
			return rc;
		if (r.nrows) {
			o->candidate = candidate_display_name(a, db_cell(&r, 0, 0), db_cell(&r, 0, 1));
			o->org = arena_strdup(a, db_cell(&r, 0, 2));
		}
	}
	return 0;
}

static int run_lines(struct importer *im, const struct csv_table *t)
{
	struct results_report *rep = im->rep;
	rep->nnew = rep->nunchanged = rep->ninvalid = rep->nshown = 0;
	strmap_clear(&im->seen, NULL);
	int rc = 0;
	for (int i = 1; i < t->n && rc >= 0; i++) {
		struct results_line l;
		rc = do_line(im, &t->recs[i], &l);
		if (rc >= 0)
			rc = report_line(im, &l);
		arena_reset(im->scratch);
	}
	rep->recorded = im->who ? rep->nnew : 0;
	return rc < 0 ? rc : 0;
}

static void importer_init(struct importer *im, db *d, arena *a, const struct actor *who, struct results_report *rep)
{
	memset(im, 0, sizeof *im);
	memset(rep, 0, sizeof *rep);
	im->d = d;
	im->a = a;
	im->who = who;
	im->rep = rep;
	im->scratch = arena_new();
}

static void importer_free(struct importer *im)
{
	arena_free(im->scratch);
	strmap_clear(&im->seen, NULL);
}

int results_check(db *d, arena *a, const char *text, size_t n, struct results_report *rep)
{
	struct importer im;
	importer_init(&im, d, a, NULL, rep);
	struct csv_table t;
	int rc = 0;
	if (parse_file(&im, text, n, &t) == 0)
		rc = run_lines(&im, &t);
	importer_free(&im);
	return rc;
}

struct apply_ctx {
	struct importer *im;
	const struct csv_table *t;
	const char *token_hash; /* pending file to delete, or NULL */
};

static int apply_tx(db *d, void *vctx)
{
	struct apply_ctx *c = vctx;
	struct importer *im = c->im;
	int rc;
	if (c->token_hash) {
		rc = db_exec(d, "DELETE FROM result_imports WHERE token_hash = $1 AND user_id = $2",
			     DB_P(c->token_hash, db_int(im->a, im->who->user_id)));
		if (rc < 0)
			return rc;
		if (rc == 0)
			return CLR_ENOTFOUND; /* confirmed twice */
	}
	if ((rc = run_lines(im, c->t)) < 0)
		return rc;
	struct results_report *rep = im->rep;
	rc = audit_log(d, im->a, im->who, "results.import", "", 0,
		       arena_printf(im->a, "%d résultat(s) enregistré(s), %d déjà enregistré(s), %d ligne(s) refusée(s)",
				    rep->nnew, rep->nunchanged, rep->ninvalid));
	return rc < 0 ? rc : 0;
}

static int apply(db *d, arena *a, const struct actor *who, const char *text, size_t n, const char *token_hash,
		 struct results_report *rep)
{
	struct importer im;
	importer_init(&im, d, a, who, rep);
	struct csv_table t;
	int rc = 0;
	if (parse_file(&im, text, n, &t) == 0) {
		struct apply_ctx c = {&im, &t, token_hash};
		rc = db_tx(d, apply_tx, &c);
		if (rc)
			rep->recorded = 0;
	}
	importer_free(&im);
	return rc;
}

int results_apply(db *d, arena *a, const struct actor *who, const char *text, size_t n, struct results_report *rep)
{
	return apply(d, a, who, text, n, NULL, rep);
}

int results_store(db *d, arena *a, const struct actor *who, const char *filename, const char *text,
		  char token_out[TOKEN_LEN + 1])
{
	char th[TOKEN_HASH_LEN + 1];
	token_new(token_out);
	token_hash(token_out, th);
	long long now = now_s();
	int rc = db_exec(d, "DELETE FROM result_imports WHERE expires_at < $1", DB_P(db_int(a, now)));
	if (rc < 0)
		return rc;
	rc = db_exec(d,
		     "INSERT INTO result_imports (token_hash, user_id, filename, data, created_at, expires_at) "
		     "VALUES ($1, $2, $3, $4, $5, $6)",
		     DB_P(th, db_int(a, who->user_id), filename ? filename : "", text, db_int(a, now),
			  db_int(a, now + RESULTS_IMPORT_TTL)));
	return rc < 0 ? rc : 0;
}

int results_load(db *d, arena *a, const struct actor *who, const char *token, const char **filename, const char **text)
{
	char th[TOKEN_HASH_LEN + 1];
	if (token_hash_sent(token, th))
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT filename, data FROM result_imports WHERE token_hash = $1 AND user_id = $2 AND expires_at >= $3",
			  DB_P(th, db_int(a, who->user_id), db_int(a, now_s())));
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

int results_confirm(db *d, arena *a, const struct actor *who, const char *token, struct results_report *rep)
{
	const char *text;
	int rc = results_load(d, a, who, token, NULL, &text);
	if (rc) {
		memset(rep, 0, sizeof *rep);
		return rc;
	}
	char th[TOKEN_HASH_LEN + 1];
	token_hash(token, th);
	return apply(d, a, who, text, strlen(text), arena_strdup(a, th), rep);
}
