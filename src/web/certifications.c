/* certifications.c - « Gérer les certifications »: the screen of the seed's
 * two blocks (self-proctored sessions, La Poste exam centres), the two
 * pickers that end with « Valider l'attribution », the result of an
 * assignment, a session's page (move it, cancel one or all), a La Poste
 * slot's page, cancelling or moving one certification, and the
 * « Certifications » section of a candidate's page.  Rules are in
 * domain/certification.c; every call is scoped by the session's
 * organisation, so another organisation's session, slot booking or
 * certification is a 404. */
#include "web/web.h"
#include "web/candidate_list.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/activation.h"
#include "domain/centre.h"
#include "domain/certification.h"
#include "domain/stock.h"
#include "pdf/session_docs.h"
#include <stdlib.h>
#include <string.h>

static view *cert_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_candidates", 1);
	return v;
}

static const char *s0(const char *s)
{
	return s ? s : "";
}

/* « le 15/12/2026 à 09:30 » */
static const char *when(arena *a, const char *date, const char *time)
{
	return str_empty(time) ? date_iso_fr(a, date) : arena_printf(a, "%s à %s", date_iso_fr(a, date), time);
}

/* The errors of e as a list "errors" (the form's top), and each field's
 * one as <field>_error. */
static void errors_into(view *v, const struct errs *e)
{
	view_list(v, "errors");
	for (int i = 0; e && i < e->n; i++) {
		view_set(view_add(v, "errors"), "text", e->e[i].msg);
		if (*e->e[i].field)
			view_set(v, arena_printf(view_arena(v), "%s_error", e->e[i].field), e->e[i].msg);
	}
	view_set_bool(v, "has_errors", e && e->n);
	view_set_bool(v, "stock_error", e && errs_get(e, "stock"));
}

/* Products of a proctoring mode with the organisation's stock, as radio
 * options "<key>" ({value, label, stock, stock_label, selected}: the one
 * posted, or the only one); the number listed, or negative. */
static int products_into(struct req *r, view *v, const char *key, const char *mode, const char *selected)
{
	struct stock_balance *b;
	int n, k = 0;
	int rc = stock_balances(r->db, r->a, r->sess->org_id, &b, &n, NULL);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		k += str_eq(b[i].proctoring, mode);
	view_list(v, key);
	for (int i = 0; i < n; i++) {
		if (!str_eq(b[i].proctoring, mode))
			continue;
		view *o = view_add(v, key);
		const char *id = ll_fmt(r->a, "", b[i].product_id);
		view_set(o, "value", id);
		view_set(o, "label", b[i].type_label);
		view_set(o, "stock", int_fmt(r->a, b[i].qty));
		view_set(o, "stock_label", b[i].qty > 1 ? "certifications restantes" : "certification restante");
		view_set_bool(o, "selected", selected ? str_eq(id, selected) : k == 1);
	}
	return k;
}

/* ------------------------------------------------------------ « Gérer les certifications » */

/* The screen with its two blocks; in: what step 1 holds (NULL: empty). */
static int render_index(struct req *r, const struct cert_assign *in, const struct errs *e, int status)
{
	arena *a = r->a;
	view *v = cert_view(r, "Gérer les certifications");
	int np = products_into(r, v, "partner_products", "partner", in ? in->product : NULL);
	if (np < 0)
		return np;
	view_set_bool(v, "has_partner_products", np > 0);
	view_set(v, "date", in && in->date ? date_iso_fr(a, in->date) : "");
	view_set(v, "heure", in ? s0(in->time) : "");
	view_set(v, "lieu", in ? s0(in->place) : "");
	view_set(v, "groupe", s0(req_query(r, "groupe")));
	errors_into(v, e);
	struct exam_session *ss;
	int ns;
	int rc = exam_session_list(r->db, a, r->sess->org_id, 0, &ss, &ns);
	if (rc)
		return rc;
	view_list(v, "sessions");
	for (int i = 0; i < ns; i++) {
		view *o = view_add(v, "sessions");
		view_setf(o, "href", "/certifications/sessions/%lld", ss[i].id);
		view_set(o, "date", date_iso_fr(a, ss[i].date));
		view_set(o, "time", ss[i].time);
		view_set(o, "place", ss[i].place);
		view_set(o, "product", ss[i].product_label);
		view_set(o, "planned", int_fmt(a, ss[i].planned));
	}
	view_set_bool(v, "has_sessions", ns > 0);
	int nl = products_into(r, v, "laposte_products", "laposte", NULL);
	if (nl < 0)
		return nl;
	struct laposte_booking *bk;
	int nb;
	rc = laposte_bookings(r->db, a, r->sess->org_id, &bk, &nb);
	if (rc)
		return rc;
	view_list(v, "bookings");
	for (int i = 0; i < nb; i++) {
		view *o = view_add(v, "bookings");
		view_setf(o, "href", "/certifications/la-poste/creneaux/%lld", bk[i].slot_id);
		view_set(o, "date", date_iso_fr(a, bk[i].date));
		view_set(o, "time", bk[i].time);
		view_set(o, "centre", bk[i].centre_name);
		view_set(o, "city", bk[i].city);
		view_set(o, "planned", int_fmt(a, bk[i].planned));
	}
	view_set_bool(v, "has_bookings", nb > 0);
	return resp_page(r, status, "certifications/index", v);
}

