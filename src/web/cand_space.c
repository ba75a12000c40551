/* cand_space.c - the candidate's space, under /candidat/ (issue 16): login,
 * « Mot de passe oublié ? », the one-time link that sets a password, « Mes
 * certifications » (convocation and calendar file again, score and
 * certificate once « Mes coordonnées » is complete), « Mes coordonnées »
 * and « Divers » (the steps 4 and 5 of the candidate's record, same fields
 * and rules as the administrator's form: candidate_fields.h), the
 * password; and the administrator's « Renvoyer le lien d'accès ».
 *
 * Every page but the public ones is an R_CANDIDATE route: r->cand is the
 * candidate's session, and every read is scoped by its candidate id and
 * organisation, never by anything in the request.  Pages use their own
 * shell, templates/candidate/layout.html.
 */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/cand_access.h"
#include "domain/cand_privacy.h"
#include "domain/candidate.h"
#include "domain/certification.h"
#include "domain/certificate.h"
#include "domain/place.h"
#include "domain/session.h"
#include "pdf/certificate.h"
#include <string.h>

#define LAYOUT "candidate/layout"

/* A page of the space: title and the tab it belongs to. */
static view *cand_view(struct req *r, const char *title, const char *nav)
{
	view *v = page_view(r, title);
	if (r->cand) {
		view_set_bool(v, "cand_logged", 1);
		view_set(v, "cand_name", arena_printf(r->a, "%s %s", r->cand->first_name, r->cand->last_name));
	}
	if (nav)
		view_set_bool(v, nav, 1);
	return v;
}

static int cand_page(struct req *r, int status, const char *tmpl, view *v)
{
	return resp_page_in(r, status, LAYOUT, tmpl, v);
}

/* After login, only a page of the space (no open redirect). */
static const char *cand_next(const char *s)
{
	if (!s || !(str_eq(s, "/candidat") || str_starts(s, "/candidat/")) || strstr(s, "//"))
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '\\')
			return NULL;
	return strlen(s) <= 512 ? s : NULL;
}

static int throttled(struct req *r, const char *tmpl, view *v, int wait)
{
	int n = wait < 60 ? wait : (wait + 59) / 60;
	view_set(v, "form_error",
		 arena_printf(r->a, "Trop de tentatives. Par sécurité, réessayez dans %d %s%s.", n,
			      wait < 60 ? "seconde" : "minute", n > 1 ? "s" : ""));
	return cand_page(r, 429, tmpl, v);
}

/* ------------------------------------------------------------ login */

static int login_page(struct req *r, int status, const char *error)
{
	view *v = cand_view(r, "Connexion à l'espace candidat", NULL);
	const char *next = cand_next(req_query(r, "suite"));
	if (!next)
		next = cand_next(req_form(r, "suite"));
	view_set(v, "suite", next ? next : "");
	view_set(v, "form_error", error ? error : "");
	view_set(v, "email", req_form(r, "email") ? req_form(r, "email") : "");
	return cand_page(r, status, "candidate/login", v);
}

int web_cand_login_form(struct req *r)
{
	if (r->cand)
		return resp_redirect(r, "/candidat", NULL);
	return login_page(r, 200, NULL);
}

/* A new candidate session (any earlier one of this browser closed). */
static int start_session(struct req *r, long long id)
{
	if (r->cand)
		cand_session_destroy(r->db, r->cand->hash);
	char token[TOKEN_LEN + 1];
	int rc = cand_session_create(r->db, r->a, id, r->ip, req_header(r, "User-Agent"), token);
	if (rc)
		return rc;
	resp_cookie(r, CAND_SESSION_COOKIE, arena_strdup(r->a, token), -1);
	return 0;
}

int web_cand_login(struct req *r)
{
	long long id;
	int wait = 0;
	int rc = cand_login(r->db, r->a, req_form(r, "email"), req_form(r, "password"), r->ip, &id, &wait);
	if (rc == CLR_EAUTH)
		return login_page(r, 401, "Courriel ou mot de passe incorrect.");
	if (rc == CLR_ETHROTTLED) {
		int n = wait < 60 ? wait : (wait + 59) / 60;
		return login_page(r, 429,
				  arena_printf(r->a,
					       "Trop de tentatives de connexion infructueuses. Par sécurité, "
					       "réessayez dans %d %s%s.",
					       n, wait < 60 ? "seconde" : "minute", n > 1 ? "s" : ""));
	}
	if (rc)
		return rc;
	if ((rc = start_session(r, id)))
		return rc;
	const char *next = cand_next(req_form(r, "suite"));
	return resp_redirect(r, next ? next : "/candidat", NULL);
}

