/* result.c - a result from the exam platform or a CSV file (see result.h):
 * the certification found by activation code or id on the whole platform,
 * each refusal with its reason and French message, then
 * certification_record_result() as the certification's organisation, under
 * the certification's row lock. */
#include "domain/result.h"
#include "domain/activation.h"
#include "domain/certification.h"
#include "core/err.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The certification a result names, as read. */
struct target {
	long long id, org_id;
	const char *state, *exam_date;
	int score; /* -1: none */
};

static int refuse(arena *a, struct result_out *out, int rc, const char *reason, const char *msg)
{
	char *typo = fr_typography(msg); /* no-break spaces before : ; ! ? and inside « » */
	out->reason = reason;
	out->message = typo ? arena_strdup(a, typo) : msg;
	free(typo);
	return rc;
}

/* "YYYY-MM-DD" + days, into out[32]. */
static void add_days(const char *iso, int days, char out[32])
{
	int y, m, d;
	out[0] = 0;
	if (!date_parse(iso, &y, &m, &d))
		return;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + days, .tm_hour = 12};
	time_t t = mktime(&tm);
	localtime_r(&t, &tm);
	snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int read_target(db *d, arena *a, long long id, int lock, struct target *t)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  lock ? "SELECT id, org_id, state, exam_date, score FROM certifications WHERE id = $1 FOR UPDATE"
			       : "SELECT id, org_id, state, exam_date, score FROM certifications WHERE id = $1",
			  DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	*t = (struct target){db_ll(&r, 0, 0), db_ll(&r, 0, 1), db_cell(&r, 0, 2), db_cell(&r, 0, 3),
			     db_cell(&r, 0, 4) ? (int)db_ll(&r, 0, 4) : -1};
	return 0;
}

/* Finds the certification of in and applies every rule; t filled when
 * found.  0 (new, or out->unchanged), or a refusal (out->reason). */
static int judge(db *d, arena *a, const struct result_in *in, int lock, struct target *t, struct result_out *out)
{
	const char *today = date_today_iso(a);
	int rc;
	out->unchanged = 0;
	out->reason = out->message = NULL;
	if (in->taken_at && strcmp(in->taken_at, today) > 0)
		return refuse(a, out, CLR_EINVAL, "date_invalide", "La date de passage (taken_at) ne peut être dans le futur.");
	if (in->code) {
		struct code_info ci;
		if ((rc = activation_find(d, a, in->code, &ci)) < 0)
			return rc;
		if (ci.state == CODE_UNKNOWN)
			return refuse(a, out, CLR_EINVAL, "code_inconnu",
				      "Ce code d'activation n'existe pas : vérifiez-le (12 caractères, par exemple ABCD-EFGH-JKMN).");
		if ((rc = read_target(d, a, ci.certification_id, lock, t)) < 0)
			return rc;
		out->certification_id = t->id;
		out->org_id = t->org_id;
		if (str_eq(t->state, "cancelled"))
			return refuse(a, out, CLR_EINVAL, "certification_annulee",
				      "La certification de ce code d'activation a été annulée : elle ne peut pas recevoir de "
				      "résultat.");
		if (ci.state == CODE_REVOKED) {
			return refuse(a, out, CLR_EINVAL, "code_revoque",
				      "Ce code d'activation a été remplacé par un nouveau code : il ne fonctionne plus.");
		} else if (ci.state == CODE_NOT_YET) {
			return refuse(a, out, CLR_EINVAL, "code_pas_encore_valide",
				      arena_printf(a, "Ce code d'activation n'est valable qu'à partir du %s, jour de l'examen.",
						   date_iso_fr(a, t->exam_date)));
		} else if (ci.state == CODE_EXPIRED) {
			char last[32];
			add_days(t->exam_date, activation_days(), last);
			/* sat while the code worked, scored later: taken_at says so */
			if (!in->taken_at || strcmp(in->taken_at, t->exam_date) < 0 || strcmp(in->taken_at, last) > 0)
				return refuse(a, out, CLR_EINVAL, "code_expire",
					      arena_printf(a, "Ce code d'activation a expiré le %s (examen du %s, code valable %d "
							      "jours ensuite). Si l'examen a été passé avant, indiquez sa date "
							      "(taken_at).",
							   date_iso_fr(a, last), date_iso_fr(a, t->exam_date), activation_days()));
		}
	} else {
		if ((rc = read_target(d, a, in->certification_id, lock, t)) < 0) {
			if (rc == CLR_ENOTFOUND)
				refuse(a, out, rc, "certification_inconnue",
				       arena_printf(a, "Aucune certification n'a le numéro %lld.", in->certification_id));
			return rc;
		}
		out->certification_id = t->id;
		out->org_id = t->org_id;
		if (str_eq(t->state, "cancelled"))
			return refuse(a, out, CLR_EINVAL, "certification_annulee",
				      "Cette certification a été annulée : elle ne peut pas recevoir de résultat.");
	}
	if (str_eq(t->state, "taken")) { /* certification_record_result()'s order */
		if (t->score == in->score) {
			out->unchanged = 1;
			return 0;
		}
		out->previous_score = t->score;
		return refuse(a, out, CLR_ECONFLICT, "score_deja_enregistre",
			      arena_printf(a, "Cette certification a déjà un score (%d / 1000) : seul le service "
					      "Certification Le Robert peut le corriger.", t->score));
	}
	if (strcmp(t->exam_date, today) > 0)
		return refuse(a, out, CLR_EINVAL, "examen_a_venir",
			      arena_printf(a, "Cette certification est prévue le %s : son résultat ne peut arriver avant.",
					   date_iso_fr(a, t->exam_date)));
	if (in->taken_at && strcmp(in->taken_at, t->exam_date) < 0)
		return refuse(a, out, CLR_EINVAL, "date_invalide",
			      arena_printf(a, "La date de passage (%s) précède la date de l'examen (%s).",
					   date_iso_fr(a, in->taken_at), date_iso_fr(a, t->exam_date)));
	return 0;
}

