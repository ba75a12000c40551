/* certification.c - certifications as records (see certification.h):
 * assignment in batches (self-proctored sessions and La Poste slots), the
 * candidates' notices and convocations (.ics, PDF) through the outbox,
 * cancellation and changes of date, the candidate's status derived in the
 * same transaction, the lists and pages' data, and the sweep that turns
 * « Prévue » into « En attente » once the date has passed. */
#include "domain/certification.h"
#include "domain/cand_access.h"
#include "domain/activation.h"
#include "domain/centre.h"
#include "domain/org.h"
#include "domain/outbox.h"
#include "domain/stock.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/ics.h"
#include "core/text.h"
#include "mail/config.h"
#include "pdf/convocation.h"
#include <stdlib.h>
#include <string.h>

static const char *s0(const char *s)
{
	return s ? s : "";
}

const char *certification_state_label(const char *state)
{
	return str_eq(state, "planned") ? "Prévue" : str_eq(state, "cancelled") ? "Annulée"
					      : str_eq(state, "taken")  ? "Passée" : s0(state);
}

const char *certification_mode_label(const char *mode)
{
	return str_eq(mode, "laposte") ? "Centre d'examen La Poste" : "Surveillance par votre organisation";
}

const char *certification_reference(arena *a, long long id, long long assigned_at)
{
	const char *y = date_fmt(a, (time_t)assigned_at) + 6; /* jj/mm/aaaa */
	return arena_printf(a, "CLR-%s-%06lld", y, id);
}

/* « le 15/12/2026 à 09:30 » / « le 15/12/2026 » */
static const char *when_fr(arena *a, const char *date, const char *time)
{
	return str_empty(time) ? arena_printf(a, "le %s", date_iso_fr(a, date))
			       : arena_printf(a, "le %s à %s", date_iso_fr(a, date), time);
}

/* ------------------------------------------------------------ derived statuses */

/* Recomputes the status and « Date de passage » of the candidates selected
 * by `where` (a condition on candidates, numbering its parameters from $3;
 * params[2..] are its values).  $1 today, $2 now.  The number of
 * candidates, or negative. */
static int refresh(db *d, arena *a, const char *where, int n, const char **params)
{
	params[0] = date_today_iso(a);
	params[1] = db_int(a, now_s());
	const char *sql = arena_printf(
		a,
		"UPDATE candidates SET status = CASE WHEN status = 'draft' THEN 'draft' "
		"WHEN EXISTS (SELECT 1 FROM certifications x WHERE x.candidate_id = candidates.id AND x.state = 'planned' "
		"AND x.exam_date >= $1) THEN 'planned' "
		"WHEN EXISTS (SELECT 1 FROM certifications x WHERE x.candidate_id = candidates.id AND x.state = 'planned') "
		"THEN 'waiting' "
		"WHEN EXISTS (SELECT 1 FROM certifications x WHERE x.candidate_id = candidates.id AND x.state = 'taken') "
		"THEN 'done' ELSE 'to_assign' END, "
		"exam_date = COALESCE((SELECT MIN(x.exam_date) FROM certifications x WHERE x.candidate_id = candidates.id "
		"AND x.state = 'planned' AND x.exam_date >= $1), (SELECT MAX(x.exam_date) FROM certifications x "
		"WHERE x.candidate_id = candidates.id AND x.state IN ('planned', 'taken'))), "
		"score = (SELECT x.score FROM certifications x WHERE x.candidate_id = candidates.id AND x.state = 'taken' "
		"ORDER BY x.result_at DESC, x.id DESC LIMIT 1), updated_at = CAST($2 AS BIGINT) "
		"WHERE %s",
		where);
	return db_exec(d, sql, n, params);
}

/* The candidates of certification ids in `cert_where` (a condition on
 * certifications x with $3 = org, $4 = value). */
static int refresh_of(db *d, arena *a, long long org_id, const char *cert_where, const char *value)
{
	const char *params[4] = {NULL, NULL, db_int(a, org_id), value};
	return refresh(d, a,
		       arena_printf(a, "org_id = CAST($3 AS BIGINT) AND id IN (SELECT x.candidate_id FROM certifications x "
				       "WHERE x.org_id = CAST($3 AS BIGINT) AND %s)", cert_where),
		       4, params);
}

struct sweep_ctx {
	arena *a;
	long long changed;
};

static int sweep_tx(db *d, void *vctx)
{
	struct sweep_ctx *c = vctx;
	const char *params[2];
	/* those still « Prévue » whose planned certifications are all past */
	int rc = refresh(d, c->a,
			 "status = 'planned' AND id IN (SELECT x.candidate_id FROM certifications x WHERE x.state = 'planned' "
			 "AND x.exam_date < $1) AND NOT EXISTS (SELECT 1 FROM certifications y WHERE y.candidate_id = "
			 "candidates.id AND y.state = 'planned' AND y.exam_date >= $1)",
			 2, params);
	if (rc < 0)
		return rc;
	c->changed = rc;
	return 0;
}

int certification_sweep(db *d, arena *a, long long *changed)
{
	struct sweep_ctx c = {a, 0};
	int rc = db_tx(d, sweep_tx, &c);
	if (changed)
		*changed = rc == 0 ? c.changed : 0;
	return rc;
}

/* ------------------------------------------------------------ notices */

/* A certification as its candidate's e-mail needs it. */
struct notice_row {
	long long id, assigned_at;
	int sequence;
	const char *mode, *date, *time, *email, *civility, *first, *last, *birth, *place, *product;
	const char *centre, *address, *postal_code, *city;
	long long candidate_id;
	const char *password_by; /* who chose the candidate's password: '', 'admin', 'candidate' */
};

#define NOTICE_COLS                                                                                               \
	"c.id, c.assigned_at, c.sequence, c.mode, c.exam_date, c.exam_time, k.email, k.civility, k.first_name, " \
	"k.last_name, k.birth_date, COALESCE(s.place, ''), p.type_label, COALESCE(lc.name, ''), "              \
	"COALESCE(lc.address, ''), COALESCE(lc.postal_code, ''), COALESCE(lc.city, ''), k.id, k.password_by " \
	"FROM certifications c JOIN candidates k ON k.id = c.candidate_id JOIN products p ON p.id = c.product_id " \
	"LEFT JOIN exam_sessions s ON s.id = c.session_id LEFT JOIN laposte_slots ls ON ls.id = c.slot_id "       \
	"LEFT JOIN laposte_centres lc ON lc.id = ls.centre_id "

static void notice_row_read(const db_rows *r, int i, struct notice_row *n)
{
	n->id = db_ll(r, i, 0);
	n->assigned_at = db_ll(r, i, 1);
	n->sequence = (int)db_ll(r, i, 2);
	const char **f[] = {&n->mode, &n->date, &n->time, &n->email, &n->civility, &n->first, &n->last, &n->birth,
			    &n->place, &n->product, &n->centre, &n->address, &n->postal_code, &n->city};
	for (size_t k = 0; k < sizeof f / sizeof *f; k++)
		*f[k] = s0(db_cell(r, i, 3 + (int)k));
	n->candidate_id = db_ll(r, i, 17);
	n->password_by = s0(db_cell(r, i, 18));
}

