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
#include "domain/certification.h"
#include "domain/group.h"
#include "domain/outbox.h"
#include "domain/place.h"
#include <string.h>

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

/* The posted value of every form field. */
static void input_from_form(const struct req *r, struct candidate_input *in)
{
	memset(in, 0, sizeof *in);
	for (int i = 0; i < CAND_NFIELDS; i++)
		if (cand_fields[i].kind != CK_DERIVED)
			in->v[i] = req_form(r, cand_fields[i].name);
}

/* What the form shows of a stored candidate (dates as jj/mm/aaaa). */
static void input_from_candidate(arena *a, const struct candidate *c, struct candidate_input *in)
{
	memset(in, 0, sizeof *in);
	for (int i = 0; i < CAND_NFIELDS; i++)
		in->v[i] = cand_fields[i].kind == CK_DATE ? date_iso_fr(a, c->v[i]) : c->v[i];
}

/* One option of a radio group or <select>. */
static void option(view *f, const char *value, const char *label, const char *cur)
{
	view *o = view_add(f, "options");
	view_set(o, "value", value);
	view_set(o, "label", label);
	view_set_bool(o, "selected", str_eq(value, cur));
}

/* The fields of step `step` into v's list "fields", each with its value
 * (vals), its error (e) and what its kind needs (templates/candidates/field.html). */
static int fields_into(struct req *r, view *v, int step, const struct candidate_input *vals, const struct errs *e,
		       int has_password)
{
	arena *a = r->a;
	struct country *cs = NULL;
	int ncs = 0;
	view_list(v, "fields");
	for (int i = 0; i < CAND_NFIELDS; i++) {
		const struct cand_field *f = &cand_fields[i];
		if (f->step != step || f->kind == CK_DERIVED)
			continue;
		view *o = view_add(v, "fields");
		const char *val = vals->v[i] ? vals->v[i] : "";
		const char *err = e ? errs_get(e, f->name) : NULL;
		int radio = f->kind == CK_RADIO, select = f->kind == CK_SELECT || f->kind == CK_COUNTRY;
		view_set(o, "name", f->name);
		view_set(o, "label", f->label);
		view_set_bool(o, "required", (f->flags & CF_REQ) && !(f->kind == CK_PASSWORD && has_password));
		view_set(o, "value", f->kind == CK_PASSWORD ? "" : val); /* a password is never echoed */
		view_set(o, "error", err ? err : "");
		view_set(o, "prompt", f->prompt ? f->prompt : "");
		view_set(o, "hint", f->hint ? f->hint : "");
		view_set_bool(o, "is_radio", radio);
		view_set_bool(o, "is_select", select);
		view_set_bool(o, "is_input", !radio && !select);
		view_set(o, "input_type", f->kind == CK_EMAIL ? "email" : f->kind == CK_PHONE ? "tel"
					  : f->kind == CK_PASSWORD ? "password" : "text");
		view_set(o, "inputmode", f->kind == CK_DATE || (f->kind == CK_POSTAL && f->max == 5) ? "numeric" : "");
		view_set(o, "autocomplete", f->kind == CK_PASSWORD ? "new-password" : "off");
		view_set(o, "maxlength", f->max ? ll_fmt(a, "", f->max) : "");
		/* a postal code fills the datalist of the commune after it (static/app.js) */
		view_set(o, "list", f->kind == CK_CITY ? arena_printf(a, "%s_list", f->name) : "");
		view_set(o, "communes", f->kind == CK_POSTAL && i + 1 < CAND_NFIELDS && cand_fields[i + 1].kind == CK_CITY
						? arena_printf(a, "%s_list", cand_fields[i + 1].name) : "");
		view_list(o, "options");
		if (f->kind == CK_RADIO && !*val && (f->flags & CF_BOOL) && (f->flags & CF_REQ))
			val = f->choices[0].code; /* « Oui » until chosen */
		for (const struct code_label *t = f->choices; t && t->code; t++)
			option(o, t->code, t->label, val);
		if (f->kind == CK_COUNTRY) {
			if (!cs) {
				int rc = place_countries(r->db, a, &cs, &ncs);
				if (rc < 0)
					return rc;
			}
			for (int k = 0; k < ncs; k++)
				option(o, cs[k].code, cs[k].name, val);
		}
	}
	return 0;
}