int web_cand_logout(struct req *r)
{
	int rc = cand_session_destroy(r->db, r->cand->hash);
	if (rc)
		return rc;
	resp_cookie(r, CAND_SESSION_COOKIE, "", 0);
	return resp_redirect(r, "/candidat/connexion", "Vous êtes déconnecté. À bientôt !");
}

/* ------------------------------------------------------------ « Mot de passe oublié ? » */

int web_cand_forgot_form(struct req *r)
{
	view *v = cand_view(r, "Mot de passe oublié", NULL);
	view_set(v, "email", "");
	view_set(v, "form_error", "");
	return cand_page(r, 200, "candidate/forgot", v);
}

int web_cand_forgot(struct req *r)
{
	view *v = cand_view(r, "Mot de passe oublié", NULL);
	const char *email = req_form(r, "email");
	view_set(v, "email", email ? email : "");
	view_set(v, "form_error", "");
	if (str_empty(email) || !valid_email(str_lower(r->a, str_trim(r->a, email, 0)))) {
		view_set(v, "form_error", "Veuillez indiquer une adresse de courriel valide.");
		return cand_page(r, 422, "candidate/forgot", v);
	}
	int wait = 0;
	int rc = cand_forgot(r->db, r->a, email, r->ip, &wait);
	if (rc == CLR_ETHROTTLED)
		return throttled(r, "candidate/forgot", v, wait);
	if (rc)
		return rc;
	/* the same answer whether the address is known or not */
	return resp_redirect(r, "/candidat/connexion",
			     "Si un compte candidat correspond à cette adresse, un courriel vient de lui être envoyé "
			     "avec un lien pour choisir un nouveau mot de passe.");
}

/* ------------------------------------------------------------ the one-time link */

static int link_gone(struct req *r)
{
	view *v = cand_view(r, "Lien expiré", NULL);
	return cand_page(r, 410, "candidate/link_gone", v);
}

static int access_page(struct req *r, int status, const char *token, const struct cand_link *l, const struct errs *e)
{
	view *v = cand_view(r, "Choisir votre mot de passe", NULL);
	view_set(v, "jeton", token);
	view_set(v, "email", l->email);
	view_set(v, "first_name", l->first_name);
	view_set_bool(v, "admin_chose", l->admin_chose && str_eq(l->purpose, "invite"));
	static const char *const fields[] = {"password", "password_confirm", NULL};
	view_blank(v, fields);
	view_form(v, r, fields, e);
	view_set(v, "password", ""); /* never echoed */
	view_set(v, "password_confirm", "");
	return cand_page(r, status, "candidate/access", v);
}

int web_cand_access_form(struct req *r)
{
	const char *token = req_query(r, "jeton");
	struct cand_link l;
	int rc = cand_link_check(r->db, r->a, token, &l);
	if (rc == CLR_ENOTFOUND)
		return link_gone(r);
	if (rc)
		return rc;
	return access_page(r, 200, token, &l, NULL);
}

int web_cand_access(struct req *r)
{
	const char *token = req_form(r, "jeton");
	struct errs e = {0};
	long long id;
	int rc = cand_link_use(r->db, r->a, token, req_form(r, "password"), req_form(r, "password_confirm"), r->ip, &e,
			       &id);
	if (rc == CLR_ENOTFOUND)
		return link_gone(r);
	if (rc == CLR_EINVAL) {
		struct cand_link l;
		if ((rc = cand_link_check(r->db, r->a, token, &l)))
			return rc == CLR_ENOTFOUND ? link_gone(r) : rc;
		return access_page(r, 422, token, &l, &e);
	}
	if (rc)
		return rc;
	if ((rc = start_session(r, id)))
		return rc;
	return resp_redirect(r, "/candidat", "Votre mot de passe est enregistré : vous êtes connecté à votre espace.");
}

/* ------------------------------------------------------------ « Mes coordonnées », « Divers » */

/* The fields of « Coordonnées » that are still empty, as a French list
 * (« Téléphone, Adresse de résidence »), or "" when complete. */
static const char *contact_missing(arena *a, const struct candidate *c)
{
	buf b = BUF_INIT;
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_fields[i].step == CAND_STEP_CONTACT && str_empty(c->v[i]))
			buf_printf(&b, "%s%s", b.len ? ", " : "", cand_fields[i].label);
	const char *s = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

static int load_self(struct req *r, struct candidate *c)
{
	return candidate_get(r->db, r->a, r->cand->org_id, r->cand->candidate_id, c);
}