enum notice_kind { NOTICE_NONE, NOTICE_ASSIGNED, NOTICE_MOVED, NOTICE_CANCELLED, NOTICE_RESULT };

struct notifier {
	arena *a;
	long long org_id;
	const char *org_name;
	char from_name[256], from_addr[256];
};

static int notifier_init(db *d, arena *a, long long org_id, struct notifier *nf)
{
	memset(nf, 0, sizeof *nf);
	nf->a = a;
	nf->org_id = org_id;
	mail_from(nf->from_name, sizeof nf->from_name, nf->from_addr, sizeof nf->from_addr);
	struct org o;
	int rc = org_get(d, a, org_id, &o);
	if (rc < 0)
		return rc;
	nf->org_name = rc == 0 ? o.name : "";
	return 0;
}

/* The place of the exam, on one line. */
static const char *where_line(arena *a, const struct notice_row *n)
{
	if (str_eq(n->mode, "laposte"))
		return arena_printf(a, "%s, %s, %s %s", n->centre, n->address, n->postal_code, n->city);
	return n->place;
}

/* Renders and enqueues the e-mail of one certification (in the caller's
 * transaction), with its calendar event, and its PDF convocation for La
 * Poste unless cancelled.  Scratch memory in a (reset by the caller). */
static int notify_one(db *d, arena *a, struct notifier *nf, const struct notice_row *n, enum notice_kind kind)
{
	int laposte = str_eq(n->mode, "laposte");
	const char *civ = code_label(cand_civilities, n->civility);
	const char *name = arena_printf(a, "%s %s", n->first, n->last);
	const char *reference = certification_reference(a, n->id, n->assigned_at);
	view *v = view_new(a);
	view_set(v, "first_name", n->first);
	view_set(v, "last_name", n->last);
	view_set(v, "org_name", nf->org_name);
	view_set(v, "product", n->product);
	view_set(v, "date_long", date_long_fr(a, n->date));
	view_set(v, "time", n->time);
	view_set(v, "place", n->place);
	view_set(v, "centre", n->centre);
	view_set(v, "address", n->address);
	view_set(v, "postal_code", n->postal_code);
	view_set(v, "city", n->city);
	view_set(v, "email", n->email);
	view_set(v, "reference", reference);
	view_set_bool(v, "moved", kind == NOTICE_MOVED);
	view_set_bool(v, "laposte", laposte);
	/* the candidate's space: their identifier, and a one-time link to
	 * choose a password until they have chosen one (cand_access.h) */
	view_set(v, "login_url", candidate_login_url());
	const char *link = "";
	if ((kind == NOTICE_ASSIGNED || kind == NOTICE_MOVED) && !str_eq(n->password_by, "candidate")) {
		int lrc = cand_link_new(d, a, n->candidate_id, "invite", &link);
		if (lrc < 0)
			return lrc;
	}
	view_set(v, "access_link", link);
	view_set_bool(v, "admin_chose", str_eq(n->password_by, "admin"));

	struct ics_event ev = {
		.method = kind == NOTICE_CANCELLED ? ICS_CANCEL : ICS_REQUEST,
		.uid = arena_printf(a, "certification-%lld@certification-lerobert.com", n->id),
		.sequence = n->sequence,
		.date = n->date,
		.time = n->time,
		.duration_min = CERT_DURATION_MIN,
		.summary = "Certification Le Robert",
		.location = where_line(a, n),
		.description = laposte ? "Munissez-vous de votre identifiant (adresse de courriel), de votre mot de passe "
					 "et d'une pièce d'identité en cours de validité. Présentez-vous 15 minutes avant "
					 "l'heure de convocation."
				       : "Munissez-vous de votre identifiant (adresse de courriel), de votre mot de passe "
					 "et d'une pièce d'identité en cours de validité.",
		.organizer_email = nf->from_addr,
		.organizer_name = *nf->from_name ? nf->from_name : "Certification Le Robert",
		.attendee_email = n->email,
		.attendee_name = name,
		.stamp = now_s(),
	};
	buf ics = BUF_INIT, pdf = BUF_INIT;
	struct mail_attachment att[2];
	int natt = 0;
	int rc = kind == NOTICE_RESULT ? 0 : ics_write(&ics, &ev);
	if (rc == 0 && kind != NOTICE_RESULT) {
		att[natt++] = (struct mail_attachment){
			kind == NOTICE_CANCELLED ? "annulation.ics" : "certification.ics",
			arena_printf(a, "text/calendar; charset=UTF-8; method=%s", ics_method_name(ev.method)),
			(const unsigned char *)arena_strndup(a, ics.data, ics.len), ics.len};
	}
	if (rc == 0 && laposte && (kind == NOTICE_ASSIGNED || kind == NOTICE_MOVED)) {
		struct convocation cv = {civ, n->last, n->first, n->birth, n->email, nf->org_name, n->centre, n->address,
					 n->postal_code, n->city, n->date, n->time, reference, now_s()};
		rc = pdf_convocation(&pdf, &cv);
		if (rc == 0) {
			unsigned char *copy = arena_alloc_raw(a, pdf.len);
			memcpy(copy, pdf.data, pdf.len);
			att[natt++] = (struct mail_attachment){"convocation.pdf", "application/pdf", copy, pdf.len};
		}
	}
	buf_free(&ics);
	buf_free(&pdf);
	if (rc)
		return rc;
	struct mail m = {0};
	m.org_id = nf->org_id;
	m.to = n->email;
	m.to_name = name;
	m.v = v;
	m.attachments = att;
	m.nattachments = natt;
	const char *when = when_fr(a, n->date, n->time);
	if (kind == NOTICE_RESULT) {
		m.kind = "candidate.result";
		m.tmpl = "certification_result";
		m.subject = "Votre résultat à la Certification Le Robert est disponible";
	} else if (kind == NOTICE_CANCELLED) {
		m.kind = "candidate.cancellation";
		m.tmpl = "certification_cancelled";
		m.subject = arena_printf(a, "Annulation de votre Certification Le Robert du %s", date_iso_fr(a, n->date));
	} else if (laposte) {
		m.kind = "candidate.convocation";
		m.tmpl = "certification_convocation";
		m.subject = arena_printf(a, "%s à la Certification Le Robert %s",
					 kind == NOTICE_MOVED ? "Nouvelle convocation" : "Convocation", when);
	} else {
		m.kind = "candidate.certification";
		m.tmpl = "certification_notice";
		m.subject = arena_printf(a, "%s : Certification Le Robert %s",
					 kind == NOTICE_MOVED ? "Nouvelle date" : "Votre session", when);
	}
	struct errs e = {0};
	rc = outbox_enqueue(d, a, &m, &e, NULL);
	return rc == CLR_EINVAL ? 0 : rc; /* an address the outbox refuses: no mail, the change stands */
}

/* Notices for the certifications `where` (a condition on c, $1 = org,
 * $2 = value). */