int web_certifications(struct req *r)
{
	return render_index(r, NULL, NULL, 200);
}

/* ------------------------------------------------------------ the pickers */

/* The stock left of a product, as text. */
static const char *stock_left(struct req *r, const char *product)
{
	struct stock_balance *b;
	int n;
	if (stock_balances(r->db, r->a, r->sess->org_id, &b, &n, NULL))
		return "0";
	for (int i = 0; i < n; i++)
		if (str_eq(ll_fmt(r->a, "", b[i].product_id), product))
			return int_fmt(r->a, b[i].qty);
	return "0";
}

/* A picker: the summary (set by the caller), the candidate list with
 * checkboxes for the form « assign-form » posting to `action`, the hidden
 * fields `hidden` (name/value pairs, NULL-terminated) and the errors. */
static int render_pick(struct req *r, view *v, struct cand_list *l, const char *action, const char *const *hidden,
		       const struct errs *e, int status)
{
	l->results = "pick-results";
	l->extra = hidden;
	int rc = cand_list_group_filter(r, v, l);
	if (rc == 0)
		rc = cand_list_fill(r, v, l, "assign-form");
	if (rc)
		return rc;
	view_set(v, "assign_action", action);
	char idem[TOKEN_LEN + 1];
	token_new(idem);
	view_set(v, "idem", arena_strdup(r->a, idem));
	errors_into(v, e);
	if (web_is_part(r))
		return resp_part(r, 200, "certifications/pick_results", v);
	return resp_page(r, status, "certifications/pick", v);
}

/* Self-proctored: the session typed at step 1, from the query or the form. */
static void session_input(struct req *r, int from_form, struct cert_assign *in)
{
	const char *(*get)(const struct req *, const char *) = from_form ? req_form : req_query;
	memset(in, 0, sizeof *in);
	in->product = get(r, "produit");
	in->date = get(r, "date");
	in->time = get(r, "heure");
	in->place = get(r, "lieu");
	in->idem = get(r, "idem");
}

static int partner_pick(struct req *r, struct cert_assign *in, struct cand_list *l, const struct errs *e, int status)
{
	arena *a = r->a;
	view *v = cert_view(r, "Attribuer des certifications");
	const char *hidden[] = {"produit", in->product, "date", in->date, "heure", in->time, "lieu", in->place, NULL};
	struct stock_balance *b;
	int n;
	int rc = stock_balances(r->db, a, r->sess->org_id, &b, &n, NULL);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (str_eq(ll_fmt(a, "", b[i].product_id), in->product))
			view_set(v, "product", b[i].type_label);
	view_set_bool(v, "partner", 1);
	view_set(v, "when", when(a, in->date, in->time));
	view_set(v, "place", s0(in->place));
	view_set(v, "stock", stock_left(r, in->product));
	view_set(v, "back_href", "/certifications");
	return render_pick(r, v, l, "/certifications/surveillance", hidden, e, status);
}

int web_cert_partner_pick(struct req *r)
{
	struct cert_assign in;
	session_input(r, 0, &in);
	struct errs e = {0};
	int rc = certification_check_session(r->db, r->a, r->sess->org_id, &in, &e);
	if (rc == CLR_EINVAL)
		return render_index(r, &in, &e, 422);
	if (rc)
		return rc;
	struct cand_list l;
	cand_list_parse(r, &l, "/certifications/surveillance", 0);
	return partner_pick(r, &in, &l, NULL, 200);
}

/* After « Valider l'attribution »: the batch's page, or the errors. */
static int assigned(struct req *r, long long batch_id)
{
	struct cert_batch b;
	int rc = certification_batch_get(r->db, r->a, r->sess->org_id, batch_id, &b);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/certifications/lots/%lld", batch_id),
			     b.assigned == 1 ? "1 certification a été attribuée."
					     : arena_printf(r->a, "%s certifications ont été attribuées.",
							    int_fmt(r->a, b.assigned)));
}

int web_cert_partner_assign(struct req *r)
{
	struct cert_assign in;
	session_input(r, 1, &in);
	struct cand_list l;
	int rc = cand_list_selection(r, &l, "/certifications/surveillance", &in.sel);
	if (rc)
		return rc;
	struct errs e = {0};
	long long batch;
	struct actor who = req_actor(r);
	rc = certification_assign(r->db, r->a, &who, &in, &e, &batch);
	if (rc == CLR_EINVAL) {
		if (errs_get(&e, "product") || errs_get(&e, "date") || errs_get(&e, "time") || errs_get(&e, "place"))
			return render_index(r, &in, &e, 422);
		return partner_pick(r, &in, &l, &e, 422);
	}
	if (rc)
		return rc;
	return assigned(r, batch);
}

/* ------------------------------------------------------------ La Poste */