static int step_page(struct req *r, int status, int step, const struct candidate_input *vals, const struct errs *e)
{
	int contact = step == CAND_STEP_CONTACT;
	view *v = cand_view(r, contact ? "Mes coordonnées" : "Divers", contact ? "nav_contact" : "nav_misc");
	view_set(v, "heading", contact ? "Mes coordonnées" : "Divers");
	view_set(v, "intro", contact ? "Ces informations sont obligatoires pour consulter votre score et obtenir votre "
				       "certificat."
				     : "Ces informations sont facultatives : elles aident Le Robert à mieux connaître "
				       "les candidats.");
	view_set(v, "action", contact ? "/candidat/coordonnees" : "/candidat/divers");
	view_set(v, "communes_url", "/candidat/communes");
	view_set_bool(v, "has_errors", e && e->n);
	int rc = web_candidate_fields(r, v, step, vals, e, contact);
	if (rc)
		return rc;
	return cand_page(r, status, "candidate/step", v);
}

static void input_of(arena *a, const struct candidate *c, struct candidate_input *in)
{
	memset(in, 0, sizeof *in);
	for (int i = 0; i < CAND_NFIELDS; i++)
		in->v[i] = cand_fields[i].kind == CK_DATE ? date_iso_fr(a, c->v[i]) : c->v[i];
}

static void input_posted(const struct req *r, struct candidate_input *in)
{
	memset(in, 0, sizeof *in);
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_fields[i].kind != CK_DERIVED)
			in->v[i] = req_form(r, cand_fields[i].name);
}

static int step_form(struct req *r, int step)
{
	struct candidate c;
	int rc = load_self(r, &c);
	if (rc)
		return rc;
	struct candidate_input in;
	input_of(r->a, &c, &in);
	if (step == CAND_STEP_CONTACT && str_empty(in.country))
		in.country = "FR";
	return step_page(r, 200, step, &in, NULL);
}

static int step_save(struct req *r, int step)
{
	struct candidate_input in;
	input_posted(r, &in);
	struct errs e = {0};
	if (step == CAND_STEP_CONTACT) /* the candidate must give them all */
		for (int i = 0; i < CAND_NFIELDS; i++)
			if (cand_fields[i].step == step && str_empty(str_trim(r->a, in.v[i], 1)))
				errs_add(&e, cand_fields[i].name, "Ce champ est obligatoire.");
	struct actor who = {0, r->cand->org_id, r->ip};
	long long id_out;
	int finished;
	int rc = e.n ? CLR_EINVAL
		     : candidate_save_step(r->db, r->a, &who, r->cand->candidate_id, step, &in, 0, &e, &id_out, &finished);
	if (rc == CLR_EINVAL) {
		struct candidate_input typed;
		input_posted(r, &typed);
		return step_page(r, 422, step, &typed, &e);
	}
	if (rc)
		return rc;
	return resp_redirect(r, step == CAND_STEP_CONTACT ? "/candidat" : "/candidat/divers",
			     step == CAND_STEP_CONTACT ? "Vos coordonnées sont enregistrées."
						       : "Vos informations sont enregistrées.");
}

int web_cand_contact_form(struct req *r)
{
	return step_form(r, CAND_STEP_CONTACT);
}

int web_cand_contact_save(struct req *r)
{
	return step_save(r, CAND_STEP_CONTACT);
}

int web_cand_misc_form(struct req *r)
{
	return step_form(r, CAND_STEP_MISC);
}

int web_cand_misc_save(struct req *r)
{
	return step_save(r, CAND_STEP_MISC);
}

/* ------------------------------------------------------------ « Mes certifications » */

