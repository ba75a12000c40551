/* candidates.c - « Candidats »: the list (search, filters, sort and
 * pagination are the component of candidate_list.c; the page adds the
 * export links), the five-step form used both to
 * create a candidate and to edit one step, the candidate page, deletion with
 * confirmation, and the communes of a postal code (JSON, for suggestions).
 * Rules and storage are in domain/candidate.c; every call is scoped by the
 * session's organisation, so another organisation's candidate is a 404. */
#include "web/web.h"
#include "web/candidate_list.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/candidate.h"
#include "domain/outbox.h"
#include "domain/place.h"
#include <string.h>

static const char *const step_titles[] = {"", "Identité", "Mot de passe", "Informations", "Coordonnées", "Divers"};
static const char *const step_fields[][10] = {
	{NULL},
	{"civility", "last_name", "birth_name", "first_name", "email", "birth_date", "birth_postal_code", "birth_city",
	 "birth_country", NULL},
	{"password", "password_confirm", "send_credentials", NULL},
	{"employment", "funding", NULL},
	{"phone", "address", "postal_code", "city", "country", NULL},
	{"education", "csp", "french_native", NULL},
};

static view *cand_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_candidates", 1);
	return v;
}

static void status_into(view *v, const char *code)
{
	const struct cand_status *s = cand_status_find(code);
	view_set(v, "status_label", s ? s->label : code);
	view_set(v, "status_class", s ? s->colour : "draft");
}

/* A <select>'s options from a code/label table. */
static void options(view *v, const char *key, const struct code_label *t, const char *cur)
{
	view_list(v, key);
	for (; t->code; t++) {
		view *o = view_add(v, key);
		view_set(o, "value", t->code);
		view_set(o, "label", t->label);
		view_set_bool(o, "selected", str_eq(t->code, cur));
	}
}

static int country_options(struct req *r, db *d, view *v, const char *key, const char *cur)
{
	struct country *cs;
	int n, rc = place_countries(d, r->a, &cs, &n);
	if (rc < 0)
		return rc;
	view_list(v, key);
	for (int i = 0; i < n; i++) {
		view *o = view_add(v, key);
		view_set(o, "value", cs[i].code);
		view_set(o, "label", cs[i].name);
		view_set_bool(o, "selected", str_eq(cs[i].code, cur));
	}
	return 0;
}

/* ------------------------------------------------------------ list */

int web_candidates_list(struct req *r)
{
	struct cand_list l;
	cand_list_parse(r, &l, "/candidats", 0);
	view *v = cand_view(r, "Candidats");
	int rc = cand_list_group_filter(r, v, &l);
	if (rc == 0)
		rc = cand_list_fill(r, v, &l, NULL);
	if (rc)
		return rc;
	/* « Exporter (CSV) » / « Exporter (Excel) » with the same filters (candidates_io.c) */
	const char *filters = cand_list_url(r->a, &l, l.tri, l.ordre, 1) + strlen(l.base);
	view_setf(v, "export_csv_href", "/candidats/export.csv%s", filters);
	view_setf(v, "export_xlsx_href", "/candidats/export.xlsx%s", filters);
	return web_page_or_part(r, "candidates/list", "candidates/results", v);
}

/* ------------------------------------------------------------ communes */

static void json_str(buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			buf_printf(b, "\\u%04x", c);
		else
			buf_addc(b, (char)c);
	}
	buf_addc(b, '"');
}

int web_candidate_communes(struct req *r)
{
	db *d = r->db;
	struct commune *cs;
	int n;
	int rc = place_communes(d, r->a, req_query(r, "cp"), &cs, &n);
	if (rc)
		return rc;
	buf b = BUF_INIT;
	buf_adds(&b, "[");
	for (int i = 0; i < n; i++) {
		if (i)
			buf_addc(&b, ',');
		json_str(&b, cs[i].name);
	}
	buf_adds(&b, "]");
	resp_text(r, 200, "application/json; charset=utf-8", b.data);
	buf_free(&b);
	return 0;
}

/* ------------------------------------------------------------ steps */

