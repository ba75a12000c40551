/* bo_orders.c - the Le Robert back office for orders and stock: every
 * order (filtered by status and organisation), quoting, validating (credits
 * the stock once) and cancelling; organisations with their stock and the
 * manual correction; the catalogue and its prices. */
#include "web/web.h"
#include "core/err.h"
#include "core/money.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/org.h"
#include "domain/stock.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static view *bo_view(struct req *r, const char *title, const char *nav)
{
	view *v = page_view(r, title);
	view_set_bool(v, nav, 1);
	return v;
}

static const char *const status_keys[] = {"requested", "quoted", "validated", "cancelled", NULL};

int web_bo_orders(struct req *r)
{
	db *d = r->db;
	const char *status = req_query(r, "statut");
	if (!order_status_valid(status))
		status = "";
	const char *org_s = req_query(r, "organisation");
	long long org_id = org_s ? atoll(org_s) : 0;
	if (org_id < 0)
		org_id = 0;
	struct order *os;
	struct org *gs;
	int n, ng;
	int rc = order_list(d, r->a, org_id, status, &os, &n);
	if (!rc)
		rc = org_list(d, r->a, &gs, &ng);
	if (rc)
		return rc;
	view *v = bo_view(r, "Commandes", "nav_bo_orders");
	view_list(v, "statuses");
	for (int i = 0; status_keys[i]; i++) {
		view_option(v, "statuses", status_keys[i], order_status_label(status_keys[i]), str_eq(status, status_keys[i]));
	}
	view_list(v, "orgs");
	for (int i = 0; i < ng; i++) {
		view_option(v, "orgs", arena_printf(view_arena(v), "%lld", gs[i].id), gs[i].name, gs[i].id == org_id);
	}
	view_list(v, "orders");
	for (int i = 0; i < n; i++)
		order_view_fill(view_add(v, "orders"), r->a, &os[i]);
	return resp_page(r, 200, "backoffice/orders", v);
}

int web_bo_order(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	struct order o;
	struct org g;
	int rc = id ? order_get(d, r->a, 0, id, &o) : CLR_ENOTFOUND;
	if (!rc)
		rc = org_get(d, r->a, o.org_id, &g);
	if (rc)
		return rc;
	view *v = bo_view(r, arena_printf(r->a, "Commande %s", o.number), "nav_bo_orders");
	order_view_fill(v, r->a, &o);
	view_set(v, "admin_email", g.admin_email);
	view_set(v, "admin_phone", g.admin_phone);
	return resp_page(r, 200, "backoffice/order", v);
}

static int order_action(struct req *r, int which)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	if (!id)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	struct errs e = {0};
	int rc, already = 0;
	const char *ok;
	if (which == 'q') {
		rc = order_quote(d, r->a, &who, id, req_form(r, "quote_ref"), &e);
		ok = "La commande est passée à « Devis envoyé ».";
	} else if (which == 'v') {
		rc = order_validate(d, r->a, &who, id, &already);
		ok = already ? "Cette commande était déjà validée : le stock n’a pas été crédité une seconde fois."
			     : "Commande validée : le stock de l’organisation a été crédité.";
	} else {
		rc = order_cancel(d, r->a, &who, 0, id);
		ok = "La commande a été annulée.";
	}
	const char *back = arena_printf(r->a, "/backoffice/commandes/%lld", id);
	if (rc == CLR_EINVAL)
		return resp_redirect(r, back, e.n ? e.e[0].msg : "Saisie invalide.");
	if (rc == CLR_ECONFLICT)
		return resp_redirect(r, back, "Cette action n’est plus possible dans l’état actuel de la commande.");
	if (rc)
		return rc;
	return resp_redirect(r, back, ok);
}

int web_bo_order_quote(struct req *r)
{
	return order_action(r, 'q');
}

int web_bo_order_validate(struct req *r)
{
	return order_action(r, 'v');
}

int web_bo_order_cancel(struct req *r)
{
	return order_action(r, 'c');
}

/* --------------------------------------------------------- organisations */

int web_bo_orgs(struct req *r)
{
	db *d = r->db;
	struct org *gs;
	struct product *ps;
	int ng, np;
	int rc = org_list(d, r->a, &gs, &ng);
	if (!rc)
		rc = product_list(d, r->a, 1, &ps, &np);
	if (rc)
		return rc;
	view *v = bo_view(r, "Organisations", "nav_bo_orgs");
	view_list(v, "products");
	for (int i = 0; i < np; i++)
		view_set(view_add(v, "products"), "type", ps[i].type_label);
	view_list(v, "orgs");
	for (int i = 0; i < ng; i++) {
		view *g = view_add(v, "orgs");
		view_setf(g, "id", "%lld", gs[i].id);
		view_set(g, "name", gs[i].name);
		view_set(g, "admin_email", gs[i].admin_email);
		struct stock_balance *bs;
		int nb;
		long long total;
		rc = stock_balances(d, r->a, gs[i].id, &bs, &nb, &total);
		if (rc)
			return rc;
		view_list(g, "stock");
		for (int k = 0; k < np; k++) {
			long long q = 0;
			for (int j = 0; j < nb; j++)
				if (bs[j].product_id == ps[k].id)
					q = bs[j].qty;
			view_set(view_add(g, "stock"), "qty", int_fmt(r->a, q));
		}
		view_set(g, "total", int_fmt(r->a, total));
	}
	return resp_page(r, 200, "backoffice/organisations", v);
}