/* Renders step `step` of candidate c (NULL: a new one) with the values vals
 * and the errors e (NULL: none). */
static int render_step(struct req *r, const struct candidate *c, int step, const struct candidate_input *vals,
		       const struct errs *e, int status)
{
	arena *a = r->a;
	view *v = cand_view(r, c ? arena_printf(a, "Candidat — %s", cand_steps[step].title) : "Création d'un candidat");
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
		view_set(o, "label", cand_steps[s].title);
		view_set(o, "kind", cand_steps[s].required ? "Obligatoire" : "Facultatif");
		view_set_bool(o, "current", s == step);
		view_set_bool(o, "done", (steps & CAND_STEP_BIT(s)) != 0);
		view_set(o, "href", c && s != step ? arena_printf(a, "/candidats/%lld/etape/%d", c->id, s) : "");
	}
	view_set(v, "step_title", cand_steps[step].title);
	view_set(v, "step_kind", cand_steps[step].required ? "champs obligatoires" : "champs facultatifs");
	view_set(v, "step_hint", cand_steps[step].hint ? cand_steps[step].hint : "");
	view_set_bool(v, "keep_password", step == CAND_STEP_PASSWORD && c && c->has_password);
	view_set(v, "action", c ? arena_printf(a, "/candidats/%lld/etape/%d", c->id, step) : "/candidats/nouveau");
	view_set(v, "cancel_href", c ? arena_printf(a, "/candidats/%lld", c->id) : "/candidats");
	int complete = ((steps | CAND_STEP_BIT(step)) & CAND_REQUIRED_STEPS) == CAND_REQUIRED_STEPS;
	view_set_bool(v, "can_next", draft && step < CAND_NSTEPS);
	view_set_bool(v, "can_save", complete || !draft);
	view_set_bool(v, "save_disabled", draft && !complete);
	view_set_bool(v, "has_errors", e && e->n);
	view_set(v, "form_error", e && errs_get(e, "") ? errs_get(e, "") : "");
	int rc = fields_into(r, v, step, vals, e, c && c->has_password);
	if (rc)
		return rc;
	return resp_page(r, status, "candidates/step", v);
}