int result_check(db *d, arena *a, const struct result_in *in, struct result_out *out)
{
	memset(out, 0, sizeof *out);
	struct target t;
	return judge(d, a, in, 0, &t, out);
}

struct record_ctx {
	arena *a;
	const struct actor *who;
	const struct result_in *in;
	struct result_out *out;
};

static int record_tx(db *d, void *vctx)
{
	struct record_ctx *c = vctx;
	arena *a = c->a;
	struct target t;
	/* PostgreSQL: the row lock first, so that a transaction recording the
	 * same result at this moment is waited for and its outcome read
	 * (READ COMMITTED: the locking read returns the row it committed) */
	int rc = judge(d, a, c->in, db_kind(d) == DB_PG, &t, c->out);
	if (rc < 0 || c->out->unchanged)
		return rc;
	struct actor as = {c->who->user_id, t.org_id, c->who->ip};
	struct errs e = {0};
	int unchanged = 0;
	rc = certification_record_result(d, a, &as, t.id,
					 &(struct cert_result){.score = c->in->score,
								       .duration_s = c->in->duration_s,
								       .taken_at = c->in->taken_at,
								       .source = c->in->source},
					 &e,
					 &unchanged);
	if (rc == CLR_ECONFLICT || rc == CLR_EINVAL) /* judge() agreed a moment ago: not expected */
		return refuse(a, c->out, rc, rc == CLR_ECONFLICT ? "score_deja_enregistre" : "resultat_refuse",
			      e.n ? e.e[0].msg : "Résultat refusé.");
	if (rc)
		return rc;
	c->out->unchanged = unchanged;
	if (unchanged)
		return 0;
	const char *detail = arena_printf(
		a, "Résultat reçu (%s%s) : %d / 1000%s%s%s", str_eq(c->in->source, "api") ? "API" : "fichier CSV",
		c->in->api_key_id ? arena_printf(a, ", clé d'API n° %lld", c->in->api_key_id) : "", c->in->score,
		c->in->duration_s > 0 ? arena_printf(a, ", durée %lld min", (c->in->duration_s + 59) / 60) : "",
		c->in->taken_at ? ", passé le " : "", c->in->taken_at ? date_iso_fr(a, c->in->taken_at) : "");
	rc = audit_log(d, a, &as, "result.receive", "certification", t.id, detail);
	return rc < 0 ? rc : 0;
}

int result_record(db *d, arena *a, const struct actor *who, const struct result_in *in, struct result_out *out)
{
	memset(out, 0, sizeof *out);
	if (!db_in_tx(d)) {
		/* a refusal or the same result again needs no write transaction:
		 * what was read is committed and stays so (a score changes only by
		 * staff correcting it).  SQLite would otherwise take its write
		 * lock for every resend (bench/results.sh, pass 3) */
		struct target t;
		int rc = judge(d, a, in, 0, &t, out);
		if (rc || out->unchanged)
			return rc;
	}
	struct record_ctx c = {a, who, in, out};
	return db_tx(d, record_tx, &c);
}
