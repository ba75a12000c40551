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
	return resp_page(r, 200, "home", v);
}

static int soon(struct req *r, const char *title, const char *nav, const char *what)
{
	view *v = admin_view(r, title, nav);
	view_set(v, "what", what);
	return resp_page(r, 200, "soon", v);
}

int web_orders_soon(struct req *r)
{
	return soon(r, "Mes commandes", "nav_orders",
		    "Vous pourrez bientôt commander ici des certifications et suivre vos commandes.");
}

int web_groups_soon(struct req *r)
{
	return soon(r, "Groupes", "nav_groups",
		    "Vous pourrez bientôt créer ici des groupes de candidats (client, classe, session d’examen, autre).");
}

int web_candidates_soon(struct req *r)
{
	return soon(r, "Candidats", "nav_candidates",
		    "Vous pourrez bientôt créer ici vos candidats, leur attribuer des certifications et générer leurs codes d’activation.");
}
