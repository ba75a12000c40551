/* orders.c - « Mes commandes » for the partner administrator: the list, the
 * order form (« Commander »), one order, cancelling it, and the stock
 * ledger.  The organisation is always the session's. */
#include "web/web.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/money.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/order.h"
#include "domain/stock.h"
#include <string.h>
#include <time.h>

#define NB "\xC2\xA0" /* U+00A0 */

static view *orders_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_orders", 1);
	return v;
}

int web_orders(struct req *r)
{
	db *d = r->db;
	struct order *os;
	int n;
	int rc = order_list(d, r->a, r->sess->org_id, NULL, &os, &n);
	if (rc)
		return rc;
	view *v = orders_view(r, "Mes commandes");
	view_list(v, "orders");
	for (int i = 0; i < n; i++)
		order_view_fill(view_add(v, "orders"), r->a, &os[i]);
	return resp_page(r, 200, "orders/list", v);
}

/* The order form, with the quantities typed so far (on errors) or 0. */
static int order_form(struct req *r, int status, const struct errs *e, const char *idem)
{
	db *d = r->db;
	struct product *ps;
	int n;
	int rc = product_list(d, r->a, 1, &ps, &n);
	if (rc)
		return rc;
	view *v = orders_view(r, "Commander des certifications");
	char tok[TOKEN_LEN + 1];
	if (!idem) {
		token_new(tok);
		idem = tok;
	}
	view_set(v, "idem", arena_strdup(r->a, idem));
	view_setf(v, "vat_bp", "%d", VAT_BP_STANDARD);
	view_setf(v, "vat_rate", "%d" NB "%%", VAT_BP_STANDARD / 100);
	long long *amounts = arena_alloc(r->a, sizeof *amounts * (size_t)(n + 1));
	int all_ok = 1;
	view_list(v, "products");
	for (int i = 0; i < n; i++) {
		view *p = view_add(v, "products");
		const char *field = arena_printf(r->a, "qty_%lld", ps[i].id);
		const char *typed = req_form(r, field);
		long long q = 0;
		if (typed && qty_parse(typed, MONEY_MAX_QTY, &q))
			all_ok = 0;
		view_set(p, "field", field);
		view_setf(p, "product_id", "%lld", ps[i].id);
		view_set(p, "name", ps[i].name);
		view_set(p, "type", ps[i].type_label);
		view_set(p, "reference", ps[i].reference);
		view_set(p, "unit", money_fmt(r->a, ps[i].unit_cents));
		view_setf(p, "unit_cents", "%lld", ps[i].unit_cents);
		view_set(p, "qty", typed ? typed : "0");
		money_line(ps[i].unit_cents, q, &amounts[i]);
		view_set(p, "amount", money_fmt(r->a, amounts[i]));
		const char *msg = e ? errs_get(e, field) : NULL;
		if (msg)
			view_set(p, "qty_error", msg);
	}
	struct money_totals t = {0, 0, 0};
	if (all_ok)
		money_totals(amounts, n, VAT_BP_STANDARD, &t);
	view_set(v, "subtotal", money_fmt(r->a, t.subtotal));
	view_set(v, "vat", money_fmt(r->a, t.vat));
	view_set(v, "total", money_fmt(r->a, t.total));
	if (e && e->n) {
		view_set_bool(v, "has_errors", 1);
		const char *general = errs_get(e, "");
		if (general)
			view_set(v, "form_error", general);
	}
	return resp_page(r, status, "orders/new", v);
}

int web_order_new(struct req *r)
{
	return order_form(r, 200, NULL, NULL);
}

int web_order_create(struct req *r)
{
	db *d = r->db;
	struct order_input *in = arena_alloc(r->a, sizeof *in * (size_t)(r->form.n + 1));
	int n = 0;
	for (int i = 0; i < r->form.n; i++) {
		if (!str_starts(r->form.v[i].key, "qty_"))
			continue;
		in[n].product = r->form.v[i].key + 4;
		in[n].qty = r->form.v[i].val;
		n++;
	}
	struct errs e = {0};
	struct actor who = req_actor(r);
	long long id;
	int dup;
	const char *idem = req_form(r, "idem");
	int rc = order_create(d, r->a, &who, in, n, idem, &e, &id, &dup);
	if (rc == CLR_EINVAL)
		return order_form(r, 422, &e, NULL);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/commandes/%lld", id),
			     "Votre commande a été transmise à notre service commercial, qui vous enverra un devis.");
}