static int notify(db *d, arena *a, long long org_id, const char *where, const char *value, enum notice_kind kind)
{
	struct notifier nf;
	int rc = notifier_init(d, a, org_id, &nf);
	if (rc < 0)
		return rc;
	db_rows r;
	rc = db_query(d, a, &r, arena_printf(a, "SELECT " NOTICE_COLS "WHERE c.org_id = CAST($1 AS BIGINT) AND %s "
						"ORDER BY c.id", where),
		      DB_P(db_int(a, org_id), value));
	if (rc < 0)
		return rc;
	arena *scratch = arena_new();
	for (int i = 0; i < r.nrows && rc >= 0; i++) {
		struct notice_row n;
		notice_row_read(&r, i, &n);
		rc = notify_one(d, scratch, &nf, &n, kind);
		arena_reset(scratch);
	}
	arena_free(scratch);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ history */

static int event(db *d, arena *a, const struct actor *who, const char *cert_where, const char *value,
		 const char *action, const char *detail)
{
	int rc = db_exec(d,
			 arena_printf(a,
				      "INSERT INTO certification_events (certification_id, org_id, at, actor_id, action, detail) "
				      "SELECT c.id, c.org_id, CAST($3 AS BIGINT), CAST($4 AS BIGINT), $5, $6 FROM certifications c "
				      "WHERE c.org_id = CAST($1 AS BIGINT) AND %s",
				      cert_where),
			 DB_P(db_int(a, who->org_id), value, db_int(a, now_s()),
			      who->user_id ? db_int(a, who->user_id) : NULL, action, detail));
	return rc < 0 ? rc : 0;
}

/* Certifications chosen by one column of theirs (batch_id, id, session_id)
 * equal to value: the WHERE on alias `al` with the value as $param.  A
 * session's are its planned ones (a cancelled one does not move). */
static const char *by(arena *a, const char *col, const char *al, int param)
{
	return arena_printf(a, "%s.%s = CAST($%d AS BIGINT)%s", al, col, param,
			    strcmp(col, "session_id") == 0 ? arena_printf(a, " AND %s.state = 'planned'", al) : "");
}

/* What follows every change of the certifications whose `col` is value:
 * their history (action, detail), their candidates' derived status, the
 * candidates told (kind; NOTICE_NONE: no e-mail), and the audit row
 * (audit_action, about audit_type audit_id; NULL: none). */
static int after_change(db *d, arena *a, const struct actor *who, const char *col, const char *value,
			const char *action, const char *detail, enum notice_kind kind, const char *audit_action,
			const char *audit_type, long long audit_id)
{
	int rc = event(d, a, who, by(a, col, "c", 2), value, action, detail);
	if (rc >= 0)
		rc = refresh_of(d, a, who->org_id, by(a, col, "x", 4), value);
	if (rc >= 0 && kind != NOTICE_NONE)
		rc = notify(d, a, who->org_id, by(a, col, "c", 2), value, kind);
	if (rc >= 0 && audit_action)
		rc = audit_log(d, a, who, audit_action, audit_type, audit_id, detail);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ assignment */

static int product_of(db *d, arena *a, const char *id, const char **mode, const char **label)
{
	char *end;
	long long pid = id ? strtoll(id, &end, 10) : 0;
	if (!id || !*id || *end || pid <= 0)
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT proctoring, type_label FROM products WHERE id = $1 AND active = 1",
			  DB_P(db_int(a, pid)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	*mode = db_cell(&r, 0, 0);
	*label = db_cell(&r, 0, 1);
	return 0;
}

/* Checks and normalises date (today or later), time and place of a session. */
static void check_when(arena *a, const char **date, const char **time, const char **place, struct errs *e)
{
	char iso[11], hm[6];
	const char *dt = str_trim(a, s0(*date), 1);
	if (!*dt)
		errs_add(e, "date", "Veuillez indiquer la date prévisionnelle de la session d'examen.");
	else if (!date_to_iso(dt, iso))
		errs_add(e, "date", "Date invalide : utilisez le format jj/mm/aaaa.");
	else if (strcmp(iso, date_today_iso(a)) < 0)
		errs_add(e, "date", "La date de la session doit être aujourd'hui ou plus tard.");
	else
		*date = arena_strdup(a, iso);
	const char *tm = str_trim(a, s0(*time), 1);
	if (*tm && time_parse(tm, hm) < 0)
		errs_add(e, "time", "Heure invalide : utilisez le format HH:MM (par exemple 09:30).");
	else
		*time = *tm ? arena_strdup(a, hm) : "";
	const char *pl = str_clean(a, *place);
	if (!pl)
		errs_add(e, "place", "Caractères invalides.");
	else if (utf8_len(pl) > CERT_PLACE_MAX)
		errs_add(e, "place", "Le lieu ne peut dépasser 200 caractères.");
	else
		*place = pl;
}

int certification_check_session(db *d, arena *a, long long org_id, struct cert_assign *in, struct errs *e)
{
	(void)org_id;
	int n0 = e->n;
	const char *mode, *label;
	int rc = product_of(d, a, in->product, &mode, &label);
	if (rc < 0 && rc != CLR_ENOTFOUND)
		return rc;
	if (rc == CLR_ENOTFOUND || !str_eq(mode, "partner"))
		errs_add(e, "product", "Cochez le type de certification dont vous gérez la surveillance.");
	check_when(a, &in->date, &in->time, &in->place, e);
	return e->n > n0 ? CLR_EINVAL : 0;
}

struct assign_ctx {
	arena *a;
	const struct actor *who;
	struct cert_assign *in;
	struct errs *e;
	long long product_id;
	const char *mode, *label;
	long long batch_id;
};

/* Finds or creates the session (same product, date, time and place). */
static int session_for(db *d, struct assign_ctx *c, long long *sid)
{
	arena *a = c->a;
	const char *org = db_int(a, c->who->org_id), *pid = db_int(a, c->product_id);
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT id FROM exam_sessions WHERE org_id = $1 AND product_id = $2 AND date = $3 AND time = $4 "
			  "AND place = $5 ORDER BY id LIMIT 1",
			  DB_P(org, pid, c->in->date, c->in->time, c->in->place));
	if (rc < 0)
		return rc;
	if (r.nrows) {
		*sid = db_ll(&r, 0, 0);
		return 0;
	}
	const char *now = db_int(a, now_s());
	rc = db_query(d, a, &r,
		      "INSERT INTO exam_sessions (org_id, product_id, date, time, place, created_by, created_at, updated_at) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
		      DB_P(org, pid, c->in->date, c->in->time, c->in->place,
			   c->who->user_id ? db_int(a, c->who->user_id) : NULL, now));
	if (rc < 0)
		return rc;
	*sid = db_ll(&r, 0, 0);
	return 0;
}

static int assign_tx(db *d, void *vctx)
{
	struct assign_ctx *c = vctx;
	arena *a = c->a;
	struct cert_assign *in = c->in;
	const char *org = db_int(a, c->who->org_id), *now = db_int(a, now_s()), *pid = db_int(a, c->product_id);
	int laposte = in->slot_id > 0;

	/* the form's token first: a form already handled (a double click, or
	 * the same form at the same moment: on PostgreSQL the second INSERT
	 * waits for the first transaction, then finds the token taken) is
	 * its batch, and nothing more is done */
	db_rows r;
	int rc = db_query(d, a, &r,
			  "INSERT INTO certification_batches (org_id, idem_key, product_id, slot_id, created_by, created_at) "
			  "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, idem_key) DO NOTHING RETURNING id",
			  DB_P(org, in->idem, pid, laposte ? db_int(a, in->slot_id) : NULL,
			       c->who->user_id ? db_int(a, c->who->user_id) : NULL, now));
	if (rc < 0)
		return rc;
	if (!r.nrows) {
		rc = db_query(d, a, &r, "SELECT id FROM certification_batches WHERE org_id = $1 AND idem_key = $2",
			      DB_P(org, in->idem));
		if (rc < 0)
			return rc;
		c->batch_id = db_ll(&r, 0, 0);
		return r.nrows ? 0 : CLR_EDB;
	}
	c->batch_id = db_ll(&r, 0, 0);
	long long sid = 0;
	struct slot_info slot;
	if (laposte) {
		if ((rc = slot_get(d, a, in->slot_id, &slot)) != 0)
			return rc;
		in->date = slot.date;
		in->time = slot.time;
	} else if ((rc = session_for(d, c, &sid)) < 0) {
		return rc;
	}
	long long chosen;
	if ((rc = cand_selection_fill(d, a, c->who->org_id, &in->sel, &chosen)) != 0)
		return rc;
	if (chosen == 0) {
		errs_add(c->e, "ids", "Sélectionnez au moins un candidat.");
		return CLR_EINVAL;
	}
	rc = db_exec(d, "UPDATE certification_batches SET session_id = $2, selected = $3 WHERE id = $1",
		     DB_P(db_int(a, c->batch_id), sid ? db_int(a, sid) : NULL, db_int(a, chosen)));
	if (rc < 0)
		return rc;
	const char *bid = db_int(a, c->batch_id);
	/* set aside: « En création », or already a planned certification of the product */
	rc = db_exec(d,
		     "INSERT INTO certification_batch_skips (batch_id, candidate_id, reason) "
		     "SELECT CAST($1 AS BIGINT), k.id, CASE WHEN k.status = 'draft' THEN 'draft' ELSE 'active' END "
		     "FROM cand_selection s JOIN candidates k ON k.id = s.id WHERE k.status = 'draft' OR EXISTS "
		     "(SELECT 1 FROM certifications x WHERE x.candidate_id = k.id AND x.product_id = CAST($2 AS BIGINT) "
		     "AND x.state = 'planned')",
		     DB_P(bid, pid));
	if (rc < 0)
		return rc;
	long long n = chosen - rc;
	if (n == 0) {
		errs_add(c->e, "ids",
			 chosen == 1 ? "Ce candidat ne peut pas recevoir cette certification : il est « En création » ou en a "
				       "déjà une prévue."
				     : "Aucun des candidats sélectionnés ne peut recevoir cette certification : ils sont "
				       "« En création » ou en ont déjà une prévue.");
		return CLR_EINVAL;
	}
	if (laposte && (n > slot.seats - slot.booked ||
			(rc = slot_book(d, a, in->slot_id, (int)n, &slot)) != 0)) {
		if (rc == 0 || rc == CLR_ECONFLICT) { /* too few seats (read, or lost to another booking) */
			long long free = slot.seats - slot.booked;
			errs_add(c->e, "slot",
				 slot.closed || slot.past || !slot.centre_active
					 ? "Ce créneau n'est plus ouvert aux inscriptions : choisissez-en un autre."
				 : free <= 0 ? "Ce créneau est complet : choisissez-en un autre."
					     : arena_printf(a, "Ce créneau n'a plus que %lld place%s libre%s pour %lld candidat%s.",
							    free, free > 1 ? "s" : "", free > 1 ? "s" : "", n, n > 1 ? "s" : ""));
			return CLR_EINVAL;
		}
		return rc;
	}
	long long move_id = 0;
	const char *what = laposte ? arena_printf(a, "%s, %s", slot.centre_name, when_fr(a, in->date, in->time))
				   : arena_printf(a, "session %s%s%s", when_fr(a, in->date, in->time),
						  *in->place ? ", " : "", in->place);
	rc = stock_consume(d, a, c->who->org_id, c->product_id, n,
			   arena_printf(a, "Attribution de %lld certification%s (%s)", n, n > 1 ? "s" : "", what),
			   arena_printf(a, "lot:%lld", c->batch_id), c->who, &move_id);
	if (rc == CLR_ECONFLICT) {
		rc = db_query(d, a, &r, "SELECT COALESCE(MAX(qty), 0) FROM stock_balances WHERE org_id = $1 AND product_id = $2",
			      DB_P(org, pid));
		if (rc < 0)
			return rc;
		long long left = db_ll(&r, 0, 0);
		errs_add(c->e, "stock",
			 arena_printf(a, "Stock insuffisant : il vous reste %s certification%s « %s » pour %lld candidat%s "
					 "sélectionné%s. Commandez des certifications ou sélectionnez moins de candidats.",
				      int_fmt(a, left), left > 1 ? "s" : "", c->label, n, n > 1 ? "s" : "", n > 1 ? "s" : ""));
		return CLR_EINVAL;
	}
	if (rc)
		return rc;
	rc = db_exec(d,
		     "INSERT INTO certifications (org_id, candidate_id, product_id, mode, session_id, slot_id, batch_id, "
		     "exam_date, exam_time, state, sequence, stock_movement_id, assigned_by, assigned_at, updated_at) "
		     "SELECT CAST($1 AS BIGINT), s.id, CAST($2 AS BIGINT), $3, CAST($4 AS BIGINT), CAST($5 AS BIGINT), "
		     "CAST($6 AS BIGINT), $7, $8, 'planned', 0, CAST($9 AS BIGINT), CAST($10 AS BIGINT), CAST($11 AS BIGINT), "
		     "CAST($11 AS BIGINT) FROM cand_selection s WHERE s.id NOT IN (SELECT candidate_id FROM "
		     "certification_batch_skips WHERE batch_id = CAST($6 AS BIGINT)) ORDER BY s.id",
		     DB_P(org, pid, laposte ? "laposte" : "partner", sid ? db_int(a, sid) : NULL,
			  laposte ? db_int(a, in->slot_id) : NULL, bid, in->date, in->time, db_int(a, move_id),
			  c->who->user_id ? db_int(a, c->who->user_id) : NULL, now));
	if (rc < 0)
		return rc;
	if (rc != n)
		return CLR_ECONFLICT; /* a candidate assigned meanwhile by another request */
	if ((rc = db_exec(d, "UPDATE certification_batches SET assigned = $2 WHERE id = $1", DB_P(bid, db_int(a, n)))) < 0)
		return rc;
	if ((rc = after_change(d, a, c->who, "batch_id", bid, "assigned", arena_printf(a, "Attribuée : %s", what),
			       NOTICE_ASSIGNED, NULL, NULL, 0)) < 0)
		return rc;
	rc = audit_log(d, a, c->who, "certification.assign", "certification_batch", c->batch_id,
		       arena_printf(a, "%lld attribuée(s), %lld non retenu(s) : %s", n, chosen - n, what));
	return rc < 0 ? rc : 0;
}

int certification_assign(db *d, arena *a, const struct actor *who, struct cert_assign *in, struct errs *e,
			 long long *batch_id)
{
	*batch_id = 0;
	int n0 = e->n;
	struct assign_ctx c = {a, who, in, e, 0, NULL, NULL, 0};
	int rc = product_of(d, a, in->product, &c.mode, &c.label);
	if (rc < 0 && rc != CLR_ENOTFOUND)
		return rc;
	int laposte = in->slot_id > 0;
	if (rc == CLR_ENOTFOUND || !str_eq(c.mode, laposte ? "laposte" : "partner"))
		errs_add(e, "product", laposte ? "Ce type de certification ne se passe pas en centre d'examen La Poste."
					       : "Cochez le type de certification dont vous gérez la surveillance.");
	else
		c.product_id = atoll(in->product);
	if (!laposte)
		check_when(a, &in->date, &in->time, &in->place, e);
	if (str_empty(in->idem) || strlen(in->idem) > 64)
		errs_add(e, "", "Le formulaire a expiré : recommencez l'attribution.");
	if (e->n > n0)
		return CLR_EINVAL;
	rc = db_tx(d, assign_tx, &c);
	if (rc == CLR_ECONFLICT && e->n == n0) {
		errs_add(e, "ids", "Un autre administrateur vient de modifier ces candidats : vérifiez la sélection et "
				   "validez de nouveau.");
		return CLR_EINVAL;
	}
	if (rc == 0)
		*batch_id = c.batch_id;
	return rc;
}

/* ------------------------------------------------------------ changes of plan */

struct change_ctx {
	arena *a;
	const struct actor *who;
	struct errs *e;
	long long id;      /* certification, or session */
	long long slot_id; /* certification_move */
	const char *date, *time, *place;
	long long n;
};

/* Gives back the credit of one certification (a movement naming it) and
 * its La Poste seat; state, event, notice. */
static int cancel_one(db *d, struct change_ctx *c, long long cert_id)
{
	arena *a = c->a;
	const char *id = db_int(a, cert_id), *org = db_int(a, c->who->org_id);
	db_rows r;
	int rc = db_query(d, a, &r,
			  "UPDATE certifications SET state = 'cancelled', sequence = sequence + 1, cancelled_by = $3, "
			  "cancelled_at = $4, updated_at = $4 WHERE id = $1 AND org_id = $2 AND state = 'planned' "
			  "RETURNING product_id, slot_id, assigned_at, exam_date",
			  DB_P(id, org, c->who->user_id ? db_int(a, c->who->user_id) : NULL, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ECONFLICT;
	long long product = db_ll(&r, 0, 0), slot = db_ll(&r, 0, 1);
	const char *ref = certification_reference(a, cert_id, db_ll(&r, 0, 2));
	long long move_id;
	rc = stock_credit(d, a, c->who->org_id, product, 1, arena_printf(a, "Annulation de la certification %s", ref), 0,
			  arena_printf(a, "certification:%lld", cert_id), c->who, &move_id);
	if (rc)
		return rc;
	if (slot && (rc = slot_release(d, a, slot, 1)) != 0)
		return rc;
	if ((rc = activation_revoke(d, a, "c.id = CAST($1 AS BIGINT)", id)) < 0) /* its code stops working */
		return rc;
	rc = db_exec(d, "UPDATE certifications SET refund_movement_id = $2 WHERE id = $1", DB_P(id, db_int(a, move_id)));
	if (rc < 0)
		return rc;
	return after_change(d, a, c->who, "id", id, "cancelled", "Annulée : le crédit a été rendu au stock",
			    NOTICE_CANCELLED, NULL, NULL, 0);
}

/* Why a certification cannot change, or NULL. */
static const char *frozen(const char *state)
{
	if (str_eq(state, "taken"))
		return "Cette certification a été passée : son résultat doit rester, elle ne peut être ni annulée ni "
		       "déplacée.";
	if (str_eq(state, "cancelled"))
		return "Cette certification est déjà annulée.";
	return NULL;
}

static int cert_state(db *d, arena *a, long long org_id, long long id, const char **state, long long *slot)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT state, slot_id FROM certifications WHERE id = $1 AND org_id = $2",
			  DB_P(db_int(a, id), db_int(a, org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	*state = db_cell(&r, 0, 0);
	if (slot)
		*slot = db_ll(&r, 0, 1);
	return 0;
}

static int cancel_tx(db *d, void *vctx)
{
	struct change_ctx *c = vctx;
	const char *state;
	int rc = cert_state(d, c->a, c->who->org_id, c->id, &state, NULL);
	if (rc)
		return rc;
	if (frozen(state)) {
		errs_add(c->e, "", frozen(state));
		return CLR_EINVAL;
	}
	if ((rc = cancel_one(d, c, c->id)) != 0)
		return rc;
	rc = audit_log(d, c->a, c->who, "certification.cancel", "certification", c->id, "");
	return rc < 0 ? rc : 0;
}

int certification_cancel(db *d, arena *a, const struct actor *who, long long id, struct errs *e)
{
	struct change_ctx c = {a, who, e, id, 0, NULL, NULL, NULL, 0};
	return db_tx(d, cancel_tx, &c);
}

static int session_exists(db *d, arena *a, long long org_id, long long id)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT 1 FROM exam_sessions WHERE id = $1 AND org_id = $2",
			  DB_P(db_int(a, id), db_int(a, org_id)));
	if (rc < 0)
		return rc;
	return r.nrows ? 0 : CLR_ENOTFOUND;
}

static int session_cancel_tx(db *d, void *vctx)
{
	struct change_ctx *c = vctx;
	arena *a = c->a;
	int rc = session_exists(d, a, c->who->org_id, c->id);
	if (rc)
		return rc;
	db_rows r;
	rc = db_query(d, a, &r, "SELECT id FROM certifications WHERE session_id = $1 AND org_id = $2 AND state = 'planned'",
		      DB_P(db_int(a, c->id), db_int(a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows) {
		errs_add(c->e, "", "Cette session n'a aucune certification prévue à annuler.");
		return CLR_EINVAL;
	}
	for (int i = 0; i < r.nrows; i++)
		if ((rc = cancel_one(d, c, db_ll(&r, i, 0))) != 0)
			return rc;
	c->n = r.nrows;
	rc = audit_log(d, a, c->who, "session.cancel", "exam_session", c->id,
		       arena_printf(a, "%d certification(s) annulée(s)", r.nrows));
	return rc < 0 ? rc : 0;
}

int exam_session_cancel(db *d, arena *a, const struct actor *who, long long session_id, long long *n, struct errs *e)
{
	struct change_ctx c = {a, who, e, session_id, 0, NULL, NULL, NULL, 0};
	int rc = db_tx(d, session_cancel_tx, &c);
	if (n)
		*n = rc == 0 ? c.n : 0;
	return rc;
}

static int session_move_tx(db *d, void *vctx)
{
	struct change_ctx *c = vctx;
	arena *a = c->a;
	const char *sid = db_int(a, c->id), *org = db_int(a, c->who->org_id), *now = db_int(a, now_s());
	int rc = session_exists(d, a, c->who->org_id, c->id);
	if (rc)
		return rc;
	db_rows r;
	rc = db_query(d, a, &r,
		      "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'taken' THEN 1 ELSE 0 END), 0) FROM certifications "
		      "WHERE session_id = $1 AND org_id = $2",
		      DB_P(sid, org));
	if (rc < 0)
		return rc;
	if (db_ll(&r, 0, 1) > 0) {
		errs_add(c->e, "", "Des certifications de cette session ont été passées : la session ne peut plus être "
				   "déplacée.");
		return CLR_EINVAL;
	}
	rc = db_exec(d, "UPDATE exam_sessions SET date = $3, time = $4, place = $5, updated_at = $6 WHERE id = $1 AND org_id = $2",
		     DB_P(sid, org, c->date, c->time, c->place, now));
	if (rc < 0)
		return rc;
	rc = db_exec(d,
		     "UPDATE certifications SET exam_date = $3, exam_time = $4, sequence = sequence + 1, updated_at = $5 "
		     "WHERE session_id = $1 AND org_id = $2 AND state = 'planned'",
		     DB_P(sid, org, c->date, c->time, now));
	if (rc < 0)
		return rc;
	c->n = rc;
	const char *detail = arena_printf(a, "Déplacée : session %s%s%s", when_fr(a, c->date, c->time),
					  *c->place ? ", " : "", c->place);
	/* its planned certifications only: a cancelled one's candidate is not told */
	return after_change(d, a, c->who, "session_id", sid, "rescheduled", detail, NOTICE_MOVED, "session.move",
			    "exam_session", c->id);
}

int exam_session_move(db *d, arena *a, const struct actor *who, long long session_id, const char *date,
		      const char *time, const char *place, struct errs *e)
{
	int n0 = e->n;
	check_when(a, &date, &time, &place, e);
	if (e->n > n0)
		return CLR_EINVAL;
	struct change_ctx c = {a, who, e, session_id, 0, date, time, place, 0};
	return db_tx(d, session_move_tx, &c);
}

static int move_tx(db *d, void *vctx)
{
	struct change_ctx *c = vctx;
	arena *a = c->a;
	const char *state;
	long long old_slot;
	int rc = cert_state(d, a, c->who->org_id, c->id, &state, &old_slot);
	if (rc)
		return rc;
	if (frozen(state)) {
		errs_add(c->e, "", frozen(state));
		return CLR_EINVAL;
	}
	if (!old_slot)
		return CLR_ENOTFOUND; /* a self-proctored one moves with its session */
	if (old_slot == c->slot_id) {
		errs_add(c->e, "slot", "Le candidat est déjà convoqué sur ce créneau.");
		return CLR_EINVAL;
	}
	struct slot_info slot;
	rc = slot_book(d, a, c->slot_id, 1, &slot);
	if (rc == CLR_ECONFLICT) {
		errs_add(c->e, "slot", "Ce créneau n'est plus disponible : choisissez-en un autre.");
		return CLR_EINVAL;
	}
	if (rc)
		return rc;
	if ((rc = slot_release(d, a, old_slot, 1)) != 0)
		return rc;
	const char *id = db_int(a, c->id);
	rc = db_exec(d,
		     "UPDATE certifications SET slot_id = $3, exam_date = $4, exam_time = $5, sequence = sequence + 1, "
		     "updated_at = $6 WHERE id = $1 AND org_id = $2",
		     DB_P(id, db_int(a, c->who->org_id), db_int(a, c->slot_id), slot.date, slot.time, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	const char *detail = arena_printf(a, "Déplacée : %s, %s", slot.centre_name, when_fr(a, slot.date, slot.time));
	return after_change(d, a, c->who, "id", id, "rescheduled", detail, NOTICE_MOVED, "certification.move",
			    "certification", c->id);
}

int certification_move(db *d, arena *a, const struct actor *who, long long id, long long slot_id, struct errs *e)
{
	if (slot_id <= 0) {
		errs_add(e, "slot", "Choisissez un créneau.");
		return CLR_EINVAL;
	}
	struct change_ctx c = {a, who, e, id, slot_id, NULL, NULL, NULL, 0};
	return db_tx(d, move_tx, &c);
}

struct result_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	const struct cert_result *in;
	struct errs *e;
	int unchanged;
};

static int result_tx(db *d, void *vctx)
{
	struct result_ctx *c = vctx;
	arena *a = c->a;
	const struct cert_result *in = c->in;
	const char *id = db_int(a, c->id), *now = db_int(a, now_s());
	db_rows r;
	c->unchanged = 0;
	/* PostgreSQL: the row locked first, so that a transaction recording a
	 * result for it at this moment is waited for and its outcome read
	 * (READ COMMITTED); SQLite's write transaction is already exclusive */
	int rc = db_query(d, a, &r,
			  db_kind(d) == DB_PG
				  ? "SELECT state, exam_date, score FROM certifications WHERE id = $1 AND org_id = $2 FOR UPDATE"
				  : "SELECT state, exam_date, score FROM certifications WHERE id = $1 AND org_id = $2",
			  DB_P(id, db_int(a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	const char *state = db_cell(&r, 0, 0);
	if (str_eq(state, "taken") && db_ll(&r, 0, 2) == in->score) {
		c->unchanged = 1; /* the same result again: nothing to do, the same answer */
		return 0;
	}
	if (str_eq(state, "taken") && !in->correct) {
		errs_add(c->e, "score", arena_printf(a, "Cette certification a déjà un score (%lld / 1000) : seul le "
							"service Certification Le Robert peut le corriger.", db_ll(&r, 0, 2)));
		return CLR_ECONFLICT;
	}
	if (str_eq(state, "cancelled")) {
		errs_add(c->e, "", "Cette certification a été annulée : elle ne peut pas recevoir de résultat.");
		return CLR_EINVAL;
	}
	if (strcmp(db_cell(&r, 0, 1), date_today_iso(a)) > 0) {
		errs_add(c->e, "", "Le résultat ne peut arriver avant la date de l'examen.");
		return CLR_EINVAL;
	}
	rc = db_exec(d,
		     "UPDATE certifications SET state = 'taken', score = CAST($2 AS INTEGER), duration_s = CAST($3 AS INTEGER), "
		     "result_source = $4, result_at = $5, updated_at = $5, taken_at = $6 WHERE id = $1",
		     DB_P(id, db_int(a, in->score), in->duration_s > 0 ? db_int(a, in->duration_s) : NULL,
			  in->source ? in->source : "", now, in->taken_at));
	if (rc < 0)
		return rc;
	if ((rc = activation_revoke(d, a, "c.id = CAST($1 AS BIGINT)", id)) < 0)
		return rc;
	const char *detail = str_eq(state, "taken") ? arena_printf(a, "Score corrigé : %d / 1000", in->score)
						    : arena_printf(a, "Passée : score de %d / 1000", in->score);
	return after_change(d, a, c->who, "id", id, "result", detail, str_eq(state, "taken") ? NOTICE_NONE : NOTICE_RESULT,
			    "certification.result", "certification", c->id);
}

int certification_record_result(db *d, arena *a, const struct actor *who, long long id, const struct cert_result *in,
				struct errs *e, int *unchanged)
{
	if (in->score < 0 || in->score > 1000) {
		errs_add(e, "score", "Le score doit être un nombre entier de 0 à 1000.");
		return CLR_EINVAL;
	}
	struct result_ctx c = {a, who, id, in, e, 0};
	int rc = db_tx(d, result_tx, &c);
	if (unchanged)
		*unchanged = rc == 0 && c.unchanged;
	return rc;
}

int certification_candidate_deletable(db *d, arena *a, long long org_id, long long candidate_id, struct errs *e)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT COALESCE(SUM(CASE WHEN state = 'planned' THEN 1 ELSE 0 END), 0), "
			  "COALESCE(SUM(CASE WHEN state = 'taken' THEN 1 ELSE 0 END), 0) FROM certifications "
			  "WHERE candidate_id = $1 AND org_id = $2",
			  DB_P(db_int(a, candidate_id), db_int(a, org_id)));
	if (rc < 0)
		return rc;
	if (db_ll(&r, 0, 1) > 0)
		errs_add(e, "", "Ce candidat a passé une certification : son résultat et son certificat doivent être "
				"conservés, il ne peut pas être supprimé.");
	else if (db_ll(&r, 0, 0) > 0)
		errs_add(e, "", "Ce candidat a une certification prévue : annulez-la d'abord (le crédit sera rendu au "
				"stock), puis supprimez le candidat.");
	else
		return 0;
	return CLR_EINVAL;
}

/* ------------------------------------------------------------ reading */

/* The columns cert_read() reads; CERT_CANDIDATE: the candidate's name,
 * e-mail and status, or NULLs (a candidate's own page: it has them) with
 * CERT_NO_CANDIDATE. */
#define CERT_COLS(candidate)                                                                                        \
	"c.id, c.candidate_id, c.product_id, c.session_id, c.slot_id, c.batch_id, c.mode, c.state, c.exam_date, "  \
	"c.exam_time, p.type_label, " candidate ", COALESCE(s.place, lc.name, ''), lc.address, lc.postal_code, "    \
	"lc.city, c.score, c.sequence, c.assigned_at, c.cancelled_at, ak.code, c.duration_s, c.taken_at FROM certifications c "  \
	"JOIN products p ON p.id = c.product_id LEFT JOIN exam_sessions s ON s.id = c.session_id "                  \
	"LEFT JOIN laposte_slots ls ON ls.id = c.slot_id LEFT JOIN laposte_centres lc ON lc.id = ls.centre_id "     \
	"LEFT JOIN activation_codes ak ON ak.certification_id = c.id AND ak.revoked_at IS NULL "
#define CERT_CANDIDATE "k.last_name, k.first_name, k.email, k.status, k.civility, k.birth_date"
#define CERT_JOIN_CANDIDATE "JOIN candidates k ON k.id = c.candidate_id "
#define CERT_NO_CANDIDATE "NULL, NULL, NULL, NULL, NULL, NULL"

static void cert_read(arena *a, const db_rows *r, int i, struct certification *c)
{
	int k = 0;
	c->id = db_ll(r, i, k++);
	c->candidate_id = db_ll(r, i, k++);
	c->product_id = db_ll(r, i, k++);
	c->session_id = db_ll(r, i, k++);
	c->slot_id = db_ll(r, i, k++);
	c->batch_id = db_ll(r, i, k++);
	c->mode = db_cell(r, i, k++);
	c->state = db_cell(r, i, k++);
	c->exam_date = db_cell(r, i, k++);
	c->exam_time = s0(db_cell(r, i, k++));
	c->product_label = db_cell(r, i, k++);
	c->last_name = s0(db_cell(r, i, k++));
	c->first_name = s0(db_cell(r, i, k++));
	c->candidate_name = db_cell(r, i, k - 2) ? candidate_display_name(a, c->last_name, c->first_name) : "";
	c->candidate_email = db_cell(r, i, k++);
	c->candidate_status = db_cell(r, i, k++);
	c->civility = s0(db_cell(r, i, k++));
	c->birth_date = s0(db_cell(r, i, k++));
	c->place = s0(db_cell(r, i, k++));
	const char *addr = db_cell(r, i, k++), *cp = db_cell(r, i, k++), *city = db_cell(r, i, k++);
	c->address = addr ? arena_printf(a, "%s, %s %s", addr, s0(cp), s0(city)) : "";
	c->score = db_cell(r, i, k) ? (int)db_ll(r, i, k) : -1;
	k++;
	c->sequence = (int)db_ll(r, i, k++);
	c->assigned_at = db_ll(r, i, k++);
	c->cancelled_at = db_ll(r, i, k++);
	c->code = db_cell(r, i, k) ? activation_format(a, db_cell(r, i, k)) : "";
	k++;
	c->duration_s = db_ll(r, i, k++);
	c->taken_at = s0(db_cell(r, i, k++));
}

void certification_list_stmt(struct db_stmt *st, arena *a, long long org_id, const struct cert_filter *f)
{
	const char *col = f->candidate_id ? "c.candidate_id" : f->session_id ? "c.session_id" : "c.slot_id";
	long long v = f->candidate_id ? f->candidate_id : f->session_id ? f->session_id : f->slot_id;
	const char **p = arena_alloc(a, sizeof *p * 2);
	p[0] = db_int(a, org_id);
	p[1] = db_int(a, v);
	*st = (struct db_stmt){
		f->candidate_id ? arena_printf(a, "SELECT " CERT_COLS(CERT_NO_CANDIDATE) "WHERE c.org_id = $1 AND "
						  "c.candidate_id = $2%s ORDER BY c.id DESC",
					       f->planned_only ? " AND c.state = 'planned'" : "")
				: arena_printf(a, "SELECT " CERT_COLS(CERT_CANDIDATE) CERT_JOIN_CANDIDATE
						  "WHERE c.org_id = $1 AND %s = $2%s ORDER BY k.sort_name, k.id, c.id",
					       col, f->planned_only ? " AND c.state = 'planned'" : ""),
		2, p, NULL, 0, 0};
}

int certification_list(db *d, arena *a, long long org_id, const struct cert_filter *f, struct certification **out,
		       int *n)
{
	*out = NULL;
	*n = 0;
	db_rows r;
	struct db_stmt st;
	certification_list_stmt(&st, a, org_id, f);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		cert_read(a, &r, i, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

int certification_get(db *d, arena *a, long long org_id, long long id, struct certification *out)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT " CERT_COLS(CERT_CANDIDATE) CERT_JOIN_CANDIDATE "WHERE c.org_id = $1 AND c.id = $2",
			  DB_P(db_int(a, org_id), db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	cert_read(a, &r, 0, out);
	return 0;
}

void certification_history_stmt(struct db_stmt *st, arena *a, long long org_id, long long candidate_id)
{
	const char **p = arena_alloc(a, sizeof *p * 2);
	p[0] = db_int(a, org_id);
	p[1] = db_int(a, candidate_id);
	*st = (struct db_stmt){"SELECT e.certification_id, e.at, e.action, e.detail, COALESCE(NULLIF(u.name, ''), u.email, '') "
			       "FROM certification_events e JOIN certifications c ON c.id = e.certification_id "
			       "LEFT JOIN users u ON u.id = e.actor_id WHERE c.org_id = $1 AND c.candidate_id = $2 "
			       "ORDER BY e.id DESC LIMIT 100",
			       2, p, NULL, 0, 0};
}

int certification_history(db *d, arena *a, long long org_id, long long candidate_id, struct cert_event **out,
			  int *n)
{
	db_rows r;
	struct db_stmt st;
	certification_history_stmt(&st, a, org_id, candidate_id);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		(*out)[i] = (struct cert_event){db_ll(&r, i, 0), db_ll(&r, i, 1), db_cell(&r, i, 2), db_cell(&r, i, 3),
						db_cell(&r, i, 4)};
	*n = r.nrows;
	return 0;
}

#define SESSION_COLS                                                                                             \
	"s.id, s.product_id, s.date, s.time, s.place, p.type_label, "                                           \
	"COALESCE(SUM(CASE WHEN c.state = 'planned' THEN 1 ELSE 0 END), 0), "                                  \
	"COALESCE(SUM(CASE WHEN c.state = 'cancelled' THEN 1 ELSE 0 END), 0), "                                \
	"COALESCE(SUM(CASE WHEN c.state = 'taken' THEN 1 ELSE 0 END), 0) "                                     \
	"FROM exam_sessions s JOIN products p ON p.id = s.product_id LEFT JOIN certifications c ON c.session_id = s.id "

static void session_read(const db_rows *r, int i, struct exam_session *s)
{
	*s = (struct exam_session){db_ll(r, i, 0), db_ll(r, i, 1), db_cell(r, i, 2), s0(db_cell(r, i, 3)),
				   s0(db_cell(r, i, 4)), db_cell(r, i, 5), db_ll(r, i, 6), db_ll(r, i, 7), db_ll(r, i, 8)};
}

int exam_session_get(db *d, arena *a, long long org_id, long long id, struct exam_session *out)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT " SESSION_COLS "WHERE s.org_id = $1 AND s.id = $2 GROUP BY s.id, s.product_id, s.date, "
			  "s.time, s.place, p.type_label",
			  DB_P(db_int(a, org_id), db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	session_read(&r, 0, out);
	return 0;
}

int exam_session_list(db *d, arena *a, long long org_id, int past, struct exam_session **out, int *n)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  past ? "SELECT " SESSION_COLS "WHERE s.org_id = $1 AND s.date < $2 GROUP BY s.id, s.product_id, "
				 "s.date, s.time, s.place, p.type_label ORDER BY s.date DESC, s.time DESC, s.id DESC LIMIT 200"
			       : "SELECT " SESSION_COLS "WHERE s.org_id = $1 AND s.date >= $2 GROUP BY s.id, s.product_id, "
				 "s.date, s.time, s.place, p.type_label ORDER BY s.date, s.time, s.id LIMIT 200",
			  DB_P(db_int(a, org_id), date_today_iso(a)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		session_read(&r, i, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

int laposte_bookings(db *d, arena *a, long long org_id, struct laposte_booking **out, int *n)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT ls.id, ls.date, ls.time, lc.name, lc.city, COUNT(*) FROM certifications c "
			  "JOIN laposte_slots ls ON ls.id = c.slot_id JOIN laposte_centres lc ON lc.id = ls.centre_id "
			  "WHERE c.org_id = $1 AND c.state = 'planned' AND c.exam_date >= $2 "
			  "GROUP BY ls.id, ls.date, ls.time, lc.name, lc.city ORDER BY ls.date, ls.time, ls.id LIMIT 200",
			  DB_P(db_int(a, org_id), date_today_iso(a)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		(*out)[i] = (struct laposte_booking){db_ll(&r, i, 0), db_cell(&r, i, 1), db_cell(&r, i, 2),
						     db_cell(&r, i, 3), db_cell(&r, i, 4), db_ll(&r, i, 5)};
	*n = r.nrows;
	return 0;
}

int certification_batch_get(db *d, arena *a, long long org_id, long long id, struct cert_batch *out)
{
	memset(out, 0, sizeof *out);
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT b.id, b.product_id, b.session_id, b.slot_id, b.selected, b.assigned, b.created_at, "
			  "p.type_label, p.proctoring FROM certification_batches b JOIN products p ON p.id = b.product_id "
			  "WHERE b.org_id = $1 AND b.id = $2",
			  DB_P(db_int(a, org_id), db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	out->id = db_ll(&r, 0, 0);
	out->product_id = db_ll(&r, 0, 1);
	out->session_id = db_ll(&r, 0, 2);
	out->slot_id = db_ll(&r, 0, 3);
	out->selected = db_ll(&r, 0, 4);
	out->assigned = db_ll(&r, 0, 5);
	out->created_at = db_ll(&r, 0, 6);
	out->product_label = db_cell(&r, 0, 7);
	out->mode = db_cell(&r, 0, 8);
	rc = db_query(d, a, &r,
		      "SELECT k.id, k.last_name, k.first_name, k.email, s.reason FROM certification_batch_skips s "
		      "JOIN candidates k ON k.id = s.candidate_id WHERE s.batch_id = $1 ORDER BY k.sort_name, k.id LIMIT 1000",
		      DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	out->skips = arena_alloc(a, sizeof *out->skips * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		out->skips[i] = (struct cert_skip){db_ll(&r, i, 0),
						   candidate_display_name(a, db_cell(&r, i, 1), db_cell(&r, i, 2)),
						   db_cell(&r, i, 3), db_cell(&r, i, 4)};
	out->nskips = r.nrows;
	return 0;
}

/* ------------------------------------------------------------ the candidate's documents */

int certification_documents(db *d, arena *a, long long org_id, long long candidate_id, long long id, buf *pdf,
			    buf *ics)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT " NOTICE_COLS "WHERE c.org_id = CAST($1 AS BIGINT) AND c.candidate_id = CAST($2 AS BIGINT) "
			  "AND c.id = CAST($3 AS BIGINT) AND c.state <> 'cancelled'",
			  DB_P(db_int(a, org_id), db_int(a, candidate_id), db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	struct notice_row n;
	notice_row_read(&r, 0, &n);
	int laposte = str_eq(n.mode, "laposte");
	if (pdf && !laposte)
		return CLR_ENOTFOUND;
	struct notifier nf;
	if ((rc = notifier_init(d, a, org_id, &nf)) < 0)
		return rc;
	if (pdf) {
		struct convocation cv = {code_label(cand_civilities, n.civility), n.last, n.first, n.birth, n.email,
					 nf.org_name, n.centre, n.address, n.postal_code, n.city, n.date, n.time,
					 certification_reference(a, n.id, n.assigned_at), now_s()};
		return pdf_convocation(pdf, &cv);
	}
	struct ics_event ev = {
		.method = ICS_PUBLISH,
		.uid = arena_printf(a, "certification-%lld@certification-lerobert.com", n.id),
		.sequence = n.sequence,
		.date = n.date,
		.time = n.time,
		.duration_min = CERT_DURATION_MIN,
		.summary = "Certification Le Robert",
		.location = where_line(a, &n),
		.description = "Munissez-vous de votre identifiant (adresse de courriel), de votre mot de passe "
			       "et d'une pièce d'identité en cours de validité.",
		.organizer_email = nf.from_addr,
		.organizer_name = *nf.from_name ? nf.from_name : "Certification Le Robert",
		.attendee_email = n.email,
		.attendee_name = arena_printf(a, "%s %s", n.first, n.last),
		.stamp = now_s(),
	};
	return ics_write(ics, &ev);
}