static void slot_into(struct req *r, view *v, const struct slot_info *s)
{
	arena *a = r->a;
	view_set(v, "centre", s->centre_name);
	view_set(v, "address", s->address);
	view_set(v, "postal_code", s->postal_code);
	view_set(v, "city", s->city);
	view_set(v, "when", when(a, s->date, s->time));
	long long free = s->seats - s->booked;
	view_set(v, "free", free > 0 ? arena_printf(a, "%lld place%s libre%s", free, free > 1 ? "s" : "", free > 1 ? "s" : "")
				    : "Complet");
	view_set_bool(v, "open", !s->closed && !s->past && s->centre_active && free > 0);
}

int web_cert_laposte_search(struct req *r)
{
	arena *a = r->a;
	const char *q = s0(req_query(r, "q"));
	view *v = cert_view(r, "Planifier des certifications en centre d'examen La Poste");
	view_set(v, "q", q);
	struct centre *cs;
	int n;
	int rc = centre_search(r->db, a, q, &cs, &n);
	if (rc)
		return rc;
	view_list(v, "centres");
	for (int i = 0; i < n; i++) {
		view *o = view_add(v, "centres");
		view_set(o, "name", cs[i].name);
		view_set(o, "address", cs[i].address);
		view_set(o, "postal_code", cs[i].postal_code);
		view_set(o, "city", cs[i].city);
		view_set(o, "department", cs[i].department_name && *cs[i].department_name
						   ? arena_printf(a, "%s (%s)", cs[i].department_name, cs[i].department)
						   : cs[i].department);
		view_list(o, "slots");
		for (int k = 0; k < cs[i].nslots; k++) {
			struct slot *s = &cs[i].slots[k];
			view *so = view_add(o, "slots");
			view_setf(so, "href", "/certifications/la-poste/creneaux/%lld", s->id);
			view_set(so, "date", date_long_fr(a, s->date));
			view_set(so, "time", s->time);
			int free = s->seats - s->booked;
			view_set(so, "free", arena_printf(a, "%d place%s libre%s", free, free > 1 ? "s" : "", free > 1 ? "s" : ""));
		}
		view_set_bool(o, "has_slots", cs[i].nslots > 0);
		view_set(o, "more", cs[i].open_slots > cs[i].nslots
					    ? arena_printf(a, "et %d autres créneaux", cs[i].open_slots - cs[i].nslots) : "");
	}
	view_set_bool(v, "has_centres", n > 0);
	view_set_bool(v, "searched", *q != 0);
	return resp_page(r, 200, "certifications/laposte", v);
}

/* The La Poste picker of slot `id`: the slot, the organisation's
 * candidates already there, and (while it is open) the list to choose from. */
static int laposte_pick(struct req *r, long long id, struct cert_assign *in, struct cand_list *l,
			const struct errs *e, int status)
{
	arena *a = r->a;
	struct slot_info s;
	int rc = slot_get(r->db, a, id, &s);
	if (rc)
		return rc;
	view *v = cert_view(r, "Planifier des certifications en centre d'examen La Poste");
	slot_into(r, v, &s);
	int np = products_into(r, v, "laposte_products", "laposte", in ? in->product : NULL);
	if (np < 0)
		return np;
	const char *product = in && in->product ? in->product : NULL;
	if (!product && np == 1) {
		const struct vval *p = view_get(v, "laposte_products");
		const struct vval *val = p && p->nitems ? view_get(p->items[0], "value") : NULL;
		product = val ? val->s : NULL;
	}
	view_set(v, "stock", product ? stock_left(r, product) : "0");
	view_set_bool(v, "several_products", np > 1);
	view_set(v, "product_value", s0(product));
	struct certification *cs;
	int n;
	rc = certification_list(r->db, a, r->sess->org_id, &(struct cert_filter){.slot_id = id, .planned_only = 1}, &cs, &n);
	if (rc)
		return rc;
	view_list(v, "booked");
	for (int i = 0; i < n; i++) {
		view *o = view_add(v, "booked");
		view_setf(o, "href", "/candidats/%lld", cs[i].candidate_id);
		view_set(o, "name", cs[i].candidate_name);
		view_set(o, "email", cs[i].candidate_email);
		view_setf(o, "cancel_href", "/certifications/%lld/annuler", cs[i].id);
		view_setf(o, "move_href", "/certifications/%lld/deplacer", cs[i].id);
	}
	view_set_bool(v, "has_booked", n > 0);
	view_set_bool(v, "laposte", 1);
	view_set(v, "back_href", "/certifications/la-poste");
	const char *action = arena_printf(a, "/certifications/la-poste/creneaux/%lld", id);
	const char *hidden[] = {NULL};
	struct cand_list fresh;
	if (!l) {
		cand_list_parse(r, &fresh, action, 0);
		l = &fresh;
	}
	l->base = action;
	return render_pick(r, v, l, action, hidden, e, status);
}

int web_cert_laposte_pick(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	return laposte_pick(r, id, NULL, NULL, NULL, 200);
}

