/* proctor.c - the proctor's (« surveillant ») screens, read-only: « Mes
 * sessions » (the exam sessions they are assigned to), a session's page
 * (candidates by name and birth date, activation codes) and its documents;
 * and, for the administrator, the « Surveillants » of a session's page.
 * Every proctor route checks the assignment before anything is read: a
 * session not assigned is 404, as another organisation's. */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/certification.h"
#include "domain/team.h"
#include <stdlib.h>

static const char *when(arena *a, const char *date, const char *time)
{
	const char *d = date_iso_fr(a, date);
	return time && *time ? arena_printf(a, "%s à %s", d, time) : d;
}

int web_proctor_sessions(struct req *r)
{
	arena *a = r->a;
	long long *ids;
	int n;
	int rc = proctor_session_ids(r->db, a, r->sess->org_id, r->sess->user_id, &ids, &n);
	if (rc)
		return rc;
	view *v = page_view(r, "Mes sessions");
	view_set_bool(v, "nav_proctor", 1);
	view_list(v, "sessions");
	const char *today = date_today_iso(a);
	for (int i = 0; i < n; i++) {
		struct exam_session s;
		if ((rc = exam_session_get(r->db, a, r->sess->org_id, ids[i], &s)) != 0)
			return rc;
		view *o = view_add(v, "sessions");
		view_setf(o, "href", "/mes-sessions/%lld", s.id);
		view_set(o, "when", when(a, s.date, s.time));
		view_set(o, "place", *s.place ? s.place : "—");
		view_set(o, "product", s.product_label);
		view_set(o, "planned", int_fmt(a, s.planned));
		view_set_bool(o, "past", strcmp(s.date, today) < 0);
	}
	view_set_bool(v, "has_sessions", n > 0);
	return resp_page(r, 200, "proctor/sessions", v);
}

/* The session of the path, if this proctor is assigned to it. */
static int assigned_session(struct req *r, long long *id)
{
	*id = req_param_id(r, 0);
	if (*id <= 0)
		return CLR_ENOTFOUND;
	return proctor_assigned(r->db, r->a, r->sess->org_id, r->sess->user_id, *id);
}

int web_proctor_session(struct req *r)
{
	arena *a = r->a;
	long long id;
	int rc = assigned_session(r, &id);
	struct exam_session s;
	if (rc == 0)
		rc = exam_session_get(r->db, a, r->sess->org_id, id, &s);
	struct certification *cs;
	int n;
	if (rc == 0)
		rc = certification_list(r->db, a, r->sess->org_id, &(struct cert_filter){.session_id = id}, &cs, &n);
	if (rc)
		return rc;
	view *v = page_view(r, "Session d'examen");
	view_set_bool(v, "nav_proctor", 1);
	view_setf(v, "id", "%lld", s.id);
	view_set(v, "when", when(a, s.date, s.time));
	view_set(v, "place", s.place);
	view_set(v, "product", s.product_label);
	view_set(v, "planned", int_fmt(a, s.planned));
	view_list(v, "certs");
	int codes = 0, k = 0;
	for (int i = 0; i < n; i++) {
		if (!str_eq(cs[i].state, "planned") && !str_eq(cs[i].state, "taken"))
			continue;
		view *o = view_add(v, "certs");
		/* name and birth date only: no e-mail, no address (the documents' columns) */
		view_set(o, "last_name", cs[i].last_name);
		view_set(o, "first_name", cs[i].first_name);
		view_set(o, "birth_date", date_iso_fr(a, cs[i].birth_date));
		view_set(o, "code", cs[i].code);
		view_set(o, "state", certification_state_label(cs[i].state));
		view_set(o, "state_class", cs[i].state);
		codes += *cs[i].code != 0;
		k++;
	}
	view_set_bool(v, "has_certs", k > 0);
	view_set_bool(v, "has_codes", codes > 0);
	return resp_page(r, 200, "proctor/session", v);
}

int web_proctor_codes_pdf(struct req *r)
{
	long long id;
	int rc = assigned_session(r, &id);
	return rc ? rc : web_cert_codes_pdf(r);
}

int web_proctor_surveillance_pdf(struct req *r)
{
	long long id;
	int rc = assigned_session(r, &id);
	return rc ? rc : web_cert_surveillance_pdf(r);
}

int web_proctor_scratch_pdf(struct req *r)
{
	long long id;
	int rc = assigned_session(r, &id);
	return rc ? rc : web_cert_scratch_pdf(r);
}

/* ---- the administrator's side: « Surveillants » of a session ------------ */

int web_session_proctors_fill(struct req *r, view *v, long long session_id)
{
	struct member *m;
	long long *ids;
	int nm, ni;
	int rc = team_proctors(r->db, r->a, r->sess->org_id, &m, &nm);
	if (rc == 0)
		rc = session_proctor_ids(r->db, r->a, r->sess->org_id, session_id, &ids, &ni);
	if (rc)
		return rc;
	view_list(v, "proctors");
	for (int i = 0; i < nm; i++) {
		view *o = view_add(v, "proctors");
		view_setf(o, "pid", "%lld", m[i].id);
		view_set(o, "pname", *m[i].name ? m[i].name : m[i].email);
		view_set(o, "pemail", m[i].email);
		int on = 0;
		for (int k = 0; k < ni; k++)
			on |= ids[k] == m[i].id;
		view_set_bool(o, "assigned", on);
	}
	view_set_bool(v, "has_proctors", nm > 0);
	return 0;
}

int web_cert_session_proctors(struct req *r)
{
	long long sid = req_param_id(r, 0);
	if (sid <= 0)
		return CLR_ENOTFOUND;
	const char **vals;
	int n = req_form_all(r, "proctor", &vals);
	long long *ids = arena_alloc(r->a, sizeof *ids * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		char *end;
		ids[i] = strtoll(vals[i], &end, 10);
		if (*end || ids[i] <= 0)
			return resp_redirect(r, arena_printf(r->a, "/certifications/sessions/%lld", sid),
					     "Surveillant inconnu : rien n'a été changé.");
	}
	struct actor who = req_actor(r);
	int rc = session_proctors_set(r->db, r->a, &who, sid, ids, n);
	if (rc == CLR_EINVAL)
		return resp_redirect(r, arena_printf(r->a, "/certifications/sessions/%lld", sid),
				     "Surveillant inconnu : rien n'a été changé.");
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/certifications/sessions/%lld", sid),
			     n ? "Les surveillants de la session ont été enregistrés."
			       : "La session n'a plus de surveillant attribué.");
}
