/* bo_centres.c - the back office's « Centres d'examen »: the table of La
 * Poste centres (commune, département, future slots, free seats, next open
 * slot) with a search and « Créer un centre »; a centre's page (« Ajouter un
 * créneau », its slots with seats, bookings, free seats and state, the
 * change of seats, « Fermer » / « Rouvrir », the centre's details to edit);
 * the CSV import of a season's slots with its template
 * `modele-creneaux.csv`.  Rules live in domain/centre.c; a form with errors
 * is shown again (422) with what staff typed.  Staff only (routes.c). */
#include "web/web.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/centre.h"
#include "http/multipart.h"
#include <string.h>
#include <time.h>

static view *bo_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_bo_centres", 1);
	return v;
}

static const char *const centre_fields[] = {"name", "address", "postal_code", "city", NULL};
static const char *const slot_fields[] = {"date", "time", "seats", NULL};

static struct centre_input centre_input_of(const struct req *r)
{
	struct centre_input in = {req_form(r, "name"), req_form(r, "address"), req_form(r, "postal_code"),
				  req_form(r, "city"), req_form(r, "active")};
	return in;
}

/* « 69 — Rhône » */
static const char *department_label(arena *a, const struct centre *c)
{
	return *c->department_name ? arena_printf(a, "%s — %s", c->department, c->department_name) : c->department;
}

/* « 12/05/2026 à 09:00 » */
static const char *when(arena *a, const char *date, const char *time)
{
	return arena_printf(a, "%s à %s", date_iso_fr(a, date), time);
}