int web_cert_laposte_assign(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	struct cert_assign in = {0};
	in.idem = req_form(r, "idem");
	in.product = req_form(r, "produit");
	in.slot_id = id;
	struct cand_list l;
	int rc = cand_list_selection(r, &l, arena_printf(r->a, "/certifications/la-poste/creneaux/%lld", id), &in.sel);
	if (rc)
		return rc;
	struct errs e = {0};
	long long batch;
	struct actor who = req_actor(r);
	rc = certification_assign(r->db, r->a, &who, &in, &e, &batch);
	if (rc == CLR_EINVAL)
		return laposte_pick(r, id, &in, &l, &e, 422);
	if (rc)
		return rc;
	return assigned(r, batch);
}

/* ------------------------------------------------------------ an assignment's result */

int web_cert_batch(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	arena *a = r->a;
	struct cert_batch b;
	int rc = certification_batch_get(r->db, a, r->sess->org_id, id, &b);
	if (rc)
		return rc;
	view *v = cert_view(r, "Résultat de l'attribution");
	view_set(v, "product", b.product_label);
	view_set(v, "assigned", int_fmt(a, b.assigned));
	view_set(v, "assigned_label", b.assigned > 1 ? "certifications attribuées" : "certification attribuée");
	view_set(v, "selected", int_fmt(a, b.selected));
	view_set(v, "selected_label", b.selected > 1 ? "candidats sélectionnés" : "candidat sélectionné");
	view_set(v, "date", datetime_fmt(a, (time_t)b.created_at));
	view_set(v, "next_href", b.session_id ? arena_printf(a, "/certifications/sessions/%lld", b.session_id)
					      : arena_printf(a, "/certifications/la-poste/creneaux/%lld", b.slot_id));
	view_set(v, "next_label", b.session_id ? "Voir la session d'examen" : "Voir le créneau La Poste");
	view_set_bool(v, "laposte", b.slot_id > 0);
	view_list(v, "skips");
	for (int i = 0; i < b.nskips; i++) {
		view *o = view_add(v, "skips");
		view_setf(o, "href", "/candidats/%lld", b.skips[i].candidate_id);
		view_set(o, "name", b.skips[i].name);
		view_set(o, "email", b.skips[i].email);
		view_set(o, "reason", str_eq(b.skips[i].reason, "draft")
					      ? "« En création » : complétez son dossier avant de lui attribuer une certification"
					      : "A déjà une certification de ce type prévue");
	}
	view_set_bool(v, "has_skips", b.nskips > 0);
	view_set(v, "nskips", int_fmt(a, b.nskips));
	return resp_page(r, 200, "certifications/batch", v);
}

/* ------------------------------------------------------------ a session */

/* Its certifications as "certs" ({href, name, email, state, state_class,
 * cancel_href, code, regen_action, score}); *with_code and *without_code
 * count the planned ones with and without an activation code. */
static int certs_into(struct req *r, view *v, const struct cert_filter *f, int *with_code, int *without_code)
{
	struct certification *cs;
	int n;
	int rc = certification_list(r->db, r->a, r->sess->org_id, f, &cs, &n);
	if (rc)
		return rc;
	view_list(v, "certs");
	for (int i = 0; i < n; i++) {
		view *o = view_add(v, "certs");
		view_setf(o, "href", "/candidats/%lld", cs[i].candidate_id);
		view_set(o, "name", cs[i].candidate_name);
		view_set(o, "email", cs[i].candidate_email);
		view_set(o, "state", certification_state_label(cs[i].state));
		view_set(o, "state_class", cs[i].state);
		view_set(o, "cancel_href", str_eq(cs[i].state, "planned")
						   ? arena_printf(r->a, "/certifications/%lld/annuler", cs[i].id) : "");
		view_set(o, "code", cs[i].code);
		/* « Régénérer le code »: a planned one that has a code (else « Générer les codes ») */
		view_set(o, "regen_action", str_eq(cs[i].state, "planned") && *cs[i].code
						    ? arena_printf(r->a, "/certifications/%lld/code", cs[i].id) : "");
		view_set(o, "score", cs[i].score >= 0 ? arena_printf(r->a, "%d / 1000", cs[i].score) : "");
		*with_code += *cs[i].code != 0;
		*without_code += str_eq(cs[i].state, "planned") && !*cs[i].code;
	}
	view_set_bool(v, "has_certs", n > 0);
	return 0;
}

