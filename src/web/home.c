/* home.c - « Accueil », the administrator's dashboard: each tile is filled
 * by its screen family's *_tile() function. */
#include "web/web.h"

static view *admin_view(struct req *r, const char *title, const char *nav)
{
	view *v = page_view(r, title);
	view_set_bool(v, nav, 1);
	return v;
}

int web_home(struct req *r)
{
	view *v = admin_view(r, "Accueil", "nav_home");
	int rc = web_stock_tile(r, v); /* « Certifications restantes » (orders.c) */
	if (rc)
		return rc;
	rc = web_candidates_tile(r, v); /* « Candidats » (candidates.c) */
	if (rc)
		return rc;
	rc = web_groups_tile(r, v); /* « Groupes » (groups.c) */
	if (rc)
		return rc;
	rc = web_stock_alert_fill(r, v); /* the low-stock banner (team.c) */
	if (rc)
		return rc;
	return resp_page(r, 200, "home", v);
}
