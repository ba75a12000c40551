/* backoffice.c - the Le Robert staff back office: its « Tableau de bord ». */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/dashboard.h"
#include "domain/support.h"

static void tile(view *v, const char *title, long long n, const char *one, const char *many, const char *href,
		 const char *action, int alert)
{
	view *t = view_add(v, "tiles");
	view_set(t, "title", title);
	view_set(t, "count", int_fmt(view_arena(v), n));
	view_set(t, "what", n == 1 ? one : many);
	view_set(t, "href", href);
	view_set(t, "action", action);
	view_set_bool(t, "alert", alert && n > 0);
}

int web_bo_home(struct req *r)
{
	struct bo_summary s;
	long long support[3]; /* open, answered, closed */
	int rc = bo_summary(r->db, r->a, &s);
	if (rc == 0)
		rc = support_counts(r->db, r->a, 0, support);
	if (rc)
		return rc;
	view *v = page_view(r, "Back-office");
	view_set_bool(v, "nav_bo_home", 1);
	tile(v, "Devis à envoyer", s.orders_requested, "commande demandée", "commandes demandées",
	     "/backoffice/commandes?statut=requested", "Voir les commandes", 1);
	tile(v, "Commandes à valider", s.orders_quoted, "devis envoyé", "devis envoyés",
	     "/backoffice/commandes?statut=quoted", "Voir les commandes", 1);
	tile(v, "Demandes à traiter", support[0], "demande ouverte", "demandes ouvertes", "/backoffice/demandes?statut=open",
	     "Voir les demandes", 1);
	tile(v, "Courriels en échec", s.mail_failed, "courriel non remis", "courriels non remis",
	     "/backoffice/courriels?status=failed", "Voir les courriels", 1);
	tile(v, "Courriels en attente", s.mail_pending, "courriel à envoyer", "courriels à envoyer",
	     "/backoffice/courriels?status=pending", "Voir les courriels", 0);
	tile(v, "Organisations partenaires", s.orgs, "organisation", "organisations", "/backoffice/organisations",
	     "Voir les organisations", 0);
	return resp_page(r, 200, "backoffice/home", v);
}
