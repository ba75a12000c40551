/* candidate_list.c - the candidate list shared by « Candidats », a group's
 * page and « Associer des candidats » (see candidate_list.h): parsing its
 * parameters, the URLs of its sort and page links (which keep the other
 * filters), and the view of its filters, rows, columns and pages. */
#include "web/candidate_list.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/cand_index.h"
#include "domain/group.h"
#include <stdlib.h>
#include <string.h>

/* URL slugs and headers of the columns, in the order of enum cand_sort. */
static const char *const sort_slugs[] = {"nom", "courriel", "statut", "date"};
static const char *const sort_heads[] = {"Nom", "Courriel", "Statut", "Date de passage"};

void cand_list_parse(struct req *r, struct cand_list *l, const char *base, int from_form)
{
	const char *(*get)(const struct req *, const char *) = from_form ? req_form : req_query;
	memset(l, 0, sizeof *l);
	l->base = base;
	l->results = "cand-results";
	l->q = get(r, "q");
	if (l->q && utf8_len(l->q) > 100)
		l->q = "";
	l->statut = get(r, "statut");
	l->groupe = get(r, "groupe");
	l->tri = get(r, "tri");
	l->ordre = get(r, "ordre");
	const char *pg = get(r, "page");
	l->page = pg ? atoi(pg) : 1;
	if (l->page < 1 || l->page > 1000000)
		l->page = 1;
	l->cq.q = l->q;
	l->cq.page = l->page;
	l->cq.per_page = 50;
	for (int i = 0; i < CAND_NSTATUS; i++)
		if (str_eq(l->statut, cand_statuses[i].slug))
			l->cq.status = cand_statuses[i].code;
	if (!l->cq.status)
		l->statut = NULL;
	int sort = 0;
	for (int i = 0; i < 4; i++)
		if (str_eq(l->tri, sort_slugs[i]))
			sort = i;
	l->cq.sort = (enum cand_sort)sort;
	l->cq.desc = str_eq(l->ordre, "desc");
	l->tri = sort ? sort_slugs[sort] : NULL;
	l->ordre = l->cq.desc ? "desc" : NULL;
}

const char *cand_list_url(arena *a, const struct cand_list *l, const char *tri, const char *ordre, int page)
{
	/* built in one arena block, without buf_printf: seven per list page
	 * (docs/PERFORMANCE.md, run 7) */
	enum { NK = 6, NEXTRA = 8 };
	const char *keys[NK + NEXTRA] = {"q", "statut", "groupe", "tri", "ordre", "page"};
	const char *vals[NK + NEXTRA] = {l->q, l->statut, l->groupe, tri, ordre, page > 1 ? ll_fmt(a, "", page) : NULL};
	int nk = NK;
	for (int i = 0; l->extra && l->extra[i] && nk < NK + NEXTRA; i += 2, nk++) {
		keys[nk] = l->extra[i];
		vals[nk] = l->extra[i + 1];
	}
	size_t lb = strlen(l->base), len = lb;
	for (int i = 0; i < nk; i++)
		if (!str_empty(vals[i])) {
			vals[i] = url_encode(a, vals[i]);
			len += 2 + strlen(keys[i]) + strlen(vals[i]);
		} else {
			vals[i] = NULL;
		}
	char *out = arena_alloc_raw(a, len + 1), *o = out, sep = '?';
	memcpy(o, l->base, lb);
	o += lb;
	for (int i = 0; i < nk; i++)
		if (vals[i]) {
			size_t lk = strlen(keys[i]), lv = strlen(vals[i]);
			*o++ = sep;
			memcpy(o, keys[i], lk);
			o += lk;
			*o++ = '=';
			memcpy(o, vals[i], lv);
			o += lv;
			sep = '&';
		}
	*o = 0;
	return out;
}

int cand_list_group_filter(struct req *r, view *v, struct cand_list *l)
{
	if (str_empty(l->groupe) && web_is_part(r)) { /* the results alone (as one types): no <select> to fill */
		l->groupe = NULL;
		return 0;
	}
	/* the groups of the <select> and, when the in-memory index may answer,
	 * the list's version: one round trip (PostgreSQL; db_prefetch) */
	struct db_stmt st[2];
	int n = 0;
	group_names_stmt(&st[n++], r->a, r->sess->org_id);
	if (str_empty(l->groupe) && l->cq.sort == CSORT_NAME && cand_index_enabled())
		candidate_list_version_stmt(&st[n++], r->a, r->sess->org_id);
	db_prefetch(r->db, r->a, st, n);
	int rc = web_group_options(r, v, l->groupe, &l->cq.group_id);
	if (rc)
		return rc;
	if (!l->cq.group_id)
		l->groupe = NULL;
	view_set_bool(v, "group_filter", 1);
	return 0;
}