static void input_from_form(const struct req *r, struct candidate_input *in)
{
	memset(in, 0, sizeof *in);
	in->civility = req_form(r, "civility");
	in->last_name = req_form(r, "last_name");
	in->birth_name = req_form(r, "birth_name");
	in->first_name = req_form(r, "first_name");
	in->email = req_form(r, "email");
	in->birth_date = req_form(r, "birth_date");
	in->birth_postal_code = req_form(r, "birth_postal_code");
	in->birth_city = req_form(r, "birth_city");
	in->birth_country = req_form(r, "birth_country");
	in->password = req_form(r, "password");
	in->password_confirm = req_form(r, "password_confirm");
	in->send_credentials = req_form(r, "send_credentials");
	in->employment = req_form(r, "employment");
	in->funding = req_form(r, "funding");
	in->phone = req_form(r, "phone");
	in->address = req_form(r, "address");
	in->postal_code = req_form(r, "postal_code");
	in->city = req_form(r, "city");
	in->country = req_form(r, "country");
	in->education = req_form(r, "education");
	in->csp = req_form(r, "csp");
	in->french_native = req_form(r, "french_native");
}

/* Values of a stored candidate, as the form shows them. */
static void values_from_candidate(arena *a, view *v, const struct candidate *c)
{
	view_set(v, "civility", c->civility);
	view_set(v, "last_name", c->last_name);
	view_set(v, "birth_name", c->birth_name);
	view_set(v, "first_name", c->first_name);
	view_set(v, "email", c->email);
	view_set(v, "birth_date", date_iso_fr(a, c->birth_date));
	view_set(v, "birth_postal_code", c->birth_postal_code);
	view_set(v, "birth_city", c->birth_city);
	view_set(v, "birth_country", c->birth_country);
	view_set(v, "send_credentials", c->has_password ? (c->send_credentials ? "oui" : "non") : "oui");
	view_set(v, "employment", c->employment);
	view_set(v, "funding", c->funding);
	view_set(v, "phone", c->phone);
	view_set(v, "address", c->address);
	view_set(v, "postal_code", c->postal_code);
	view_set(v, "city", c->city);
	view_set(v, "country", c->country);
	view_set(v, "education", c->education);
	view_set(v, "csp", c->csp);
	view_set(v, "french_native", c->french_native);
}

static const char *vtext(view *v, const char *key)
{
	const struct vval *x = view_get(v, key);
	return x && x->kind == V_TEXT ? x->s : "";
}

/* Renders step `step` of candidate c (NULL: a new one) with the values and
 * errors already in v. */