static const char *const correct_fields[] = {"product", "delta", "reason", NULL};

static int org_page(struct req *r, int status, long long id, const struct errs *e)
{
	db *d = r->db;
	struct org g;
	int rc = org_get(d, r->a, id, &g);
	if (rc)
		return rc;
	view *v = bo_view(r, g.name, "nav_bo_orgs");
	view_setf(v, "org_id", "%lld", g.id);
	view_set(v, "org_label", g.name);
	view_set(v, "admin_name", g.admin_name);
	view_set(v, "admin_email", g.admin_email);
	view_set(v, "admin_phone", g.admin_phone);
	rc = web_stock_fill(r, v, id);
	if (rc)
		return rc;
	struct product *ps;
	int np;
	rc = product_list(d, r->a, 1, &ps, &np);
	if (rc)
		return rc;
	const char *chosen = req_form(r, "product");
	view_list(v, "products");
	for (int i = 0; i < np; i++) {
		view_option(v, "products", ps[i].reference, arena_printf(r->a, "%s — %s", ps[i].type_label, ps[i].reference), str_eq(chosen, ps[i].reference));
	}
	view_form(v, r, correct_fields, e);
	return resp_page(r, status, "backoffice/organisation", v);
}

int web_bo_org(struct req *r)
{
	long long id = req_param_id(r, 0);
	return id ? org_page(r, 200, id, NULL) : CLR_ENOTFOUND;
}

int web_bo_stock_correct(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	struct org g;
	int rc = id ? org_get(d, r->a, id, &g) : CLR_ENOTFOUND;
	if (rc)
		return rc;
	struct errs e = {0};
	struct actor who = req_actor(r);
	rc = stock_correct(d, r->a, &who, id, req_form(r, "product"), req_form(r, "delta"), req_form(r, "reason"), &e);
	if (rc == CLR_EINVAL)
		return org_page(r, 422, id, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/backoffice/organisations/%lld", id), "Le stock a été corrigé.");
}

/* ------------------------------------------------------------- products */

static const char *const product_fields[] = {"reference", "name", "type_label", "price", "proctoring", NULL};

static int products_page(struct req *r, int status, const struct errs *e, long long failed_id)
{
	db *d = r->db;
	struct product *ps;
	int np;
	int rc = product_list(d, r->a, 0, &ps, &np);
	if (rc)
		return rc;
	view *v = bo_view(r, "Produits", "nav_bo_products");
	view_list(v, "products");
	for (int i = 0; i < np; i++) {
		view *p = view_add(v, "products");
		view_setf(p, "id", "%lld", ps[i].id);
		view_set(p, "reference", ps[i].reference);
		view_set(p, "pname", ps[i].name);
		view_set(p, "ptype", ps[i].type_label);
		view_set(p, "pprice", arena_printf(r->a, "%lld,%02lld", ps[i].unit_cents / 100, ps[i].unit_cents % 100));
		view_set(p, "price_fmt", money_fmt(r->a, ps[i].unit_cents));
		view_set_bool(p, "partner", str_eq(ps[i].proctoring, "partner"));
		view_set_bool(p, "laposte", str_eq(ps[i].proctoring, "laposte"));
		view_set_bool(p, "active", ps[i].active);
		if (e && failed_id == ps[i].id) {
			view_set(p, "row_error", e->n ? e->e[0].msg : "");
		}
	}
	if (failed_id) /* what was typed was a listed product's: the new product's form is empty */
		view_blank(v, product_fields);
	else
		view_form(v, r, product_fields, e);
	view_set_bool(v, "new_laposte", str_eq(req_form(r, "proctoring"), "laposte") && !failed_id);
	return resp_page(r, status, "backoffice/products", v);
}

int web_bo_products(struct req *r)
{
	return products_page(r, 200, NULL, 0);
}

int web_bo_product_create(struct req *r)
{
	db *d = r->db;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = product_create(d, r->a, &who, req_form(r, "reference"), req_form(r, "name"), req_form(r, "type_label"),
				req_form(r, "price"), req_form(r, "proctoring"), &e, NULL);
	if (rc == CLR_EINVAL)
		return products_page(r, 422, &e, 0);
	if (rc)
		return rc;
	return resp_redirect(r, "/backoffice/produits", "Le produit a été ajouté au catalogue.");
}

int web_bo_product_save(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	if (!id)
		return CLR_ENOTFOUND;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = product_update(d, r->a, &who, id, req_form(r, "name"), req_form(r, "type_label"), req_form(r, "price"),
				req_form(r, "proctoring"), req_form(r, "active"), &e);
	if (rc == CLR_EINVAL)
		return products_page(r, 422, &e, id);
	if (rc)
		return rc;
	return resp_redirect(r, "/backoffice/produits",
			     "Le produit a été enregistré. Les commandes existantes gardent leurs prix.");
}
