/* groups.c - « Groupes » (issue 5): the table of the organisation's groups
 * (search by name, filter by category, the four categories explained),
 * creating, renaming and deleting a group, a group's page (its candidates in
 * the list of « Candidats », with « Retirer du groupe »), the picker
 * « Associer des candidats » (explicit ids, or every candidate matching the
 * filters with all_matching=1), and the pieces other screens show: the
 * « Groupes » tile of « Accueil », the « Tous les groupes » filter of
 * « Candidats » and the candidate page's groups.
 * Rules and storage are in domain/group.c; the organisation is always the
 * session's, so another organisation's group or candidate is a 404. */
#include "web/web.h"
#include "web/candidate_list.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/candidate.h"
#include "domain/group.h"
#include <string.h>
#include <time.h>

static view *groups_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_groups", 1);
	return v;
}


static const char *category_label(const char *code)
{
	const struct group_category *c = group_category_find(code);
	return c ? c->label : code;
}

/* Loads the group of path parameter 0: 0, CLR_ENOTFOUND (404 for the
 * caller) or a storage error. */
static int load(struct req *r, db *d, struct group *g)
{
	return group_get(d, r->a, r->sess->org_id, req_param_id(r, 0), g);
}

/* ------------------------------------------------------------ shared pieces */

int web_group_options(struct req *r, view *v, const char *selected, long long *gid)
{
	db *d = r->db;
	*gid = 0;
	struct group *gs;
	int n;
	int rc = group_names(d, r->a, r->sess->org_id, &gs, &n);
	if (rc)
		return rc;
	long long want = str_id(selected);
	view_list(v, "group_options");
	for (int i = 0; i < n; i++) {
		view_option(v, "group_options", ll_fmt(r->a, "", gs[i].id), gs[i].name, gs[i].id == want);
		if (gs[i].id == want)
			*gid = want;
	}
	view_set_bool(v, "has_group_options", n > 0);
	return 0;
}

int web_groups_tile(struct req *r, view *v)
{
	db *d = r->db;
	long long n;
	int rc = group_count(d, r->a, r->sess->org_id, &n);
	if (rc)
		return rc;
	view_set(v, "groups_total", int_fmt(r->a, n));
	return 0;
}

int web_candidate_groups_fill(struct req *r, view *v, long long cid)
{
	struct group *all;
	int na, nm = 0;
	int rc = group_choices(r->db, r->a, r->sess->org_id, cid, &all, &na);
	if (rc)
		return rc;
	view_setf(v, "groups_action", "/candidats/%lld/groupes", cid);
	view_list(v, "cand_groups");
	for (int i = 0; i < na; i++)
		if (all[i].chosen) {
			view *o = view_add(v, "cand_groups");
			view_set(o, "name", all[i].name);
			view_setf(o, "href", "/groupes/%lld", all[i].id);
			view_set(o, "category", category_label(all[i].category));
			nm++;
		}
	view_set_bool(v, "cand_groups_any", nm > 0);
	view_list(v, "group_choices");
	for (int i = 0; i < na; i++) {
		view *o = view_add(v, "group_choices");
		view_setf(o, "gid", "%lld", all[i].id);
		view_set(o, "name", all[i].name);
		view_set(o, "category", category_label(all[i].category));
		view_set_bool(o, "checked", all[i].chosen);
	}
	view_set_bool(v, "group_choices_any", na > 0);
	return 0;
}

int web_candidate_groups_save(struct req *r)
{
	db *d = r->db;
	long long cid = req_param_id(r, 0);
	if (cid <= 0)
		return CLR_ENOTFOUND;
	const char **vals;
	int n = req_form_all(r, "groupes", &vals);
	long long *gids = arena_alloc(r->a, sizeof *gids * (size_t)(n + 1));
	for (int i = 0; i < n; i++)
		if ((gids[i] = str_id(vals[i])) <= 0)
			return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	int rc = group_set_for_candidate(d, r->a, &who, cid, gids, n);
	if (rc == CLR_EINVAL)
		return resp_error(r, 400);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/candidats/%lld", cid), "Les groupes du candidat ont été enregistrés.");
}

/* ------------------------------------------------------------ the table of groups */