static int render_step(struct req *r, db *d, view *v, const struct candidate *c, int step, int status)
{
	arena *a = r->a;
	int steps = c ? c->steps : 0;
	int draft = !c || str_eq(c->status, CAND_DRAFT);
	view_set(v, "heading", draft ? "Création d'un candidat"
				     : arena_printf(a, "Modifier le candidat %s",
						    candidate_display_name(a, c->last_name, c->first_name)));
	status_into(v, c ? c->status : CAND_DRAFT);
	view_list(v, "stepper");
	for (int s = 1; s <= CAND_NSTEPS; s++) {
		view *o = view_add(v, "stepper");
		view_setf(o, "n", "%d", s);
		view_set(o, "label", step_titles[s]);
		view_set(o, "kind", s <= 3 ? "Obligatoire" : "Facultatif");
		view_set_bool(o, "current", s == step);
		view_set_bool(o, "done", (steps & CAND_STEP_BIT(s)) != 0);
		if (c && s != step)
			view_setf(o, "href", "/candidats/%lld/etape/%d", c->id, s);
	}
	view_setf(v, "step", "%d", step);
	view_set(v, "step_title", step_titles[step]);
	view_set(v, "step_kind", step <= 3 ? "champs obligatoires" : "champs facultatifs");
	view_set_bool(v, arena_printf(a, "step%d", step), 1);
	if (c)
		view_setf(v, "action", "/candidats/%lld/etape/%d", c->id, step);
	else
		view_set(v, "action", "/candidats/nouveau");
	if (c)
		view_setf(v, "cancel_href", "/candidats/%lld", c->id);
	else
		view_set(v, "cancel_href", "/candidats");
	int complete = ((steps | CAND_STEP_BIT(step)) & CAND_REQUIRED_STEPS) == CAND_REQUIRED_STEPS;
	view_set_bool(v, "can_next", draft && step < CAND_NSTEPS);
	view_set_bool(v, "can_save", complete || !draft);
	view_set_bool(v, "save_disabled", draft && !complete);
	view_set_bool(v, "has_password", c && c->has_password);

	switch (step) {
	case CAND_STEP_IDENTITY: {
		const char *civ = vtext(v, "civility");
		view_list(v, "civilities");
		for (const struct code_label *t = cand_civilities; t->code; t++) {
			view *o = view_add(v, "civilities");
			view_set(o, "value", t->code);
			view_set(o, "label", t->label);
			view_set_bool(o, "checked", str_eq(civ, t->code));
		}
		int rc = country_options(r, d, v, "birth_countries", vtext(v, "birth_country"));
		if (rc)
			return rc;
		break;
	}
	case CAND_STEP_PASSWORD: {
		const char *send = vtext(v, "send_credentials");
		view_set_bool(v, "send_oui", str_eq(send, "oui") || !*send);
		view_set_bool(v, "send_non", str_eq(send, "non"));
		break;
	}
	case CAND_STEP_INFO:
		options(v, "employments", cand_employments, vtext(v, "employment"));
		options(v, "fundings", cand_fundings, vtext(v, "funding"));
		break;
	case CAND_STEP_CONTACT: {
		int rc = country_options(r, d, v, "countries", vtext(v, "country"));
		if (rc)
			return rc;
		break;
	}
	case CAND_STEP_MISC: {
		options(v, "educations", cand_educations, vtext(v, "education"));
		options(v, "csps", cand_csps, vtext(v, "csp"));
		const char *fn = vtext(v, "french_native");
		view_set_bool(v, "native_oui", str_eq(fn, "oui"));
		view_set_bool(v, "native_non", str_eq(fn, "non"));
		break;
	}
	}
	return resp_page(r, status, "candidates/step", v);
}

int web_candidate_new_form(struct req *r)
{
	db *d = r->db;
	view *v = cand_view(r, "Création d'un candidat");
	view_set(v, "birth_country", "FR");
	return render_step(r, d, v, NULL, CAND_STEP_IDENTITY, 200);
}

/* Loads the candidate of path parameter 0 (404 when not this org's). */
static int load(struct req *r, db *d, struct candidate *c)
{
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return CLR_ENOTFOUND;
	return candidate_get(d, r->a, r->sess->org_id, id, c);
}

static int step_param(struct req *r)
{
	const char *s = req_param(r, 1);
	if (!s || strlen(s) != 1 || *s < '1' || *s > '0' + CAND_NSTEPS)
		return 0;
	return *s - '0';
}

int web_candidate_step_form(struct req *r)
{
	db *d = r->db;
	struct candidate c;
	int rc = load(r, d, &c), step = step_param(r);
	if (rc == CLR_ENOTFOUND || !step)
		return resp_error(r, 404);
	if (rc)
		return rc;
	view *v = cand_view(r, arena_printf(r->a, "Candidat — %s", step_titles[step]));
	values_from_candidate(r->a, v, &c);
	return render_step(r, d, v, &c, step, 200);
}

/* First required step not yet valid, or 0. */
static int missing_step(int steps)
{
	for (int s = 1; s <= 3; s++)
		if (!(steps & CAND_STEP_BIT(s)))
			return s;
	return 0;
}