int web_order_show(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	struct order o;
	int rc = id ? order_get(d, r->a, r->sess->org_id, id, &o) : CLR_ENOTFOUND;
	if (rc)
		return rc;
	view *v = orders_view(r, arena_printf(r->a, "Commande %s", o.number));
	order_view_fill(v, r->a, &o);
	return resp_page(r, 200, "orders/show", v);
}

int web_order_cancel(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	struct actor who = req_actor(r);
	int rc = id ? order_cancel(d, r->a, &who, r->sess->org_id, id) : CLR_ENOTFOUND;
	const char *back = arena_printf(r->a, "/commandes/%lld", id);
	if (rc == CLR_ECONFLICT)
		return resp_redirect(r, back, "Cette commande ne peut plus être annulée.");
	if (rc)
		return rc;
	return resp_redirect(r, back, "La commande a été annulée.");
}

/* Balances and ledger rows into v (shared with the back office). */
int web_stock_fill(struct req *r, view *v, long long org_id)
{
	db *d = r->db;
	struct stock_balance *bs;
	struct stock_move *ms;
	int nb, nm;
	long long total;
	int rc = stock_balances(d, r->a, org_id, &bs, &nb, &total);
	if (!rc)
		rc = stock_history(d, r->a, org_id, 0, 500, &ms, &nm);
	if (rc)
		return rc;
	view_set(v, "stock_total", int_fmt(r->a, total));
	view_list(v, "balances");
	for (int i = 0; i < nb; i++) {
		view *b = view_add(v, "balances");
		view_setf(b, "product_id", "%lld", bs[i].product_id);
		view_set(b, "reference", bs[i].reference);
		view_set(b, "name", bs[i].name);
		view_set(b, "type", bs[i].type_label);
		view_set(b, "qty", int_fmt(r->a, bs[i].qty));
	}
	view_list(v, "moves");
	for (int i = 0; i < nm; i++) {
		view *m = view_add(v, "moves");
		view_set(m, "date", datetime_fmt(r->a, (time_t)ms[i].at));
		view_set(m, "type", ms[i].type_label);
		view_set(m, "reference", ms[i].reference);
		view_set(m, "qty", arena_printf(r->a, "%s%s", ms[i].qty > 0 ? "+" : "−", int_fmt(r->a, ms[i].qty > 0 ? ms[i].qty : -ms[i].qty)));
		view_set_bool(m, "is_credit", ms[i].qty > 0);
		view_set(m, "balance", int_fmt(r->a, ms[i].balance_after));
		view_set(m, "reason", ms[i].reason);
		view_set(m, "actor", ms[i].actor);
		if (ms[i].order_id) {
			view_setf(m, "order_id", "%lld", ms[i].order_id);
			view_set(m, "order_number", ms[i].order_number ? ms[i].order_number : "");
		}
	}
	return 0;
}

int web_stock(struct req *r)
{
	view *v = orders_view(r, "Stock de certifications");
	int rc = web_stock_fill(r, v, r->sess->org_id);
	if (rc)
		return rc;
	return resp_page(r, 200, "orders/stock", v);
}

/* The « Certifications restantes » tile of « Accueil »: the total and one
 * figure per type. */
void web_stock_tile(struct req *r, view *v, const struct stock_balance *bs, int nb, long long total)
{
	view_set(v, "stock_total", int_fmt(r->a, total));
	view_list(v, "stock_types");
	for (int i = 0; i < nb; i++) {
		view *b = view_add(v, "stock_types");
		view_set(b, "type", bs[i].type_label);
		view_set(b, "qty", int_fmt(r->a, bs[i].qty));
	}
}