static int render_session(struct req *r, long long id, const char *date, const char *time, const char *place,
			  const struct errs *e, int status)
{
	arena *a = r->a;
	struct exam_session s;
	int rc = exam_session_get(r->db, a, r->sess->org_id, id, &s);
	if (rc)
		return rc;
	view *v = cert_view(r, "Session d'examen");
	view_setf(v, "id", "%lld", s.id);
	view_set(v, "product", s.product_label);
	view_set(v, "when", when(a, s.date, s.time));
	view_set(v, "place", s.place);
	view_set(v, "planned", int_fmt(a, s.planned));
	view_set(v, "cancelled", int_fmt(a, s.cancelled));
	view_set(v, "taken", int_fmt(a, s.taken));
	view_set_bool(v, "can_cancel", s.planned > 0);
	view_set_bool(v, "can_move", s.taken == 0 && strcmp(s.date, date_today_iso(a)) >= 0);
	view_set(v, "date", date ? date : date_iso_fr(a, s.date));
	view_set(v, "heure", time ? time : s.time);
	view_set(v, "lieu", place ? place : s.place);
	view_set(v, "more_href",
		 arena_printf(a, "/certifications/surveillance?produit=%lld&date=%s&heure=%s&lieu=%s", s.product_id,
			      url_encode(a, s.date), url_encode(a, s.time), url_encode(a, s.place)));
	view_set_bool(v, "upcoming", strcmp(s.date, date_today_iso(a)) >= 0);
	errors_into(v, e);
	int with_code = 0, without_code = 0;
	if ((rc = certs_into(r, v, &(struct cert_filter){.session_id = id}, &with_code, &without_code)) != 0)
		return rc;
	view_set_bool(v, "can_generate", without_code > 0);
	view_set(v, "without_code", int_fmt(a, without_code));
	view_set_bool(v, "has_codes", with_code > 0);
	view_set(v, "code_days", ll_fmt(a, "", activation_days()));
	if ((rc = web_session_proctors_fill(r, v, id)) != 0) /* « Surveillants » (proctor.c) */
		return rc;
	return resp_page(r, status, "certifications/session", v);
}

int web_cert_session(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	return render_session(r, id, NULL, NULL, NULL, NULL, 200);
}

int web_cert_session_move(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	const char *date = req_form(r, "date"), *time = req_form(r, "heure"), *place = req_form(r, "lieu");
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = exam_session_move(r->db, r->a, &who, id, date, time, place, &e);
	if (rc == CLR_EINVAL)
		return render_session(r, id, s0(date), s0(time), s0(place), &e, 422);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/certifications/sessions/%lld", id),
			     "La session a été déplacée : les candidats ont été prévenus par courriel.");
}

/* A confirmation page: question, what happens, the form's action, back. */
static int confirm(struct req *r, const char *title, const char *question, const char *action, const char *back,
		   const struct errs *e, int status)
{
	view *v = cert_view(r, title);
	view_set(v, "heading", title);
	view_set(v, "question", question);
	view_set(v, "action", action);
	view_set(v, "back_href", back);
	view_set(v, "refused", e && e->n ? e->e[0].msg : "");
	return resp_page(r, status, "certifications/confirm", v);
}

static int session_cancel(struct req *r, int post)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	arena *a = r->a;
	struct exam_session s;
	int rc = exam_session_get(r->db, a, r->sess->org_id, id, &s);
	if (rc)
		return rc;
	const char *back = arena_printf(a, "/certifications/sessions/%lld", id);
	struct errs e = {0};
	if (post) {
		long long n;
		struct actor who = req_actor(r);
		rc = exam_session_cancel(r->db, a, &who, id, &n, &e);
		if (rc == 0)
			return resp_redirect(r, back,
					     n == 1 ? "1 certification a été annulée : le crédit a été rendu au stock."
						    : arena_printf(a, "%lld certifications ont été annulées : les crédits ont été "
								      "rendus au stock.", n));
		if (rc != CLR_EINVAL)
			return rc;
	} else if (s.planned == 0) {
		errs_add(&e, "", "Cette session n'a aucune certification prévue à annuler.");
	}
	return confirm(r, "Annuler les certifications de la session",
		       arena_printf(a, "Annuler les %s certification%s prévue%s de la session du %s ? Les crédits seront rendus "
				       "à votre stock et chaque candidat sera prévenu par courriel.",
				    int_fmt(a, s.planned), s.planned > 1 ? "s" : "", s.planned > 1 ? "s" : "",
				    when(a, s.date, s.time)),
		       arena_printf(a, "/certifications/sessions/%lld/annuler", id), back, &e, post ? 422 : 200);
}

int web_cert_session_cancel_form(struct req *r)
{
	return session_cancel(r, 0);
}

int web_cert_session_cancel(struct req *r)
{
	return session_cancel(r, 1);
}

/* Where to go back after a change: the session, the slot. */
static const char *cert_home(arena *a, const struct certification *c)
{
	return c->session_id ? arena_printf(a, "/certifications/sessions/%lld", c->session_id)
			     : arena_printf(a, "/certifications/la-poste/creneaux/%lld", c->slot_id);
}

/* ------------------------------------------------------------ activation codes */