/* « mardi » for an ISO date; "" if it is not one. */
static const char *weekday_fr(const char *iso)
{
	static const char *const days[] = {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"};
	int y, m, d;
	if (!date_parse(iso, &y, &m, &d))
		return "";
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	timegm(&tm); /* sets tm_wday */
	return days[tm.tm_wday % 7];
}

/* ------------------------------------------------------------ the table of centres */

static int centres_page(struct req *r, int status, const struct errs *e)
{
	arena *a = r->a;
	const char *q = req_query(r, "q");
	struct centre *cs;
	int n;
	int rc = centre_list(r->db, a, q, &cs, &n);
	if (rc)
		return rc;
	view *v = bo_view(r, "Centres d'examen");
	view_set(v, "q", q ? q : "");
	view_list(v, "centres");
	for (int i = 0; i < n; i++) {
		const struct centre *c = &cs[i];
		view *row = view_add(v, "centres");
		view_setf(row, "id", "%lld", c->id);
		view_set(row, "cname", c->name);
		view_set(row, "city", c->city);
		view_set(row, "postal_code", c->postal_code);
		view_set(row, "department", department_label(a, c));
		view_set(row, "future_slots", int_fmt(a, c->future_slots));
		view_set(row, "free_seats", int_fmt(a, c->free_seats));
		view_set(row, "next", c->next_date ? when(a, c->next_date, c->next_time) : "—");
		view_set_bool(row, "active", c->active);
	}
	view_set(v, "count", n == 1 ? "1 centre" : arena_printf(a, "%s centres", int_fmt(a, n)));
	view_set(v, "form_action", "/backoffice/centres");
	view_set(v, "form_submit", "Créer le centre");
	view_form(v, r, centre_fields, e);
	if (e) {
		view_set_bool(v, "has_centre_errors", 1);
		view_set_bool(v, "active", str_eq(req_form(r, "active"), "1"));
	} else {
		view_set_bool(v, "active", 1); /* a new centre is offered to administrators */
	}
	return resp_page(r, status, "backoffice/centres", v);
}

int web_bo_centres(struct req *r)
{
	return centres_page(r, 200, NULL);
}

int web_bo_centre_create(struct req *r)
{
	struct errs e = {0};
	struct actor who = req_actor(r);
	struct centre_input in = centre_input_of(r);
	long long id = 0;
	int rc = centre_create(r->db, r->a, &who, &in, &e, &id);
	if (rc == CLR_EINVAL)
		return centres_page(r, 422, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/backoffice/centres/%lld", id),
			     "Le centre a été créé. Ajoutez-lui des créneaux.");
}

/* ------------------------------------------------------------ a centre's page */

enum failed_form { FAILED_NONE, FAILED_CENTRE, FAILED_SLOT, FAILED_SEATS };

static int centre_page(struct req *r, int status, long long id, enum failed_form failed, long long failed_slot,
		       const struct errs *e)
{
	arena *a = r->a;
	struct centre c;
	int rc = centre_get(r->db, a, id, &c);
	if (rc)
		return rc;
	struct slot *ss;
	int n;
	rc = slot_list(r->db, a, id, &ss, &n);
	if (rc)
		return rc;
	view *v = bo_view(r, c.name);
	view_setf(v, "centre_id", "%lld", c.id);
	view_set(v, "centre_name", c.name);
	view_set(v, "centre_address", c.address);
	view_set(v, "centre_place", arena_printf(a, "%s %s", c.postal_code, c.city));
	view_set(v, "centre_department", department_label(a, &c));
	view_set_bool(v, "centre_active", c.active);
	view_set(v, "future_slots", int_fmt(a, c.future_slots));
	view_set(v, "free_seats", int_fmt(a, c.free_seats));
	view_list(v, "slots");
	int past = 0;
	for (int i = 0; i < n; i++) {
		const struct slot *s = &ss[i];
		view *row = view_add(v, "slots");
		view_setf(row, "id", "%lld", s->id);
		view_set(row, "sdate", date_iso_fr(a, s->date));
		view_set(row, "sday", weekday_fr(s->date));
		view_set(row, "stime", s->time);
		view_set(row, "sseats", int_fmt(a, s->seats));
		view_set(row, "sbooked", int_fmt(a, s->booked));
		view_set(row, "sfree", int_fmt(a, s->seats - s->booked));
		view_set(row, "state", slot_state_label(s));
		view_set(row, "state_class", s->past ? "past" : s->closed ? "closed" : s->booked >= s->seats ? "full" : "open");
		view_set_bool(row, "past", s->past);
		view_set_bool(row, "closed", s->closed);
		const char *typed = NULL;
		if (failed == FAILED_SEATS && failed_slot == s->id) {
			view_set(row, "row_error", e && e->n ? e->e[0].msg : "");
			typed = req_form(r, "seats");
		}
		view_setf(row, "seats_value", "%s", typed ? typed : arena_printf(a, "%d", s->seats));
		past += s->past;
	}
	view_set_bool(v, "has_past", past > 0);
	/* the centre's form: its stored values, or what was typed */
	view_set(v, "form_action", arena_printf(a, "/backoffice/centres/%lld", c.id));
	view_set(v, "form_submit", "Enregistrer le centre");
	if (failed == FAILED_CENTRE) {
		view_form(v, r, centre_fields, e);
		view_set_bool(v, "has_centre_errors", 1);
		view_set_bool(v, "active", str_eq(req_form(r, "active"), "1"));
	} else {
		view_set(v, "name", c.name);
		view_set(v, "address", c.address);
		view_set(v, "postal_code", c.postal_code);
		view_set(v, "city", c.city);
		view_set_bool(v, "active", c.active);
	}
	if (failed == FAILED_SLOT) {
		view_form(v, r, slot_fields, e);
		view_set_bool(v, "has_slot_errors", 1);
	} else { /* « Ajouter un créneau » is empty beside another form's errors */
		view_blank(v, slot_fields);
	}
	return resp_page(r, status, "backoffice/centre", v);
}

int web_bo_centre(struct req *r)
{
	long long id = req_param_id(r, 0);
	return id ? centre_page(r, 200, id, FAILED_NONE, 0, NULL) : CLR_ENOTFOUND;
}

int web_bo_centre_save(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (!id)
		return CLR_ENOTFOUND;
	struct errs e = {0};
	struct actor who = req_actor(r);
	struct centre_input in = centre_input_of(r);
	int rc = centre_update(r->db, r->a, &who, id, &in, &e);
	if (rc == CLR_EINVAL)
		return centre_page(r, 422, id, FAILED_CENTRE, 0, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/backoffice/centres/%lld", id), "Le centre a été enregistré.");
}

int web_bo_slot_create(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (!id)
		return CLR_ENOTFOUND;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = slot_create(r->db, r->a, &who, id, req_form(r, "date"), req_form(r, "time"), req_form(r, "seats"), &e,
			     NULL);
	if (rc == CLR_EINVAL)
		return centre_page(r, 422, id, FAILED_SLOT, 0, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/backoffice/centres/%lld#creneaux", id), "Le créneau a été ajouté.");
}

int web_bo_slot_seats(struct req *r)
{
	long long id = req_param_id(r, 0), sid = req_param_id(r, 1);
	if (!id || !sid)
		return CLR_ENOTFOUND;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = slot_set_seats(r->db, r->a, &who, id, sid, req_form(r, "seats"), &e);
	if (rc == CLR_EINVAL)
		return centre_page(r, 422, id, FAILED_SEATS, sid, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/backoffice/centres/%lld#creneaux", id),
			     "Le nombre de places a été modifié.");
}

static int slot_closed(struct req *r, int closed)
{
	long long id = req_param_id(r, 0), sid = req_param_id(r, 1);
	if (!id || !sid)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	int rc = slot_set_closed(r->db, r->a, &who, id, sid, closed);
	const char *back = arena_printf(r->a, "/backoffice/centres/%lld#creneaux", id);
	if (rc == CLR_ECONFLICT)
		return resp_redirect(r, back, "Ce créneau est passé : il ne peut plus être modifié.");
	if (rc)
		return rc;
	return resp_redirect(r, back,
			     closed ? "Le créneau est fermé : il n'accepte plus de réservation (les candidats déjà convoqués le restent)."
				    : "Le créneau est rouvert aux réservations.");
}

int web_bo_slot_close(struct req *r)
{
	return slot_closed(r, 1);
}

int web_bo_slot_reopen(struct req *r)
{
	return slot_closed(r, 0);
}

/* ------------------------------------------------------------ CSV import */

static int import_page(struct req *r, int status, const char *form_error, const char *filename,
		       const struct slot_import_report *rep)
{
	arena *a = r->a;
	view *v = bo_view(r, "Importer des créneaux");
	if (form_error)
		view_set(v, "form_error", form_error);
	if (rep) {
		view_set(v, "filename", filename && *filename ? filename : "Fichier importé");
		view_set_bool(v, "report", 1);
		if (rep->file_error)
			view_set(v, "file_error", rep->file_error);
		view_set(v, "errors_summary",
			 arena_printf(a, "%s ligne%s sur %s %s des erreurs", int_fmt(a, rep->nerrors),
				      rep->nerrors > 1 ? "s" : "", int_fmt(a, rep->nlines),
				      rep->nerrors > 1 ? "contiennent" : "contient"));
		view_list(v, "errors");
		for (int i = 0; i < rep->nerrors; i++) {
			const struct slot_import_error *x = &rep->errors[i];
			view *row = view_add(v, "errors");
			view_setf(row, "line", "%d", x->line);
			view_set(row, "centre", x->centre);
			view_set(row, "date", x->date);
			view_set(row, "time", x->time);
			view_set(row, "seats", x->seats);
			view_list(row, "msgs");
			for (int k = 0; k < x->nmsg; k++)
				view_set(view_add(row, "msgs"), "text", x->msgs[k]);
		}
	}
	return resp_page(r, status, "backoffice/centres_import", v);
}

int web_bo_slots_import_form(struct req *r)
{
	return import_page(r, 200, NULL, NULL, NULL);
}

int web_bo_slots_template(struct req *r)
{
	buf b = BUF_INIT;
	int rc = slot_import_template(r->db, r->a, &b);
	if (rc) {
		buf_free(&b);
		return rc;
	}
	r->status = 200;
	r->content_type_out = "text/csv; charset=utf-8";
	buf_reset(&r->out);
	buf_add(&r->out, b.data, b.len);
	buf_free(&b);
	resp_header(r, "Content-Disposition", "attachment; filename=\"modele-creneaux.csv\"");
	resp_header(r, "Cache-Control", "no-store");
	r->responded = 1;
	return 0;
}

int web_bo_slots_import(struct req *r)
{
	const struct mp_part *f = req_file(r, "fichier");
	if (!f || f->len == 0)
		return import_page(r, 422, "Choisissez un fichier CSV à importer.", NULL, NULL);
	enum csv_encoding enc;
	size_t len;
	char *text = csv_to_utf8(r->a, f->data, f->len, &enc, &len);
	if (!text)
		return import_page(r, 422,
				   "Ce fichier n'est pas un fichier CSV : enregistrez-le au format CSV depuis votre tableur.",
				   NULL, NULL);
	const char *filename = f->filename;
	if (!utf8_valid(filename, strlen(filename)) || strlen(filename) > 200)
		filename = "fichier.csv";
	struct actor who = req_actor(r);
	struct slot_import_report rep;
	int rc = slot_import(r->db, r->a, &who, text, len, &rep);
	if (rc == CLR_EINVAL)
		return import_page(r, 422, NULL, filename, &rep);
	if (rc)
		return rc;
	return resp_redirect(r, "/backoffice/centres",
			     arena_printf(r->a, "%s importé%s dans %s : le fichier « %s » était sans erreur.",
					  rep.created == 1 ? "1 créneau" : arena_printf(r->a, "%d créneaux", rep.created),
					  rep.created == 1 ? "" : "s",
					  rep.ncentres == 1 ? "1 centre" : arena_printf(r->a, "%d centres", rep.ncentres),
					  utf8_len(filename) > 60 ? "…" : filename));
}
