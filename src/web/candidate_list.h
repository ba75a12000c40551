/* candidate_list.h - the list of candidates as « Candidats » (/candidats), a
 * group's page (/groupes/{id}) and « Associer des candidats »
 * (/groupes/{id}/associer) show it: search « Rechercher un nom, un courriel »,
 * status filter, « Tous les groupes » filter, sortable columns, pagination.
 * A handler parses the parameters into a struct cand_list, adjusts what its
 * screen fixes (a group's page lists one group), and fills the view that
 * templates/candidates/filters.html and templates/candidates/results.html
 * show.  Every string is arena-owned (the request's arena). */
#ifndef CLR_WEB_CANDIDATE_LIST_H
#define CLR_WEB_CANDIDATE_LIST_H
#include "web/web.h"
#include "domain/candidate.h"
#include "domain/cand_selection.h"

/* The filters, sort and page of a list, as typed in the URL (or posted back
 * with a selection): q, statut, groupe, tri, ordre, page.  Unknown or default
 * values are NULL, so that the URLs built from it stay short. */
struct cand_list {
	const char *base;    /* path of the list: the form's action and « Réinitialiser les filtres » */
	const char *results; /* id of the element the live search refreshes ("cand-results") */
	const char *q, *statut, *groupe, *tri, *ordre;
	int page;
	struct candidate_query cq; /* what candidate_list() runs (50 a page) */
	/* parameters of the screen kept by every link and by the filters
	 * (hidden fields), NULL-terminated name/value pairs, or NULL */
	const char *const *extra;
	/* ticked rows to show ticked again (a form sent back with an error) */
	const long long *checked;
	int nchecked;
};

/* Reads the parameters from the query string, or from the posted form when
 * from_form != 0. */
void cand_list_parse(struct req *r, struct cand_list *l, const char *base, int from_form);
/* base?q=…&statut=…&groupe=…&tri=…&ordre=…&page=… with the filters of l and
 * the given sort and page (empty values and page 1 left out). */
const char *cand_list_url(arena *a, const struct cand_list *l, const char *tri, const char *ordre, int page);
/* The « Tous les groupes » filter: its options (group_options) and
 * group_filter; l->cq.group_id set when l->groupe is one of the
 * organisation's groups, else l->groupe cleared. */
int cand_list_group_filter(struct req *r, view *v, struct cand_list *l);
/* Runs the list and fills v: the filters (q, status_options, tri, ordre,
 * statut, groupe, list_href, list_results, filtered), the rows, the sortable
 * columns and the pagination.  select_form: the form the rows' checkboxes
 * belong to (then also select_matching and selected_matching, the texts of
 * « Sélectionner les N candidats correspondants »), or NULL for rows
 * without a checkbox. */
int cand_list_fill(struct req *r, view *v, struct cand_list *l, const char *select_form);

/* The selection a picker posted (its form's fields): every candidate
 * matching the posted filters when all_matching=1 (l and its group filter
 * are parsed, l->cq is what sel->all points to), else the ticked ids.
 * CLR_ENOTFOUND for an id that is not a positive integer or a group filter
 * that is not one of the organisation's groups. */
int cand_list_selection(struct req *r, struct cand_list *l, const char *base, struct cand_selection *sel);

#endif
