/* account.c - « Compte Administrateur »: the « Profil », « Mot de passe »,
 * « Documentation » (the four PDF documents, drawn on request by src/pdf/)
 * and « Contact » (requests to support, domain/support.c) tabs; « Profil »
 * and « Mot de passe » also serve staff's « Mon compte » under
 * /backoffice/compte, and « Mot de passe » is a proctor's only tab. */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/support.h"
#include "domain/user.h"
#include "pdf/manual.h"
#include "pdf/session_docs.h"

static const char *const profile_fields[] = {"name", "email", "phone", "current_password", NULL};
static const char *const password_fields[] = {"current_password", "new_password", "confirm_password", NULL};

static view *account_view(struct req *r, const char *title, const char *tab)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_account", 1);
	view_set_bool(v, tab, 1);
	view_set(v, "account_base", r->sess->is_staff ? "/backoffice/compte" : "/compte");
	return v;
}

/* « Alerte de stock » of the « Profil » tab (administrators: web/team.c) */
static int profile_extras(struct req *r, view *v)
{
	return r->sess->is_staff ? 0 : web_stock_threshold_fill(r, v);
}

int web_profile_form(struct req *r)
{
	struct user u;
	int rc = user_get(r->db, r->a, r->sess->user_id, &u);
	if (rc)
		return rc;
	view *v = account_view(r, "Mon compte — Profil", "tab_profile");
	view_set(v, "name", u.name);
	view_set(v, "email", u.email);
	view_set(v, "phone", u.phone);
	view_set(v, "current_password", "");
	if ((rc = profile_extras(r, v)) != 0)
		return rc;
	return resp_page(r, 200, "account/profile", v);
}

int web_profile_save(struct req *r)
{
	db *d = r->db;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = user_update_profile(d, r->a, &who, req_form(r, "name"), req_form(r, "email"), req_form(r, "phone"),
				     req_form(r, "current_password"), &e);
	if (rc == CLR_EINVAL) {
		view *v = account_view(r, "Mon compte — Profil", "tab_profile");
		view_form(v, r, profile_fields, &e);
		view_set(v, "current_password", ""); /* never echoed */
		if ((rc = profile_extras(r, v)) != 0)
			return rc;
		return resp_page(r, 422, "account/profile", v);
	}
	if (rc)
		return rc;
	return resp_redirect(r, r->sess->is_staff ? "/backoffice/compte" : "/compte",
			     "Vos informations ont été enregistrées.");
}

int web_password_form(struct req *r)
{
	view *v = account_view(r, "Mon compte — Mot de passe", "tab_password");
	return resp_page(r, 200, "account/password", v);
}

int web_password_save(struct req *r)
{
	db *d = r->db;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = user_change_password(d, r->a, &who, req_form(r, "current_password"), req_form(r, "new_password"),
				      req_form(r, "confirm_password"), r->sess->hash, &e);
	if (rc == CLR_EINVAL) {
		view *v = account_view(r, "Mon compte — Mot de passe", "tab_password");
		view_form(v, r, password_fields, &e);
		/* never echo passwords back into the page */
		for (int i = 0; password_fields[i]; i++)
			view_set(v, password_fields[i], "");
		return resp_page(r, 422, "account/password", v);
	}
	if (rc)
		return rc;
	return resp_redirect(r, r->sess->is_staff ? "/backoffice/compte/mot-de-passe" : "/compte/mot-de-passe", "Votre mot de passe a été modifié. Vos autres sessions ont été fermées.");
}

/* ---- « Documentation » ------------------------------------------------------ */

int web_documentation(struct req *r)
{
	view *v = account_view(r, "Mon compte — Documentation", "tab_documentation");
	return resp_page(r, 200, "account/documentation", v);
}

static int send_pdf(struct req *r, int rc, buf *b, const char *file)
{
	if (rc == 0)
		resp_download(r, "application/pdf", file, b->data, b->len);
	buf_free(b);
	return rc;
}

int web_doc_admin_pdf(struct req *r)
{
	buf b = BUF_INIT;
	return send_pdf(r, pdf_manual(&b, MANUAL_ADMIN, now_s()), &b, "mode-emploi-administrateur.pdf");
}

int web_doc_proctor_pdf(struct req *r)
{
	buf b = BUF_INIT;
	return send_pdf(r, pdf_manual(&b, MANUAL_PROCTOR, now_s()), &b, "mode-emploi-surveillant.pdf");
}

/* A blank form: no session, no candidates, the organisation's name. */
static struct session_doc blank_doc(struct req *r)
{
	return (struct session_doc){.org_name = r->sess->org_name ? r->sess->org_name : "", .issued_at = now_s()};
}

int web_doc_scratch_pdf(struct req *r)
{
	buf b = BUF_INIT;
	struct session_doc d = blank_doc(r);
	return send_pdf(r, pdf_scratch(&b, &d), &b, "feuille-de-brouillon.pdf");
}

