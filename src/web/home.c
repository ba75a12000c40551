/* home.c - « Accueil », the administrator's dashboard, and the tabs whose
 * features are not built yet. */
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
	return resp_page(r, 200, "home", v);
}

static int soon(struct req *r, const char *title, const char *nav, const char *what)
{
	view *v = admin_view(r, title, nav);
	view_set(v, "what", what);
	return resp_page(r, 200, "soon", v);
}

int web_groups_soon(struct req *r)
{
	return soon(r, "Groupes", "nav_groups",
		    "Vous pourrez bientôt créer ici des groupes de candidats (client, classe, session d’examen, autre).");
}