/* « Générer les codes »: a session to come, or a date (and a group). */
int web_cert_codes(struct req *r)
{
	arena *a = r->a;
	view *v = cert_view(r, "Générer les codes d'activation");
	struct exam_session *ss;
	int ns;
	int rc = exam_session_list(r->db, a, r->sess->org_id, 0, &ss, &ns);
	if (rc)
		return rc;
	const char *date = req_query(r, "date");
	view_list(v, "session_options");
	int on_date = 0;
	for (int i = 0; i < ns; i++) {
		if (!ss[i].planned)
			continue;
		view_option(v, "session_options", ll_fmt(a, "", ss[i].id),
			    arena_printf(a, "%s%s%s (%lld candidat%s)", when(a, ss[i].date, ss[i].time),
					 *ss[i].place ? ", " : "", ss[i].place, ss[i].planned, ss[i].planned > 1 ? "s" : ""),
			    0);
		if (date && str_eq(ss[i].date, date)) { /* after « Générer » by date: that day's sessions */
			view *o = view_add(v, "day_sessions");
			view_setf(o, "href", "/certifications/sessions/%lld", ss[i].id);
			view_set(o, "label", arena_printf(a, "%s%s%s", when(a, ss[i].date, ss[i].time), *ss[i].place ? ", " : "",
							  ss[i].place));
			on_date++;
		}
	}
	view_set_bool(v, "has_sessions", ns > 0);
	view_set_bool(v, "has_day_sessions", on_date > 0);
	view_set(v, "date", "");
	view_set(v, "code_days", ll_fmt(a, "", activation_days()));
	long long gid;
	if ((rc = web_group_options(r, v, NULL, &gid)) != 0)
		return rc;
	return resp_page(r, 200, "certifications/codes", v);
}

int web_cert_codes_generate(struct req *r)
{
	arena *a = r->a;
	long long sid = str_id(req_form(r, "session")), gid = 0;
	const char *date = NULL, *g = req_form(r, "groupe");
	char iso[11];
	if (!sid) {
		const char *typed = req_form(r, "date");
		if (str_empty(typed) || !date_to_iso(str_trim(a, typed, 1), iso))
			return resp_redirect(r, "/certifications/codes",
					     "Choisissez une session, ou indiquez une date au format jj/mm/aaaa.");
		date = iso;
		if (!str_empty(g) && !(gid = str_id(g)))
			return CLR_ENOTFOUND;
	}
	struct actor who = req_actor(r);
	long long n;
	int rc = activation_generate(r->db, a, &who, sid, date, gid, &n);
	if (rc)
		return rc;
	const char *flash = n == 0 ? "Aucun code à générer : chaque certification prévue a déjà le sien."
			    : n == 1 ? "1 code d'activation a été généré."
				     : arena_printf(a, "%s codes d'activation ont été générés.", int_fmt(a, n));
	if (sid)
		return resp_redirect(r, arena_printf(a, "/certifications/sessions/%lld", sid), flash);
	return resp_redirect(r, arena_printf(a, "/certifications/codes?date=%s", iso), flash);
}

int web_cert_session_codes(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	long long n;
	int rc = activation_generate(r->db, r->a, &who, id, NULL, 0, &n);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/certifications/sessions/%lld", id),
			     n == 1 ? "1 code d'activation a été généré."
				    : arena_printf(r->a, "%s codes d'activation ont été générés.", int_fmt(r->a, n)));
}

int web_cert_regenerate(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	struct certification c;
	int rc = certification_get(r->db, r->a, r->sess->org_id, id, &c);
	if (rc)
		return rc;
	struct actor who = req_actor(r);
	struct errs e = {0};
	rc = activation_regenerate(r->db, r->a, &who, id, &e);
	const char *back = cert_home(r->a, &c);
	if (rc == CLR_EINVAL)
		return resp_redirect(r, back, e.e[0].msg);
	if (rc)
		return rc;
	if ((rc = certification_get(r->db, r->a, r->sess->org_id, id, &c)) != 0)
		return rc;
	return resp_redirect(r, back, arena_printf(r->a, "Nouveau code de %s : %s. L'ancien ne fonctionne plus.",
						  c.candidate_name, c.code));
}

/* ------------------------------------------------------------ a session's files */

/* The session id of the path, its session and its certifications. */
static int session_files(struct req *r, struct exam_session *s, struct certification **cs, int *n)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	int rc = exam_session_get(r->db, r->a, r->sess->org_id, id, s);
	if (rc == 0)
		rc = certification_list(r->db, r->a, r->sess->org_id, &(struct cert_filter){.session_id = id}, cs, n);
	return rc;
}

static void csv_line(buf *b, const char *const *cells, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ';');
		csv_add_field(b, cells[i], ';');
	}
	buf_adds(b, "\r\n");
}

/* A session's document: the session and its planned candidates (all of
 * them for the blank-free documents), drawn by draw(). */
static int session_pdf(struct req *r, int (*draw)(buf *out, const struct session_doc *d), const char *file)
{
	struct exam_session s;
	struct certification *cs;
	int n, rc = session_files(r, &s, &cs, &n);
	if (rc)
		return rc;
	struct session_doc_row *rows = arena_alloc(r->a, sizeof *rows * (size_t)(n + 1));
	int k = 0;
	for (int i = 0; i < n; i++)
		if (str_eq(cs[i].state, "planned"))
			rows[k++] = (struct session_doc_row){code_label(cand_civilities, cs[i].civility), cs[i].last_name,
							     cs[i].first_name, cs[i].birth_date, cs[i].code};
	struct session_doc doc = {r->sess->org_name ? r->sess->org_name : "", s.product_label, s.date, s.time, s.place,
				  arena_printf(r->a, "Session n° %lld", s.id), k ? rows : NULL, k, now_s()};
	buf b = BUF_INIT;
	rc = draw(&b, &doc);
	if (rc == 0)
		resp_download(r, "application/pdf", arena_printf(r->a, "%s-%s.pdf", file, s.date), b.data, b.len);
	buf_free(&b);
	return rc;
}