static int save_step(struct req *r, long long id, int step)
{
	db *d = r->db;
	struct candidate cur, *cp = NULL;
	if (id) {
		int rc = candidate_get(d, r->a, r->sess->org_id, id, &cur);
		if (rc == CLR_ENOTFOUND)
			return resp_error(r, 404);
		if (rc)
			return rc;
		cp = &cur;
	}
	struct candidate_input in;
	input_from_form(r, &in);
	struct errs e = {0};
	struct actor who = req_actor(r);
	int finish = str_eq(req_form(r, "action"), "save");
	long long new_id = 0;
	int finished = 0;
	int rc = candidate_save_step(d, r->a, &who, id, step, &in, finish, &e, &new_id, &finished);
	if (rc == CLR_ENOTFOUND)
		return resp_error(r, 404);
	if (rc == CLR_EINVAL) {
		view *v = cand_view(r, arena_printf(r->a, "Candidat — %s", step_titles[step]));
		if (cp)
			values_from_candidate(r->a, v, cp);
		view_form(v, r, step_fields[step], &e);
		view_set(v, "password", "");
		view_set(v, "password_confirm", "");
		return render_step(r, d, v, cp, step, 422);
	}
	if (rc)
		return rc;
	struct candidate now;
	rc = candidate_get(d, r->a, r->sess->org_id, new_id, &now);
	if (rc)
		return rc;
	if (finished && (!cp || str_eq(cp->status, CAND_DRAFT)))
		return resp_redirect(r, arena_printf(r->a, "/candidats/%lld", new_id),
				     "Le candidat a été enregistré.");
	if (!str_eq(now.status, CAND_DRAFT))
		return resp_redirect(r, arena_printf(r->a, "/candidats/%lld", new_id), "Les modifications ont été enregistrées.");
	/* still a draft: go on with the next step, or to the missing one */
	int next = step < CAND_NSTEPS ? step + 1 : missing_step(now.steps);
	if (finish && missing_step(now.steps))
		next = missing_step(now.steps);
	if (!next)
		next = step;
	const char *flash = finish && missing_step(now.steps)
				    ? "Complétez les étapes obligatoires avant d'enregistrer le candidat."
				    : "Étape enregistrée : le candidat est « En création ».";
	return resp_redirect(r, arena_printf(r->a, "/candidats/%lld/etape/%d", new_id, next), flash);
}

int web_candidate_new(struct req *r)
{
	return save_step(r, 0, CAND_STEP_IDENTITY);
}

int web_candidate_step_save(struct req *r)
{
	long long id = req_param_id(r, 0);
	int step = step_param(r);
	if (id <= 0 || !step)
		return resp_error(r, 404);
	return save_step(r, id, step);
}

/* ------------------------------------------------------------ page */

static void field(view *v, const char *list, const char *label, const char *value)
{
	view *f = view_add(v, list);
	view_set(f, "label", label);
	view_set(f, "value", value && *value ? value : "—");
}