int cand_list_fill(struct req *r, view *v, struct cand_list *l, const char *select_form)
{
	struct candidate_page res;
	int rc = candidate_list(r->db, r->a, r->sess->org_id, &l->cq, &res);
	if (rc)
		return rc;
	if (res.from_index)
		r->log_note = "list=index";
	arena *a = r->a;
	view_set(v, "list_href", l->base);
	view_set(v, "list_reset", cand_list_url(a, &(struct cand_list){.base = l->base, .extra = l->extra}, NULL, NULL, 1));
	view_list(v, "extra_fields");
	for (int i = 0; l->extra && l->extra[i]; i += 2) {
		view *o = view_add(v, "extra_fields");
		view_set(o, "name", l->extra[i]);
		view_set(o, "value", l->extra[i + 1] ? l->extra[i + 1] : "");
	}
	view_set(v, "list_results", l->results);
	view_set(v, "q", l->q ? l->q : "");
	view_list(v, "status_options");
	for (int i = 0; i < CAND_NSTATUS; i++)
		view_option(v, "status_options", cand_statuses[i].slug, cand_statuses[i].label,
			    str_eq(l->statut, cand_statuses[i].slug));
	view_set_bool(v, "filtered", !str_empty(l->q) || l->cq.status || l->cq.group_id);
	view_set_bool(v, "checked", 0); /* rows ticked again set it to true themselves */
	view_list(v, "rows");
	for (int i = 0; i < res.n; i++) {
		struct candidate_row *c = &res.rows[i];
		view *row = view_add(v, "rows");
		view_set_new(row, "name", c->display ? c->display : candidate_display_name(a, c->last_name, c->first_name));
		view_set_new(row, "email", c->email);
		const char *href = ll_fmt(a, "/candidats/", c->id);
		view_set_new(row, "href", href);
		view_set_new(row, "cid", href + strlen("/candidats/"));
		const struct cand_status *s = cand_status_find(c->status);
		view_set_new(row, "status_label", s ? s->label : c->status);
		view_set_new(row, "status_class", s ? s->colour : "draft");
		view_set_new(row, "exam_date", c->exam_date ? date_iso_fr(a, c->exam_date) : "");
		for (int k = 0; k < l->nchecked; k++) /* (the page says false for the others) */
			if (l->checked[k] == c->id) {
				view_set_bool(row, "checked", 1);
				break;
			}
	}
	view_set_bool(v, "empty", res.n == 0);
	int sort = (int)l->cq.sort;
	view_list(v, "columns");
	for (int i = 0; i < 4; i++) {
		view *h = view_add(v, "columns");
		int cur = sort == i;
		view_set(h, "label", sort_heads[i]);
		view_set(h, "href", cand_list_url(a, l, i ? sort_slugs[i] : NULL, cur && !l->cq.desc ? "desc" : NULL, 1));
		view_set(h, "aria_sort", cur ? (l->cq.desc ? "descending" : "ascending") : "none");
		view_set(h, "arrow", cur ? (l->cq.desc ? "▼" : "▲") : "");
	}
	view_set(v, "total", int_fmt(a, res.total));
	view_set(v, "total_n", ll_fmt(a, "", res.total));
	view_set(v, "total_label", res.total == 1 ? "candidat" : "candidats");
	view_set(v, "page", ll_fmt(a, "", res.page));
	view_set(v, "pages", ll_fmt(a, "", res.pages));
	view_set_bool(v, "paged", res.pages > 1);
	if (res.page > 1)
		view_set(v, "prev_href", cand_list_url(a, l, l->tri, l->ordre, res.page - 1));
	if (res.page < res.pages)
		view_set(v, "next_href", cand_list_url(a, l, l->tri, l->ordre, res.page + 1));
	view_set(v, "tri", l->tri ? l->tri : "");
	view_set(v, "ordre", l->ordre ? l->ordre : "");
	view_set(v, "groupe", l->cq.group_id && l->groupe ? l->groupe : "");
	view_set(v, "statut", l->statut ? l->statut : "");
	/* set last: every row's template asks for these two through the page
	 * view, whose keys are searched newest first (docs/PERFORMANCE.md, run 5) */
	if (select_form) { /* « Sélectionner les N candidats correspondants » (static/app.js) */
		int one = res.total == 1;
		const char *total = int_fmt(a, res.total);
		view_set(v, "select_matching", one ? "Sélectionner le candidat correspondant"
						  : arena_printf(a, "Sélectionner les %s candidats correspondants", total));
		view_set(v, "selected_matching", one ? "Le candidat correspondant est sélectionné."
						    : arena_printf(a, "Les %s candidats correspondants sont sélectionnés.", total));
	}
	view_set(v, "select_form", select_form ? select_form : "");
	view_set_bool(v, "selectable", select_form != NULL);
	return 0;
}

int cand_list_selection(struct req *r, struct cand_list *l, const char *base, struct cand_selection *sel)
{
	memset(sel, 0, sizeof *sel);
	const char **vals;
	int n = req_form_all(r, "all_matching", &vals), matching = 0;
	for (int i = 0; i < n; i++)
		matching |= str_eq(vals[i], "1");
	cand_list_parse(r, l, base, 1);
	if (matching) {
		if (!str_empty(l->groupe)) { /* the « Tous les groupes » filter: one of the organisation's groups */
			int rc = cand_list_group_filter(r, view_new(r->a), l);
			if (rc)
				return rc;
			if (!l->cq.group_id)
				return CLR_ENOTFOUND;
		}
		sel->all = &l->cq;
		return 0;
	}
	n = req_form_all(r, "ids", &vals);
	long long *ids = arena_alloc(r->a, sizeof *ids * (size_t)(n + 1));
	for (int i = 0; i < n; i++)
		if ((ids[i] = str_id(vals[i])) <= 0)
			return CLR_ENOTFOUND;
	sel->ids = ids;
	sel->n = n;
	l->checked = ids;
	l->nchecked = n;
	return 0;
}