int web_cert_codes_pdf(struct req *r)
{
	return session_pdf(r, pdf_codes, "codes-session");
}

int web_cert_surveillance_pdf(struct req *r)
{
	return session_pdf(r, pdf_surveillance, "document-de-surveillance");
}

int web_cert_scratch_pdf(struct req *r)
{
	return session_pdf(r, pdf_scratch, "feuilles-de-brouillon");
}

int web_cert_codes_csv(struct req *r)
{
	struct exam_session s;
	struct certification *cs;
	int n, rc = session_files(r, &s, &cs, &n);
	if (rc)
		return rc;
	buf b = BUF_INIT;
	buf_adds(&b, "\xEF\xBB\xBF");
	csv_line(&b, (const char *[]){"Nom", "Prénom", "Date de naissance", "Code d'activation"}, 4);
	for (int i = 0; i < n; i++)
		if (str_eq(cs[i].state, "planned"))
			csv_line(&b, (const char *[]){cs[i].last_name, cs[i].first_name, date_iso_fr(r->a, cs[i].birth_date),
						      cs[i].code},
				 4);
	resp_download(r, "text/csv; charset=utf-8", arena_printf(r->a, "codes-session-%s.csv", s.date), b.data, b.len);
	buf_free(&b);
	return 0;
}

int web_cert_results_csv(struct req *r)
{
	struct exam_session s;
	struct certification *cs;
	int n, rc = session_files(r, &s, &cs, &n);
	if (rc)
		return rc;
	buf b = BUF_INIT;
	buf_adds(&b, "\xEF\xBB\xBF");
	csv_line(&b, (const char *[]){"Nom", "Prénom", "Courriel", "État", "Score", "Durée (minutes)", "Passée le"}, 7);
	for (int i = 0; i < n; i++)
		csv_line(&b,
			 (const char *[]){cs[i].last_name, cs[i].first_name, cs[i].candidate_email,
					  certification_state_label(cs[i].state),
					  cs[i].score >= 0 ? ll_fmt(r->a, "", cs[i].score) : "",
					  cs[i].duration_s > 0 ? ll_fmt(r->a, "", (cs[i].duration_s + 30) / 60) : "",
					  date_iso_fr(r->a, cs[i].taken_at)},
			 7);
	resp_download(r, "text/csv; charset=utf-8", arena_printf(r->a, "resultats-session-%s.csv", s.date), b.data, b.len);
	buf_free(&b);
	return 0;
}

/* ------------------------------------------------------------ one certification */


static int cert_cancel(struct req *r, int post)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	arena *a = r->a;
	struct certification c;
	int rc = certification_get(r->db, a, r->sess->org_id, id, &c);
	if (rc)
		return rc;
	const char *back = str_eq(req_query(r, "retour"), "candidat") || str_eq(req_form(r, "retour"), "candidat")
				   ? arena_printf(a, "/candidats/%lld", c.candidate_id)
				   : cert_home(a, &c);
	struct errs e = {0};
	if (post) {
		struct actor who = req_actor(r);
		rc = certification_cancel(r->db, a, &who, id, &e);
		if (rc == 0)
			return resp_redirect(r, back, "La certification a été annulée : le crédit a été rendu au stock et le "
						      "candidat prévenu par courriel.");
		if (rc != CLR_EINVAL)
			return rc;
	} else if (!str_eq(c.state, "planned")) {
		errs_add(&e, "", str_eq(c.state, "taken") ? "Cette certification a été passée : elle ne peut plus être annulée."
							   : "Cette certification est déjà annulée.");
	}
	return confirm(r, "Annuler une certification",
		       arena_printf(a, "Annuler la certification de %s (%s) du %s ? Le crédit sera rendu à votre stock%s et le "
				       "candidat sera prévenu par courriel.",
				    c.candidate_name, c.product_label, when(a, c.exam_date, c.exam_time),
				    c.slot_id ? ", sa place au centre d'examen libérée" : ""),
		       arena_printf(a, "/certifications/%lld/annuler%s", id,
				    str_eq(req_query(r, "retour"), "candidat") ? "?retour=candidat" : ""),
		       back, &e, post ? 422 : 200);
}

int web_cert_cancel_form(struct req *r)
{
	return cert_cancel(r, 0);
}

int web_cert_cancel(struct req *r)
{
	return cert_cancel(r, 1);
}

/* « Déplacer »: another slot for a La Poste certification (search by the
 * same words as the La Poste block). */