int web_candidate_new_form(struct req *r)
{
	struct candidate_input vals = {0};
	vals.birth_country = "FR";
	return render_step(r, NULL, CAND_STEP_IDENTITY, &vals, NULL, 200);
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
	struct candidate c;
	int step = step_param(r);
	if (!step)
		return CLR_ENOTFOUND;
	int rc = load(r, r->db, &c);
	if (rc)
		return rc;
	struct candidate_input vals;
	input_from_candidate(r->a, &c, &vals);
	return render_step(r, &c, step, &vals, NULL, 200);
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
	if (rc == CLR_EINVAL) {
		struct candidate_input typed; /* what was typed, as typed */
		input_from_form(r, &typed);
		return render_step(r, cp, step, &typed, &e, 422);
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
		return CLR_ENOTFOUND;
	return save_step(r, id, step);
}

/* ------------------------------------------------------------ page */

static const char *country_name(void *ctx, const char *code)
{
	struct req *r = ctx;
	return place_country_name(r->db, r->a, code);
}

int web_candidate_show(struct req *r)
{
	db *d = r->db;
	struct candidate c;
	/* the page's reads in one round trip (PostgreSQL; db_prefetch): the
	 * candidate, their e-mails, certifications and history, the groups */
	long long pid = req_param_id(r, 0);
	if (pid > 0) {
		struct db_stmt st[5];
		candidate_get_stmt(&st[0], r->a, r->sess->org_id, pid);
		candidate_mails_stmt(&st[1], r->a, r->sess->org_id, pid);
		certification_list_stmt(&st[2], r->a, r->sess->org_id, &(struct cert_filter){.candidate_id = pid});
		certification_history_stmt(&st[3], r->a, r->sess->org_id, pid);
		group_choices_stmt(&st[4], r->a, r->sess->org_id, pid);
		db_prefetch(d, r->a, st, 5);
	}
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
		view_set(sec, "title", cand_steps[s].title);
		view_set(sec, "kind", cand_steps[s].required ? "Obligatoire" : "Facultatif");
		view_setf(sec, "edit_href", "/candidats/%lld/etape/%d", c.id, s);
		view_set_bool(sec, "incomplete", cand_steps[s].required && !(c.steps & CAND_STEP_BIT(s)));
		view_list(sec, "fields");
		for (int i = 0; i < CAND_NFIELDS; i++) {
			const struct cand_field *f = &cand_fields[i];
			/* a password and its confirmation are one line: « Défini » or not */
			if (f->step != s || f->kind == CK_DERIVED || (f->kind == CK_PASSWORD && cand_fields[i - 1].kind == CK_PASSWORD))
				continue;
			const char *text = f->kind == CK_PASSWORD ? (c.has_password ? "Défini" : "")
								  : candidate_field_text(a, f, c.v[i], country_name, r);
			view *o = view_add(sec, "fields");
			view_set(o, "label", f->label);
			view_set(o, "value", *text ? text : "—");
		}
	}
	struct candidate_mail *mails;
	int nm;
	rc = candidate_mails(d, a, r->sess->org_id, c.id, &mails, &nm);
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
	rc = web_candidate_certifications_fill(r, v, c.id); /* « Certifications » (certifications.c) */
	if (rc)
		return rc;
	rc = web_candidate_groups_fill(r, v, c.id); /* « Groupes » section (groups.c) */
	if (rc)
		return rc;
	web_candidate_privacy_fill(r, v, &c); /* « Espace candidat »: erasure (cand_space.c) */
	return resp_page(r, 200, "candidates/show", v);
}

/* The confirmation page; e (may be NULL) holds why it cannot be deleted. */
static int render_delete(struct req *r, const struct candidate *c, const struct errs *e, int status)
{
	view *v = cand_view(r, "Supprimer un candidat");
	view_set(v, "name", candidate_display_name(r->a, c->last_name, c->first_name));
	view_set(v, "email", c->email);
	view_setf(v, "id", "%lld", c->id);
	view_set(v, "refused", e && e->n ? e->e[0].msg : "");
	return resp_page(r, status, "candidates/delete", v);
}

int web_candidate_delete_form(struct req *r)
{
	struct candidate c;
	int rc = load(r, r->db, &c);
	if (rc)
		return rc;
	struct errs e = {0};
	rc = certification_candidate_deletable(r->db, r->a, r->sess->org_id, c.id, &e);
	if (rc && rc != CLR_EINVAL)
		return rc;
	return render_delete(r, &c, &e, 200);
}

int web_candidate_delete(struct req *r)
{
	struct candidate c;
	int rc = load(r, r->db, &c);
	if (rc)
		return rc;
	struct actor who = req_actor(r);
	struct errs e = {0};
	rc = candidate_delete(r->db, r->a, &who, c.id, &e);
	if (rc == CLR_EINVAL)
		return render_delete(r, &c, &e, 422);
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
		view_set(o, "label", cand_statuses[i].tile);
		view_set(o, "class", cand_statuses[i].colour);
		view_set(o, "href", arena_printf(r->a, "/candidats?statut=%s", cand_statuses[i].slug));
	}
	return 0;
}

/* The fields of one step for another form (the candidate's space,
 * cand_space.c): all_required marks every field required. */
int web_candidate_fields(struct req *r, view *v, int step, const struct candidate_input *vals, const struct errs *e,
			 int all_required)
{
	if (all_required)
		view_set_bool(v, "all_required", 1);
	return fields_into(r, v, step, vals, e, 1);
}