int web_cand_home(struct req *r)
{
	arena *a = r->a;
	struct candidate c;
	int rc = load_self(r, &c);
	if (rc)
		return rc;
	struct certification *cs;
	int n;
	struct cert_filter f = {.candidate_id = c.id};
	rc = certification_list(r->db, a, r->cand->org_id, &f, &cs, &n);
	if (rc)
		return rc;
	const char *missing = contact_missing(a, &c);
	view *v = cand_view(r, "Mes certifications", "nav_home");
	view_set(v, "first_name", c.first_name);
	view_set(v, "missing", missing);
	view_set_bool(v, "has_certs", n > 0);
	view_list(v, "certs");
	for (int i = 0; i < n; i++) {
		const struct certification *x = &cs[i];
		view *o = view_add(v, "certs");
		int laposte = str_eq(x->mode, "laposte"), cancelled = str_eq(x->state, "cancelled");
		int taken = str_eq(x->state, "taken");
		view_set(o, "mode", laposte ? "Dans un centre d'examen La Poste" : "Surveillée par votre organisme");
		view_set(o, "date", date_iso_fr(a, x->exam_date));
		view_set(o, "time", x->exam_time ? x->exam_time : "");
		view_set(o, "place", x->place ? x->place : "");
		view_set(o, "address", laposte && x->address ? x->address : "");
		view_set(o, "state", certification_state_label(x->state));
		view_set(o, "state_class", x->state);
		view_set(o, "reference", certification_reference(a, x->id, x->assigned_at));
		view_set_bool(o, "self_proctored", !laposte && !cancelled && !taken);
		view_set_bool(o, "laposte_planned", laposte && !cancelled && !taken);
		view_set(o, "pdf_href", laposte && !cancelled ? arena_printf(a, "/candidat/certifications/%lld/convocation.pdf", x->id) : "");
		view_set(o, "ics_href", !cancelled ? arena_printf(a, "/candidat/certifications/%lld/certification.ics", x->id) : "");
		view_set_bool(o, "taken", taken && x->score >= 0);
		view_set_bool(o, "hidden", taken && x->score >= 0 && *missing);
		view_set_bool(o, "shown", taken && x->score >= 0 && !*missing);
		view_set(o, "score", x->score >= 0 ? ll_fmt(a, "", x->score) : "");
		view_set(o, "level", x->score >= 0 ? certificate_level(x->score) : "");
		view_set(o, "certificate_href", arena_printf(a, "/candidat/certifications/%lld/certificat.pdf", x->id));
	}
	return cand_page(r, 200, "candidate/home", v);
}

static int cert_id(struct req *r)
{
	return req_param_id(r, 0) > 0;
}

int web_cand_convocation_pdf(struct req *r)
{
	if (!cert_id(r))
		return CLR_ENOTFOUND;
	buf pdf = BUF_INIT;
	int rc = certification_documents(r->db, r->a, r->cand->org_id, r->cand->candidate_id, req_param_id(r, 0), &pdf,
					 NULL);
	if (rc == 0)
		rc = resp_download(r, "application/pdf", "convocation.pdf", pdf.data, pdf.len);
	buf_free(&pdf);
	return rc;
}

int web_cand_ics(struct req *r)
{
	if (!cert_id(r))
		return CLR_ENOTFOUND;
	buf ics = BUF_INIT;
	int rc = certification_documents(r->db, r->a, r->cand->org_id, r->cand->candidate_id, req_param_id(r, 0), NULL,
					 &ics);
	if (rc == 0)
		rc = resp_download(r, "text/calendar; charset=UTF-8", "certification.ics", ics.data, ics.len);
	buf_free(&ics);
	return rc;
}

/* ------------------------------------------------------------ password */

static int password_page(struct req *r, int status, const struct errs *e)
{
	view *v = cand_view(r, "Mot de passe", "nav_password");
	static const char *const fields[] = {"current_password", "new_password", "confirm_password", NULL};
	view_blank(v, fields);
	view_form(v, r, fields, e);
	view_blank(v, fields); /* never echoed */
	return cand_page(r, status, "candidate/password", v);
}

int web_cand_password_form(struct req *r)
{
	return password_page(r, 200, NULL);
}

int web_cand_password_save(struct req *r)
{
	struct errs e = {0};
	int rc = cand_change_password(r->db, r->a, r->cand->candidate_id, r->ip, req_form(r, "current_password"),
				      req_form(r, "new_password"), req_form(r, "confirm_password"), r->cand->hash, &e);
	if (rc == CLR_EINVAL)
		return password_page(r, 422, &e);
	if (rc)
		return rc;
	return resp_redirect(r, "/candidat", "Votre mot de passe a été modifié.");
}

int web_cand_communes(struct req *r)
{
	return web_candidate_communes(r);
}

/* ------------------------------------------------------------ the administrator's side */

int web_candidate_access_resend(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	int rc = cand_access_resend(r->db, r->a, &who, id);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/candidats/%lld", id),
			     "Un lien d'accès à son espace, valable 7 jours, a été envoyé au candidat.");
}

/* ------------------------------------------------------------ certificate and verification */

int web_cand_certificate_pdf(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	struct certificate c;
	int rc = certificate_issue(r->db, r->a, r->cand->org_id, r->cand->candidate_id, id, &c);
	if (rc)
		return rc;
	struct certificate_doc doc = {
		code_label(cand_civilities, c.civility), c.first_name, c.last_name, c.birth_date, c.score,
		certificate_level(c.score), c.exam_date, c.code, certificate_verify_url(r->a, c.code), c.issued_at,
	};
	buf pdf = BUF_INIT;
	rc = pdf_certificate(&pdf, &doc);
	if (rc == 0)
		rc = resp_download(r, "application/pdf", "certificat.pdf", pdf.data, pdf.len);
	buf_free(&pdf);
	return rc;
}