int web_candidate_show(struct req *r)
{
	db *d = r->db;
	struct candidate c;
	int rc = load(r, d, &c);
	if (rc)
		return rc;
	arena *a = r->a;
	const char *name = candidate_display_name(a, c.last_name, c.first_name);
	view *v = cand_view(r, name);
	view_set(v, "name", name);
	view_setf(v, "id", "%lld", c.id);
	status_into(v, c.status);
	view_set_bool(v, "is_draft", str_eq(c.status, CAND_DRAFT));
	if (str_eq(c.status, CAND_DRAFT))
		view_setf(v, "resume_href", "/candidats/%lld/etape/%d", c.id, missing_step(c.steps) ? missing_step(c.steps) : 1);
	view_set(v, "exam_date", c.exam_date ? date_iso_fr(a, c.exam_date) : "");
	view_list(v, "sections");
	for (int s = 1; s <= CAND_NSTEPS; s++) {
		view *sec = view_add(v, "sections");
		view_set(sec, "title", step_titles[s]);
		view_set(sec, "kind", s <= 3 ? "Obligatoire" : "Facultatif");
		view_setf(sec, "edit_href", "/candidats/%lld/etape/%d", c.id, s);
		view_set_bool(sec, "incomplete", s <= 3 && !(c.steps & CAND_STEP_BIT(s)));
		view_list(sec, "fields");
		switch (s) {
		case 1: {
			const char *country = place_country_name(d, a, c.birth_country);
			field(sec, "fields", "Civilité", code_label(cand_civilities, c.civility));
			field(sec, "fields", "Nom", c.last_name);
			field(sec, "fields", "Nom de naissance", c.birth_name);
			field(sec, "fields", "Prénom", c.first_name);
			field(sec, "fields", "Courriel", c.email);
			field(sec, "fields", "Date de naissance", date_iso_fr(a, c.birth_date));
			field(sec, "fields", "Code postal de naissance", c.birth_postal_code);
			field(sec, "fields", "Commune de naissance", c.birth_city);
			field(sec, "fields", "Pays de naissance", country ? country : c.birth_country);
			break;
		}
		case 2:
			field(sec, "fields", "Mot de passe", c.has_password ? "Défini" : "");
			field(sec, "fields", "Envoyer l'identifiant et le mot de passe par courriel",
			      c.has_password ? (c.send_credentials ? "Oui" : "Non") : "");
			break;
		case 3:
			field(sec, "fields", "Statut", code_label(cand_employments, c.employment));
			field(sec, "fields", "Financement", code_label(cand_fundings, c.funding));
			break;
		case 4: {
			const char *country = place_country_name(d, a, c.country);
			field(sec, "fields", "Téléphone (mobile de préférence)", c.phone);
			field(sec, "fields", "Adresse de résidence", c.address);
			field(sec, "fields", "Code postal de résidence", c.postal_code);
			field(sec, "fields", "Commune de résidence", c.city);
			field(sec, "fields", "Pays de résidence", country ? country : c.country);
			break;
		}
		case 5:
			field(sec, "fields", "Niveau d'études", code_label(cand_educations, c.education));
			field(sec, "fields", "Catégorie socio-professionnelle", code_label(cand_csps, c.csp));
			field(sec, "fields", "Le français est-il votre langue maternelle ?", code_label(cand_yes_no, c.french_native));
			break;
		}
	}
	struct candidate_mail *mails;
	int nm;
	rc = candidate_mails(d, a, r->sess->org_id, c.email, &mails, &nm);
	if (rc)
		return rc;
	view_list(v, "mails");
	for (int i = 0; i < nm; i++) {
		view *m = view_add(v, "mails");
		view_set(m, "subject", mails[i].subject);
		view_set(m, "status", outbox_status_label(mails[i].status));
		view_set(m, "date", datetime_fmt(a, (time_t)mails[i].created_at));
		view_set(m, "sent", mails[i].sent_at ? datetime_fmt(a, (time_t)mails[i].sent_at) : "");
	}
	view_set_bool(v, "has_mails", nm > 0);
	rc = web_candidate_groups_fill(r, v, c.id); /* « Groupes » section (groups.c) */
	if (rc)
		return rc;
	return resp_page(r, 200, "candidates/show", v);
}

int web_candidate_delete_form(struct req *r)
{
	db *d = r->db;
	struct candidate c;
	int rc = load(r, d, &c);
	if (rc)
		return rc;
	const char *name = candidate_display_name(r->a, c.last_name, c.first_name);
	view *v = cand_view(r, "Supprimer un candidat");
	view_set(v, "name", name);
	view_set(v, "email", c.email);
	view_setf(v, "id", "%lld", c.id);
	return resp_page(r, 200, "candidates/delete", v);
}

int web_candidate_delete(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	if (id <= 0)
		return resp_error(r, 404);
	struct actor who = req_actor(r);
	int rc = candidate_delete(d, r->a, &who, id);
	if (rc)
		return rc;
	return resp_redirect(r, "/candidats", "Le candidat a été supprimé.");
}

/* ------------------------------------------------------------ home tile */

int web_candidates_tile(struct req *r, view *v)
{
	db *d = r->db;
	long long counts[CAND_NSTATUS], total;
	int rc = candidate_counts(d, r->a, r->sess->org_id, counts, &total);
	if (rc)
		return rc;
	view_set(v, "cand_total", int_fmt(r->a, total));
	view_list(v, "cand_counts");
	for (int i = 0; i < CAND_NSTATUS; i++) {
		view *o = view_add(v, "cand_counts");
		view_set(o, "count", int_fmt(r->a, counts[i]));
		view_set(o, "label", cand_statuses[i].label);
		view_set(o, "class", cand_statuses[i].colour);
	}
	return 0;
}