int web_doc_surveillance_pdf(struct req *r)
{
	buf b = BUF_INIT;
	struct session_doc d = blank_doc(r);
	return send_pdf(r, pdf_surveillance(&b, &d), &b, "document-de-surveillance.pdf");
}

/* ---- « Contact » ----------------------------------------------------------- */

static const char *const contact_fields[] = {"topic", "subject", "message", NULL};

static const char *answers_label(arena *a, int n)
{
	return n > 1 ? arena_printf(a, "%d réponses", n) : "1 réponse";
}

static int contact_page(struct req *r, int status, const struct errs *e)
{
	struct support_request *qs;
	int n;
	int rc = support_list(r->db, r->a, &(struct support_filter){.org_id = r->sess->org_id}, &qs, &n);
	if (rc)
		return rc;
	view *v = account_view(r, "Mon compte — Contact", "tab_contact");
	view_form(v, r, contact_fields, e);
	const char *topic = req_form(r, "topic");
	view_list(v, "topics");
	for (int i = 0; support_topics[i].value; i++)
		view_option(v, "topics", support_topics[i].value, support_topics[i].label, str_eq(topic, support_topics[i].value));
	view_list(v, "requests");
	for (int i = 0; i < n; i++) {
		view *q = view_add(v, "requests");
		view_setf(q, "id", "%lld", qs[i].id);
		view_set(q, "date", datetime_fmt(r->a, (time_t)qs[i].created_at));
		view_set(q, "topic", support_topic_label(qs[i].topic));
		view_set(q, "subject", qs[i].subject);
		view_set(q, "author", *qs[i].author_name ? qs[i].author_name : qs[i].author_email);
		view_set(q, "status", qs[i].status);
		view_set(q, "status_label", support_status_label(qs[i].status));
		view_set_bool(q, "nanswers", qs[i].nanswers > 0);
		view_set(q, "answers_label", answers_label(r->a, qs[i].nanswers));
	}
	return resp_page(r, status, "account/contact", v);
}

int web_contact_form(struct req *r)
{
	return contact_page(r, 200, NULL);
}

int web_contact_send(struct req *r)
{
	struct errs e = {0};
	struct actor who = req_actor(r);
	long long id;
	int rc = support_create(r->db, r->a, &who, req_form(r, "topic"), req_form(r, "subject"), req_form(r, "message"), &e, &id);
	if (rc == CLR_EINVAL)
		return contact_page(r, 422, &e);
	if (rc == CLR_ETHROTTLED)
		return contact_page(r, 429, &e);
	if (rc)
		return rc;
	return resp_redirect(r, "/compte/contact",
			     arena_printf(r->a,
					  "Votre demande n° %lld a bien été envoyée au support Certification Le Robert. Un "
					  "courriel de confirmation vous a été adressé ; notre réponse s'affichera ici.",
					  id));
}

/* The answers of q into v (templates/account/support_answers). */
void web_support_answers_fill(struct req *r, view *v, const struct support_request *q)
{
	view_list(v, "answers");
	for (int i = 0; i < q->nanswers; i++) {
		view *a = view_add(v, "answers");
		view_setf(a, "aid", "%lld", q->answers[i].id);
		view_set(a, "aauthor", q->answers[i].author);
		view_set(a, "adate", datetime_fmt(r->a, (time_t)q->answers[i].created_at));
		view_set(a, "abody", q->answers[i].body);
	}
}

/* The facts every request page shows. */
void web_support_request_fill(struct req *r, view *v, const struct support_request *q)
{
	view_setf(v, "id", "%lld", q->id);
	view_set(v, "status", q->status);
	view_set(v, "status_label", support_status_label(q->status));
	view_set(v, "topic", support_topic_label(q->topic));
	view_set(v, "subject", q->subject);
	view_set(v, "message", q->message);
	view_set(v, "org_name", q->org_name);
	view_set(v, "author", *q->author_name ? q->author_name : q->author_email);
	view_set(v, "author_email", q->author_email);
	view_set(v, "author_name", q->author_name);
	view_set(v, "date", datetime_fmt(r->a, (time_t)q->created_at));
	view_set(v, "closed_date", q->closed_at ? datetime_fmt(r->a, (time_t)q->closed_at) : "");
	view_set_bool(v, "closed", str_eq(q->status, "closed"));
	web_support_answers_fill(r, v, q);
}

int web_contact_request(struct req *r)
{
	long long id = req_param_id(r, 0);
	struct support_request q;
	int rc = id ? support_get(r->db, r->a, r->sess->org_id, id, &q) : CLR_ENOTFOUND;
	if (rc)
		return rc;
	view *v = account_view(r, arena_printf(r->a, "Mon compte — Demande n° %lld", q.id), "tab_contact");
	web_support_request_fill(r, v, &q);
	return resp_page(r, 200, "account/contact_request", v);
}