/* « Vérifier un certificat »: the form, and with ?code= the answer: the
 * certificate's name, date and score, or « Certificat inconnu ».  Public;
 * throttled by address; nothing else about the candidate is shown. */
int web_verification(struct req *r)
{
	view *v = cand_view(r, "Vérifier un certificat", NULL);
	const char *code = req_query(r, "code");
	view_set(v, "code", code ? code : "");
	view_set(v, "form_error", "");
	if (str_empty(code))
		return cand_page(r, 200, "candidate/verify", v);
	struct certificate c;
	int wait = 0;
	int rc = certificate_verify(r->db, r->a, code, r->ip, &c, &wait);
	if (rc == CLR_ETHROTTLED)
		return throttled(r, "candidate/verify", v, wait);
	if (rc == CLR_ENOTFOUND) {
		view_set_bool(v, "unknown", 1);
		return cand_page(r, 404, "candidate/verify", v);
	}
	if (rc)
		return rc;
	view_set_bool(v, "found", 1);
	view_set(v, "name", arena_printf(r->a, "%s %s", c.first_name, c.last_name));
	view_set(v, "date", date_iso_fr(r->a, c.exam_date));
	view_set(v, "score", ll_fmt(r->a, "", c.score));
	view_set(v, "level", certificate_level(c.score));
	view_set(v, "verified_code", c.code);
	return cand_page(r, 200, "candidate/verify", v);
}

/* ------------------------------------------------------------ « Mes données » (RGPD) */

int web_cand_data(struct req *r)
{
	arena *a = r->a;
	struct candidate c;
	int rc = load_self(r, &c);
	if (rc)
		return rc;
	view *v = cand_view(r, "Mes données", "nav_data");
	view_set(v, "requested", c.erasure_requested_at ? datetime_fmt(a, (time_t)c.erasure_requested_at) : "");
	view_list(v, "sections");
	for (int s = 1; s <= CAND_NSTEPS; s++) {
		view *sec = view_add(v, "sections");
		view_set(sec, "title", cand_steps[s].title);
		view_list(sec, "fields");
		for (int i = 0; i < CAND_NFIELDS; i++) {
			const struct cand_field *f = &cand_fields[i];
			if (f->step != s || f->kind == CK_DERIVED || f->kind == CK_PASSWORD)
				continue;
			const char *text = f->kind == CK_COUNTRY ? (str_empty(c.v[i]) ? "" : place_country_name(r->db, a, c.v[i]))
								 : candidate_field_text(a, f, c.v[i], NULL, NULL);
			view *o = view_add(sec, "fields");
			view_set(o, "label", f->label);
			view_set(o, "value", text && *text ? text : "—");
		}
	}
	return cand_page(r, 200, "candidate/data", v);
}

int web_cand_data_json(struct req *r)
{
	buf out = BUF_INIT;
	int rc = cand_data_json(r->db, r->a, r->cand->org_id, r->cand->candidate_id, &out);
	if (rc == 0)
		rc = resp_download(r, "application/json; charset=utf-8", "mes-donnees.json", out.data, out.len);
	buf_free(&out);
	return rc;
}

int web_cand_erasure_request(struct req *r)
{
	int rc = cand_erasure_request(r->db, r->a, r->cand->org_id, r->cand->candidate_id, r->ip);
	if (rc)
		return rc;
	return resp_redirect(r, "/candidat/mes-donnees",
			     "Votre demande d'effacement est transmise à votre organisme, qui la traitera.");
}

int web_candidate_erase(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	struct errs e = {0};
	int rc = cand_erase(r->db, r->a, &who, id, &e);
	if (rc == CLR_EINVAL)
		return resp_redirect(r, arena_printf(r->a, "/candidats/%lld", id), e.e[0].msg);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/candidats/%lld", id),
			     "Les données personnelles du candidat ont été effacées ; son nom, sa date de naissance et "
			     "ses résultats restent, pour ses certificats.");
}

/* The candidate page's « Espace candidat » section (candidates.c). */
void web_candidate_privacy_fill(struct req *r, view *v, const struct candidate *c)
{
	long long requested = c->erasure_requested_at, erased = c->erased_at;
	view_set(v, "erasure_requested", requested && !erased ? datetime_fmt(r->a, (time_t)requested) : "");
	view_set(v, "erased_on", erased ? datetime_fmt(r->a, (time_t)erased) : "");
}
