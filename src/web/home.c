/* home.c - « Accueil », the administrator's dashboard: each tile is filled
 * by its screen family's *_tile() function. */
#include "web/web.h"
#include "domain/candidate.h"
#include "domain/group.h"
#include "domain/stock.h"
#include "domain/team.h"

static view *admin_view(struct req *r, const char *title, const char *nav)
{
	view *v = page_view(r, title);
	view_set_bool(v, nav, 1);
	return v;
}

int web_home(struct req *r)
{
	view *v = admin_view(r, "Accueil", "nav_home");
	/* the tiles' reads in one round trip (PostgreSQL; db_prefetch) */
	struct db_stmt st[4];
	stock_balances_stmt(&st[0], r->a, r->sess->org_id);
	candidate_counts_stmt(&st[1], r->a, r->sess->org_id);
	group_count_stmt(&st[2], r->a, r->sess->org_id);
	team_stock_threshold_stmt(&st[3], r->a, r->sess->org_id); /* the low-stock banner's */
	db_prefetch(r->db, r->a, st, 4);
	/* the balances, read once for the tile and the low-stock banner */
	struct stock_balance *bs;
	int nb;
	long long total;
	int rc = stock_balances(r->db, r->a, r->sess->org_id, &bs, &nb, &total);
	if (rc)
		return rc;
	web_stock_tile(r, v, bs, nb, total); /* « Certifications restantes » (orders.c) */
	rc = web_candidates_tile(r, v); /* « Candidats » (candidates.c) */
	if (rc)
		return rc;
	rc = web_groups_tile(r, v); /* « Groupes » (groups.c) */
	if (rc)
		return rc;
	rc = web_stock_alert_fill(r, v, bs, nb); /* the low-stock banner (team.c) */
	if (rc)
		return rc;
	return resp_page(r, 200, "home", v);
}