int web_groups(struct req *r)
{
	db *d = r->db;
	const char *q = req_query(r, "q"), *cat = req_query(r, "categorie");
	if (q && utf8_len(q) > 100)
		q = "";
	if (!group_category_find(cat))
		cat = NULL;
	struct group_query gq = {q, cat};
	struct group *gs;
	int n;
	int rc = group_list(d, r->a, r->sess->org_id, &gq, &gs, &n);
	if (rc)
		return rc;
	view *v = groups_view(r, "Groupes");
	view_set(v, "q", q ? q : "");
	view_list(v, "categories");
	view_list(v, "category_options");
	for (const struct group_category *c = group_categories; c->code; c++) {
		view *o = view_add(v, "categories");
		view_set(o, "label", c->label);
		view_set(o, "help", c->help);
		view_option(v, "category_options", c->code, c->label, str_eq(c->code, cat));
	}
	view_list(v, "groups");
	for (int i = 0; i < n; i++) {
		view *o = view_add(v, "groups");
		view_set(o, "name", gs[i].name);
		view_setf(o, "href", "/groupes/%lld", gs[i].id);
		view_set(o, "category", category_label(gs[i].category));
		view_set(o, "members", int_fmt(r->a, gs[i].members));
		view_set(o, "created", date_fmt(r->a, (time_t)gs[i].created_at));
	}
	view_set_bool(v, "empty", n == 0);
	view_set_bool(v, "filtered", !str_empty(q) || cat);
	view_setf(v, "count", "%d", n);
	view_set(v, "count_label", n == 1 ? "groupe" : "groupes");
	return web_page_or_part(r, "groups/list", "groups/table", v);
}

/* ------------------------------------------------------------ create, edit, delete */

static const char *const form_fields[] = {"name", "category", NULL};

static int render_form(struct req *r, struct group *g, int status, const struct errs *e)
{
	view *v = groups_view(r, g ? "Modifier le groupe" : "Création d'un groupe");
	view_set(v, "heading", g ? "Modifier le groupe" : "Création d'un groupe");
	if (g) {
		view_set(v, "name", g->name);
		view_set(v, "category", g->category);
		view_setf(v, "action", "/groupes/%lld/modifier", g->id);
		view_setf(v, "back_href", "/groupes/%lld", g->id);
		view_set(v, "submit", "Enregistrer");
	} else {
		view_set(v, "action", "/groupes/nouveau");
		view_set(v, "back_href", "/groupes");
		view_set(v, "submit", "Créer le groupe");
	}
	view_form(v, r, form_fields, e);
	const struct vval *cur = view_get(v, "category");
	view_list(v, "category_options");
	for (const struct group_category *c = group_categories; c->code; c++) {
		view_option(v, "category_options", c->code, c->label, cur && cur->kind == V_TEXT && str_eq(cur->s, c->code));
	}
	return resp_page(r, status, "groups/form", v);
}

int web_group_new_form(struct req *r)
{
	return render_form(r, NULL, 200, NULL);
}