static int render_move(struct req *r, const struct certification *c, const struct errs *e, int status)
{
	arena *a = r->a;
	view *v = cert_view(r, "Déplacer une certification");
	view_set(v, "name", c->candidate_name);
	view_set(v, "current", arena_printf(a, "%s, %s", c->place, when(a, c->exam_date, c->exam_time)));
	view_setf(v, "action", "/certifications/%lld/deplacer", c->id);
	view_set(v, "back_href", cert_home(a, c));
	const char *q = req_query(r, "q");
	if (!q) { /* the current centre's town first */
		struct slot_info s;
		q = slot_get(r->db, a, c->slot_id, &s) == 0 ? s.city : "";
	}
	view_set(v, "q", q);
	struct centre *cs;
	int n;
	int rc = centre_search(r->db, a, q, &cs, &n);
	if (rc)
		return rc;
	view_list(v, "slots");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < cs[i].nslots; k++) {
			struct slot *s = &cs[i].slots[k];
			if (s->id == c->slot_id)
				continue;
			view *o = view_add(v, "slots");
			view_set(o, "value", ll_fmt(a, "", s->id));
			view_set(o, "label", arena_printf(a, "%s, %s à %s (%d place%s libre%s)", cs[i].name,
							  date_long_fr(a, s->date), s->time, s->seats - s->booked,
							  s->seats - s->booked > 1 ? "s" : "", s->seats - s->booked > 1 ? "s" : ""));
		}
	view_set_bool(v, "has_slots", view_get(v, "slots")->nitems > 0);
	errors_into(v, e);
	return resp_page(r, status, "certifications/move", v);
}

static int load_laposte(struct req *r, struct certification *c)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	int rc = certification_get(r->db, r->a, r->sess->org_id, id, c);
	if (rc)
		return rc;
	return c->slot_id ? 0 : CLR_ENOTFOUND; /* a self-proctored one moves with its session */
}

int web_cert_move_form(struct req *r)
{
	struct certification c;
	int rc = load_laposte(r, &c);
	if (rc)
		return rc;
	struct errs e = {0};
	if (!str_eq(c.state, "planned"))
		errs_add(&e, "", "Seule une certification prévue peut être déplacée.");
	return render_move(r, &c, &e, 200);
}

int web_cert_move(struct req *r)
{
	struct certification c;
	int rc = load_laposte(r, &c);
	if (rc)
		return rc;
	const char *slot = req_form(r, "slot");
	long long sid = slot ? atoll(slot) : 0;
	struct errs e = {0};
	struct actor who = req_actor(r);
	rc = certification_move(r->db, r->a, &who, c.id, sid, &e);
	if (rc == CLR_EINVAL)
		return render_move(r, &c, &e, 422);
	if (rc == CLR_ENOTFOUND && sid > 0) { /* a slot that does not exist */
		errs_add(&e, "slot", "Ce créneau n'existe pas : choisissez-en un dans la liste.");
		return render_move(r, &c, &e, 422);
	}
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/candidats/%lld", c.candidate_id),
			     "La certification a été déplacée : le candidat a reçu sa nouvelle convocation.");
}

/* ------------------------------------------------------------ the candidate's page */

int web_candidate_certifications_fill(struct req *r, view *v, long long cid)
{
	arena *a = r->a;
	struct certification *cs;
	int n;
	int rc = certification_list(r->db, a, r->sess->org_id, &(struct cert_filter){.candidate_id = cid}, &cs, &n);
	if (rc)
		return rc;
	view_list(v, "cand_certs");
	for (int i = 0; i < n; i++) {
		view *o = view_add(v, "cand_certs");
		view_set(o, "reference", certification_reference(a, cs[i].id, cs[i].assigned_at));
		view_set(o, "product", cs[i].product_label);
		view_set(o, "mode", certification_mode_label(cs[i].mode));
		view_set(o, "when", when(a, cs[i].exam_date, cs[i].exam_time));
		view_set(o, "place", *cs[i].address ? arena_printf(a, "%s, %s", cs[i].place, cs[i].address) : cs[i].place);
		view_set(o, "state", certification_state_label(cs[i].state));
		view_set(o, "state_class", cs[i].state);
		view_set(o, "score", cs[i].score >= 0 ? arena_printf(a, "%d / 1000", cs[i].score) : "");
		int planned = str_eq(cs[i].state, "planned");
		view_set(o, "home_href", cert_home(a, &cs[i]));
		view_set(o, "cancel_href", planned ? arena_printf(a, "/certifications/%lld/annuler?retour=candidat", cs[i].id) : "");
		view_set(o, "move_href", planned && cs[i].slot_id ? arena_printf(a, "/certifications/%lld/deplacer", cs[i].id)
								 : "");
	}
	view_set_bool(v, "has_cand_certs", n > 0);
	struct cert_event *ev = NULL;
	int ne = 0;
	if (n > 0 && (rc = certification_history(r->db, a, r->sess->org_id, cid, &ev, &ne)) != 0)
		return rc; /* (no certification, no history: most candidates, no query) */
	view_list(v, "cert_history");
	for (int i = 0; i < ne; i++) {
		view *o = view_add(v, "cert_history");
		view_set(o, "at", datetime_fmt(a, (time_t)ev[i].at));
		view_set(o, "detail", ev[i].detail);
		view_set(o, "actor", ev[i].actor);
	}
	view_set_bool(v, "has_cert_history", ne > 0);
	return 0;
}