int web_group_new(struct req *r)
{
	db *d = r->db;
	struct errs e = {0};
	struct actor who = req_actor(r);
	long long id;
	int rc = group_create(d, r->a, &who, req_form(r, "name"), req_form(r, "category"), &e, &id);
	if (rc == CLR_EINVAL)
		return render_form(r, NULL, 422, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/groupes/%lld", id), "Le groupe a été créé.");
}

int web_group_edit_form(struct req *r)
{
	db *d = r->db;
	struct group g;
	int rc = load(r, d, &g);
	if (rc)
		return rc;
	return render_form(r, &g, 200, NULL);
}

int web_group_edit(struct req *r)
{
	db *d = r->db;
	struct group g;
	int rc = load(r, d, &g);
	if (rc)
		return rc;
	struct errs e = {0};
	struct actor who = req_actor(r);
	rc = group_update(d, r->a, &who, g.id, req_form(r, "name"), req_form(r, "category"), &e);
	if (rc == CLR_EINVAL)
		return render_form(r, &g, 422, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/groupes/%lld", g.id), "Le groupe a été modifié.");
}

int web_group_delete_form(struct req *r)
{
	db *d = r->db;
	struct group g;
	int rc = load(r, d, &g);
	if (rc)
		return rc;
	view *v = groups_view(r, "Supprimer un groupe");
	view_set(v, "name", g.name);
	view_setf(v, "gid", "%lld", g.id);
	view_set(v, "members", int_fmt(r->a, g.members));
	view_set(v, "members_label", g.members == 1 ? "candidat" : "candidats");
	return resp_page(r, 200, "groups/delete", v);
}

int web_group_delete(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	struct actor who = req_actor(r);
	int rc = id > 0 ? group_delete(d, r->a, &who, id) : CLR_ENOTFOUND;
	if (rc)
		return rc;
	return resp_redirect(r, "/groupes", "Le groupe a été supprimé ; ses candidats restent dans « Candidats ».");
}

/* ------------------------------------------------------------ a group's page */

static void group_into(struct req *r, view *v, const struct group *g)
{
	view_setf(v, "gid", "%lld", g->id);
	view_set(v, "group_name", g->name);
	view_set(v, "category_label", category_label(g->category));
	view_set(v, "created", date_fmt(r->a, (time_t)g->created_at));
	view_set(v, "members", int_fmt(r->a, g->members));
	view_set(v, "members_label", g->members == 1 ? "candidat" : "candidats");
}

int web_group_show(struct req *r)
{
	db *d = r->db;
	struct group g;
	int rc = load(r, d, &g);
	if (rc)
		return rc;
	struct cand_list l;
	cand_list_parse(r, &l, arena_printf(r->a, "/groupes/%lld", g.id), 0);
	l.groupe = NULL; /* the list is the group's: no « Tous les groupes » filter */
	l.cq.group_id = g.id;
	view *v = groups_view(r, g.name);
	group_into(r, v, &g);
	rc = cand_list_fill(r, v, &l, "remove-form");
	if (rc)
		return rc;
	view_set_bool(v, "filtered", !str_empty(l.q) || l.cq.status);
	view_set(v, "empty_text", str_empty(l.q) && !l.cq.status
					  ? "Aucun candidat dans ce groupe : cliquez sur « Associer des candidats »."
					  : "Aucun candidat du groupe ne correspond à ces critères.");
	return web_page_or_part(r, "groups/show", "candidates/results", v);
}

int web_group_remove(struct req *r)
{
	db *d = r->db;
	struct group g;
	int rc = load(r, d, &g);
	if (rc)
		return rc;
	const char *back = arena_printf(r->a, "/groupes/%lld", g.id);
	struct cand_list l;
	struct cand_selection sel;
	if ((rc = cand_list_selection(r, &l, back, &sel)) != 0)
		return rc;
	if (sel.all || sel.n == 0)
		return resp_redirect(r, back, "Cochez au moins un candidat à retirer du groupe.");
	struct actor who = req_actor(r);
	long long removed = 0;
	rc = group_remove_members(d, r->a, &who, g.id, sel.ids, sel.n, &removed);
	if (rc == CLR_EINVAL)
		return resp_error(r, 400);
	if (rc)
		return rc;
	return resp_redirect(r, back,
			     removed == 1 ? "1 candidat a été retiré du groupe."
					  : arena_printf(r->a, "%lld candidats ont été retirés du groupe.", removed));
}

/* ------------------------------------------------------------ « Associer des candidats » */

int web_group_pick(struct req *r)
{
	db *d = r->db;
	struct group g;
	int rc = load(r, d, &g);
	if (rc)
		return rc;
	struct cand_list l;
	cand_list_parse(r, &l, arena_printf(r->a, "/groupes/%lld/associer", g.id), 0);
	l.results = "pick-results";
	view *v = groups_view(r, arena_printf(r->a, "Associer des candidats — %s", g.name));
	group_into(r, v, &g);
	rc = cand_list_group_filter(r, v, &l);
	if (rc == 0)
		rc = cand_list_fill(r, v, &l, "assoc-form");
	if (rc)
		return rc;
	return web_page_or_part(r, "groups/pick", "groups/pick_results", v);
}

int web_group_associate(struct req *r)
{
	db *d = r->db;
	struct group g;
	int rc = load(r, d, &g);
	if (rc)
		return rc;
	struct actor who = req_actor(r);
	long long added = 0;
	const char *back = arena_printf(r->a, "/groupes/%lld", g.id);
	struct cand_list l;
	struct cand_selection sel;
	if ((rc = cand_list_selection(r, &l, back, &sel)) != 0)
		return rc;
	if (sel.all)
		rc = group_add_matching(d, r->a, &who, g.id, sel.all, &added);
	else if (sel.n == 0)
		return resp_redirect(r, arena_printf(r->a, "/groupes/%lld/associer", g.id),
				     "Cochez au moins un candidat à associer au groupe.");
	else
		rc = group_add_members(d, r->a, &who, g.id, sel.ids, sel.n, &added);
	if (rc == CLR_EINVAL)
		return resp_error(r, 400);
	if (rc)
		return rc;
	return resp_redirect(r, back,
			     added == 0   ? "Les candidats choisis font déjà partie du groupe."
			     : added == 1 ? "1 candidat a été associé au groupe."
					  : arena_printf(r->a, "%s candidats ont été associés au groupe.", int_fmt(r->a, added)));
}
