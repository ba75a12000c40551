/* order.c - catalogue and orders (see order.h).  Every change writes an
 * audit row, and the order e-mails their outbox rows, in the same
 * transaction as the change. */
#include "domain/order.h"
#include "domain/org.h"
#include "domain/outbox.h"
#include "domain/stock.h"
#include "domain/team.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/money.h"
#include "core/text.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ORDER_LIST_MAX 500

static const struct {
	const char *status, *label;
} statuses[] = {
	{"requested", "Demandée"},
	{"quoted", "Devis envoyé"},
	{"validated", "Validée"},
	{"cancelled", "Annulée"},
};

const char *order_status_label(const char *status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
		if (str_eq(status, statuses[i].status))
			return statuses[i].label;
	return status ? status : "";
}

int order_status_valid(const char *status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
		if (str_eq(status, statuses[i].status))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ catalogue */

int product_list(db *d, arena *a, int only_active, struct product **out, int *n)
{
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "SELECT id, reference, name, type_label, proctoring, unit_price_cents, active FROM products "
			  "WHERE active = 1 OR CAST($1 AS BIGINT) = 0 ORDER BY sort_order, id",
			  DB_P(only_active ? "1" : "0"));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(rows.nrows + 1));
	for (int i = 0; i < rows.nrows; i++) {
		struct product *p = &(*out)[i];
		p->id = db_ll(&rows, i, 0);
		p->reference = db_cell(&rows, i, 1);
		p->name = db_cell(&rows, i, 2);
		p->type_label = db_cell(&rows, i, 3);
		p->proctoring = db_cell(&rows, i, 4);
		p->unit_cents = db_ll(&rows, i, 5);
		p->active = (int)db_ll(&rows, i, 6);
	}
	*n = rows.nrows;
	return 0;
}

int product_by_ref(db *d, arena *a, const char *reference, struct product *out)
{
	struct product *ps;
	int n;
	int rc = product_list(d, a, 0, &ps, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		if (str_eq(ps[i].reference, reference)) {
			*out = ps[i];
			return 0;
		}
	return CLR_ENOTFOUND;
}

static const char *check_text(arena *a, const char *field, const char *in, const char *what, struct errs *e)
{
	char *s = str_trim(a, in ? in : "", 1);
	if (!*s)
		errs_add(e, field, arena_printf(a, "Veuillez indiquer %s.", what));
	else if (utf8_len(s) > 100)
		errs_add(e, field, "100 caractères au plus.");
	return s;
}

static void check_product(arena *a, const char *name_in, const char *type_in, const char *price_in,
			  const char *proctoring, struct errs *e, const char **name, const char **type, long long *price)
{
	*name = check_text(a, "name", name_in, "le nom", e);
	*type = check_text(a, "type_label", type_in, "le type", e);
	if (money_parse(price_in, price))
		errs_add(e, "price", "Prix invalide : indiquez un montant en euros, par exemple 71,00.");
	if (!str_eq(proctoring, "partner") && !str_eq(proctoring, "laposte"))
		errs_add(e, "proctoring", "Choisissez qui surveille l’examen.");
}

int product_create(db *d, arena *a, const struct actor *who, const char *reference_in, const char *name_in,
		   const char *type_in, const char *price_in, const char *proctoring, struct errs *e, long long *id_out)
{
	const char *name, *type;
	long long price = 0;
	const char *ref = str_trim(a, reference_in ? reference_in : "", 0);
	size_t rl = strlen(ref);
	int ok = rl >= 3 && rl <= 40;
	for (size_t i = 0; ok && i < rl; i++)
		ok = (ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= '0' && ref[i] <= '9') || ref[i] == '-';
	if (!ok)
		errs_add(e, "reference", "Référence invalide : 3 à 40 caractères parmi A-Z, 0-9 et « - ».");
	check_product(a, name_in, type_in, price_in, proctoring, e, &name, &type, &price);
	if (e->n)
		return CLR_EINVAL;
	int rc = db_begin(d);
	if (rc)
		return rc;
	const char *now = db_int(a, now_s());
	db_rows rows;
	rc = db_query(d, a, &rows,
		      "INSERT INTO products (reference, name, type_label, unit_price_cents, proctoring, active, "
		      "sort_order, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, "
		      "(SELECT COALESCE(MAX(sort_order), 0) + 10 FROM products), $6, $6) RETURNING id",
		      DB_P(ref, name, type, db_int(a, price), proctoring, now));
	if (rc == CLR_ECONFLICT) {
		db_rollback(d);
		errs_add(e, "reference", "Cette référence existe déjà.");
		return CLR_EINVAL;
	}
	long long id = rc < 0 ? 0 : db_ll(&rows, 0, 0);
	if (rc >= 0)
		rc = audit_log(d, a, who, "product.create", "product", id, ref);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	if (id_out)
		*id_out = id;
	return db_commit(d);
}

int product_update(db *d, arena *a, const struct actor *who, long long id, const char *name_in, const char *type_in,
		   const char *price_in, const char *proctoring, const char *active, struct errs *e)
{
	const char *name, *type;
	long long price = 0;
	check_product(a, name_in, type_in, price_in, proctoring, e, &name, &type, &price);
	if (e->n)
		return CLR_EINVAL;
	int rc = db_begin(d);
	if (rc)
		return rc;
	rc = db_exec(d,
		     "UPDATE products SET name = $1, type_label = $2, unit_price_cents = $3, proctoring = $4, "
		     "active = $5, updated_at = $6 WHERE id = $7",
		     DB_P(name, type, db_int(a, price), proctoring, str_eq(active, "1") ? "1" : "0", db_int(a, now_s()),
			  db_int(a, id)));
	if (rc == 0)
		rc = CLR_ENOTFOUND;
	if (rc >= 0)
		rc = audit_log(d, a, who, "product.update", "product", id, arena_printf(a, "%lld", price));
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

/* --------------------------------------------------------------- orders */

#define ORDER_COLS                                                                                               \
	"o.id, o.org_id, g.name, o.number, o.status, o.quote_ref, o.subtotal_cents, o.vat_cents, o.total_cents, " \
	"o.vat_bp, o.created_at, o.updated_at, o.validated_at, u.name, u.email "
#define ORDER_FROM "FROM orders o JOIN organisations g ON g.id = o.org_id LEFT JOIN users u ON u.id = o.created_by "

static void fill_order(const db_rows *r, int i, struct order *o)
{
	o->id = db_ll(r, i, 0);
	o->org_id = db_ll(r, i, 1);
	o->org_name = db_cell(r, i, 2);
	o->number = db_cell(r, i, 3) ? db_cell(r, i, 3) : "";
	o->status = db_cell(r, i, 4);
	o->quote_ref = db_cell(r, i, 5) ? db_cell(r, i, 5) : "";
	o->subtotal_cents = db_ll(r, i, 6);
	o->vat_cents = db_ll(r, i, 7);
	o->total_cents = db_ll(r, i, 8);
	o->vat_bp = (int)db_ll(r, i, 9);
	o->created_at = db_ll(r, i, 10);
	o->updated_at = db_ll(r, i, 11);
	o->validated_at = db_ll(r, i, 12);
	const char *name = db_cell(r, i, 13), *email = db_cell(r, i, 14);
	o->created_by = !str_empty(name) ? name : email ? email : "";
}

static void fill_line(const db_rows *r, int i, int off, struct order_line *l)
{
	l->product_id = db_ll(r, i, off);
	l->reference = db_cell(r, i, off + 1);
	l->name = db_cell(r, i, off + 2);
	l->type_label = db_cell(r, i, off + 3);
	l->unit_cents = db_ll(r, i, off + 4);
	l->qty = db_ll(r, i, off + 5);
	l->amount_cents = db_ll(r, i, off + 6);
}

#define LINE_COLS "l.product_id, l.reference, l.name, l.type_label, l.unit_price_cents, l.quantity, l.amount_cents "

int order_list(db *d, arena *a, long long org_id, const char *status, struct order **out, int *n)
{
	const char *st = str_empty(status) ? "" : status;
	const char *lim = db_int(a, ORDER_LIST_MAX);
	db_rows rows, lines;
	int rc = db_query(d, a, &rows,
			  "SELECT " ORDER_COLS ORDER_FROM
			  "WHERE (CAST($1 AS BIGINT) = 0 OR o.org_id = CAST($1 AS BIGINT)) AND ($2 = '' OR o.status = $2) "
			  "ORDER BY o.id DESC LIMIT CAST($3 AS BIGINT)",
			  DB_P(db_int(a, org_id), st, lim));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(rows.nrows + 1));
	*n = rows.nrows;
	if (!rows.nrows)
		return 0;
	for (int i = 0; i < rows.nrows; i++)
		fill_order(&rows, i, &(*out)[i]);
	/* the lines of exactly these orders (ids between the oldest and newest listed) */
	rc = db_query(d, a, &lines,
		      "SELECT l.order_id, " LINE_COLS "FROM order_lines l JOIN orders o ON o.id = l.order_id "
		      "WHERE (CAST($1 AS BIGINT) = 0 OR o.org_id = CAST($1 AS BIGINT)) AND ($2 = '' OR o.status = $2) "
		      "AND o.id >= CAST($3 AS BIGINT) AND o.id <= CAST($4 AS BIGINT) ORDER BY l.order_id DESC, l.id",
		      DB_P(db_int(a, org_id), st, db_int(a, (*out)[rows.nrows - 1].id), db_int(a, (*out)[0].id)));
	if (rc < 0)
		return rc;
	int j = 0;
	for (int i = 0; i < rows.nrows; i++) {
		struct order *o = &(*out)[i];
		while (j < lines.nrows && db_ll(&lines, j, 0) > o->id)
			j++;
		int k = j;
		while (k < lines.nrows && db_ll(&lines, k, 0) == o->id)
			k++;
		o->nlines = k - j;
		o->lines = arena_alloc(a, sizeof *o->lines * (size_t)(o->nlines + 1));
		for (int m = 0; m < o->nlines; m++)
			fill_line(&lines, j + m, 1, &o->lines[m]);
		j = k;
	}
	return 0;
}

int order_get(db *d, arena *a, long long org_id, long long id, struct order *out)
{
	memset(out, 0, sizeof *out);
	db_rows rows, lines;
	int rc = db_query(d, a, &rows,
			  "SELECT " ORDER_COLS ORDER_FROM
			  "WHERE o.id = $1 AND (CAST($2 AS BIGINT) = 0 OR o.org_id = CAST($2 AS BIGINT))",
			  DB_P(db_int(a, id), db_int(a, org_id)));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		return CLR_ENOTFOUND;
	fill_order(&rows, 0, out);
	rc = db_query(d, a, &lines, "SELECT " LINE_COLS "FROM order_lines l WHERE l.order_id = $1 ORDER BY l.id",
		      DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	out->nlines = lines.nrows;
	out->lines = arena_alloc(a, sizeof *out->lines * (size_t)(lines.nrows + 1));
	for (int i = 0; i < lines.nrows; i++)
		fill_line(&lines, i, 0, &out->lines[i]);
	return 0;
}

static int valid_idem(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 16 || n > 100)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int find_by_idem(db *d, arena *a, long long org_id, const char *idem, long long *id)
{
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT id FROM orders WHERE org_id = $1 AND idem_key = $2",
			  DB_P(db_int(a, org_id), idem));
	if (rc < 0)
		return rc;
	*id = rows.nrows ? db_ll(&rows, 0, 0) : 0;
	return 0;
}

#define NB "\xC2\xA0" /* U+00A0 */

const char *order_summary(arena *a, const struct order *o)
{
	buf b = BUF_INIT;
	for (int i = 0; i < o->nlines; i++)
		buf_printf(&b, "%s%lld" NB "×" NB "%s", i ? ", " : "", o->lines[i].qty, o->lines[i].type_label);
	char *s = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return s;
}

void order_view_fill(view *v, arena *a, const struct order *o)
{
	int open = str_eq(o->status, "requested") || str_eq(o->status, "quoted");
	view_set(v, "id", ll_fmt(a, "", o->id));
	view_set(v, "number", o->number);
	view_set(v, "org_name", o->org_name);
	view_set(v, "org_id", ll_fmt(a, "", o->org_id));
	view_set(v, "date", date_fmt(a, (time_t)o->created_at));
	view_set(v, "datetime", datetime_fmt(a, (time_t)o->created_at));
	view_set(v, "status", o->status);
	view_set(v, "status_label", order_status_label(o->status));
	view_set_bool(v, arena_printf(a, "status_%s", o->status), 1);
	view_set(v, "quote_ref", o->quote_ref);
	view_set(v, "created_by", o->created_by);
	view_set(v, "summary", order_summary(a, o));
	view_set(v, "subtotal", money_fmt(a, o->subtotal_cents));
	view_set(v, "vat", money_fmt(a, o->vat_cents));
	view_set(v, "total", money_fmt(a, o->total_cents));
	view_setf(v, "vat_rate", "%d" NB "%%", o->vat_bp / 100);
	view_set_bool(v, "can_cancel", open);
	view_set_bool(v, "can_quote", open);
	view_set_bool(v, "can_validate", open);
	view_list(v, "lines");
	for (int i = 0; i < o->nlines; i++) {
		view *l = view_add(v, "lines");
		view_set(l, "name", o->lines[i].name);
		view_set(l, "type", o->lines[i].type_label);
		view_set(l, "reference", o->lines[i].reference);
		view_set(l, "unit", money_fmt(a, o->lines[i].unit_cents));
		view_set(l, "qty", int_fmt(a, o->lines[i].qty));
		view_set(l, "amount", money_fmt(a, o->lines[i].amount_cents));
	}
}

/* The e-mails' view: the order's (as its page shows it), with whom to
 * answer at the organisation. */
static view *mail_view(arena *a, const struct order *o, const struct org *g)
{
	view *v = view_new(a);
	order_view_fill(v, a, o);
	view_set(v, "admin_name", o->created_by);
	view_set(v, "admin_email", g->admin_email);
	view_set(v, "admin_phone", g->admin_phone);
	return v;
}

struct create_ctx {
	arena *a;
	const struct actor *who;
	const char *idem;
	struct order_line *lines;
	int nlines;
	struct money_totals t;
	long long id;
	struct errs *e;
};

static int create_tx(db *d, void *ctx)
{
	struct create_ctx *c = ctx;
	arena *a = c->a;
	long long org_id = c->who->org_id;
	time_t now = now_s();
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "INSERT INTO orders (org_id, status, subtotal_cents, vat_bp, vat_cents, total_cents, idem_key, "
			  "created_by, created_at, updated_at) VALUES ($1, 'requested', $2, $3, $4, $5, $6, $7, $8, $8) "
			  "RETURNING id",
			  DB_P(db_int(a, org_id), db_int(a, c->t.subtotal), db_int(a, VAT_BP_STANDARD), db_int(a, c->t.vat),
			       db_int(a, c->t.total), c->idem, c->who->user_id ? db_int(a, c->who->user_id) : NULL,
			       db_int(a, now)));
	if (rc < 0)
		return rc;
	c->id = db_ll(&rows, 0, 0);
	struct tm tm;
	localtime_r(&now, &tm);
	const char *number = arena_printf(a, "CMD-%04d-%06lld", tm.tm_year + 1900, c->id);
	rc = db_exec(d, "UPDATE orders SET number = $1 WHERE id = $2", DB_P(number, db_int(a, c->id)));
	for (int i = 0; rc >= 0 && i < c->nlines; i++) {
		const struct order_line *l = &c->lines[i];
		rc = db_exec(d,
			     "INSERT INTO order_lines (order_id, product_id, reference, name, type_label, unit_price_cents, "
			     "quantity, amount_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			     DB_P(db_int(a, c->id), db_int(a, l->product_id), l->reference, l->name, l->type_label,
				  db_int(a, l->unit_cents), db_int(a, l->qty), db_int(a, l->amount_cents)));
	}
	if (rc >= 0)
		rc = audit_log(d, a, c->who, "order.create", "order", c->id, number);
	if (rc < 0)
		return rc;

	/* the two e-mails, in this transaction */
	struct order o;
	struct org g;
	rc = order_get(d, a, org_id, c->id, &o);
	if (rc == 0)
		rc = org_get(d, a, org_id, &g);
	if (rc)
		return rc;
	if (c->who->user_id) {
		db_rows u;
		rc = db_query(d, a, &u, "SELECT email, phone FROM users WHERE id = $1", DB_P(db_int(a, c->who->user_id)));
		if (rc < 0)
			return rc;
		if (u.nrows) {
			g.admin_email = db_cell(&u, 0, 0);
			g.admin_phone = db_cell(&u, 0, 1);
		}
	}
	const char *sales = getenv("CLR_SALES_EMAIL");
	if (str_empty(sales))
		sales = ORDER_SALES_EMAIL_DEFAULT;
	view *v = mail_view(a, &o, &g);
	struct errs me = {0};
	struct mail m = {
		.org_id = org_id,
		.kind = "order.sales",
		.to = sales,
		.to_name = "Service commercial Certification Le Robert",
		.reply_to = str_empty(g.admin_email) ? NULL : g.admin_email,
		.subject = arena_printf(a, "Nouvelle commande %s — %s", number, g.name),
		.tmpl = "order_sales",
		.v = v,
	};
	rc = outbox_enqueue(d, a, &m, &me, NULL);
	if (rc == 0 && !str_empty(g.admin_email)) {
		struct mail conf = {
			.org_id = org_id,
			.kind = "order.confirmation",
			.to = g.admin_email,
			.to_name = o.created_by,
			.subject = arena_printf(a, "Votre commande %s a bien été transmise", number),
			.tmpl = "order_confirmation",
			.v = v,
		};
		rc = outbox_enqueue(d, a, &conf, &me, NULL);
	}
	return rc;
}

static const char *qty_field(arena *a, long long product_id)
{
	return arena_printf(a, "qty_%lld", product_id);
}

int order_create(db *d, arena *a, const struct actor *who, const struct order_input *in, int n, const char *idem,
		 struct errs *e, long long *id_out, int *duplicate)
{
	*duplicate = 0;
	*id_out = 0;
	if (!valid_idem(idem)) {
		errs_add(e, "", "Ce formulaire a expiré : rechargez la page puis recommencez votre commande.");
		return CLR_EINVAL;
	}
	struct product *prods;
	int np;
	int rc = product_list(d, a, 1, &prods, &np);
	if (rc)
		return rc;
	if (n > MONEY_MAX_LINES) {
		errs_add(e, "", "Trop de lignes dans la commande.");
		return CLR_EINVAL;
	}
	struct order_line *lines = arena_alloc(a, sizeof *lines * (size_t)(n + 1));
	long long *amounts = arena_alloc(a, sizeof *amounts * (size_t)(n + 1));
	int nl = 0, seen_any = 0;
	for (int i = 0; i < n; i++) {
		const char *ps = in[i].product;
		char *end = NULL;
		long long pid = ps && *ps >= '1' && *ps <= '9' ? strtoll(ps, &end, 10) : 0;
		const struct product *p = NULL;
		for (int k = 0; pid > 0 && end && !*end && k < np; k++)
			if (prods[k].id == pid)
				p = &prods[k];
		if (!p) {
			errs_add(e, "", "Produit inconnu : rechargez la page du bon de commande.");
			continue;
		}
		for (int k = 0; k < nl; k++)
			if (lines[k].product_id == pid)
				p = NULL;
		const char *field = qty_field(a, pid);
		if (!p) {
			errs_add(e, field, "Ce produit figure deux fois dans la commande.");
			continue;
		}
		long long q;
		const char *qs = in[i].qty ? str_trim(a, in[i].qty, 0) : "";
		if (qty_parse(qs, MONEY_MAX_QTY, &q)) {
			long long big;
			if (qs[0] == '-')
				errs_add(e, field, "La quantité ne peut pas être négative.");
			else if (qty_parse(qs, 999999999999LL, &big) == 0 || (strspn(qs, "0123456789") == strlen(qs)))
				errs_add(e, field, "La quantité ne peut dépasser 10 000 par ligne.");
			else
				errs_add(e, field, "La quantité doit être un nombre entier.");
			continue;
		}
		seen_any = 1;
		if (q == 0)
			continue;
		struct order_line *l = &lines[nl];
		l->product_id = p->id;
		l->reference = p->reference;
		l->name = p->name;
		l->type_label = p->type_label;
		l->unit_cents = p->unit_cents;
		l->qty = q;
		if (money_line(p->unit_cents, q, &l->amount_cents)) {
			errs_add(e, field, "Montant hors limites.");
			continue;
		}
		amounts[nl++] = l->amount_cents;
	}
	if (!e->n && (nl == 0 || !seen_any))
		errs_add(e, "", "Indiquez une quantité d’au moins une certification.");
	if (e->n)
		return CLR_EINVAL;
	struct create_ctx c = {a, who, idem, lines, nl, {0, 0, 0}, 0, e};
	if (money_totals(amounts, nl, VAT_BP_STANDARD, &c.t)) {
		errs_add(e, "", "Montant total hors limites.");
		return CLR_EINVAL;
	}
	long long existing;
	rc = find_by_idem(d, a, who->org_id, idem, &existing);
	if (rc)
		return rc;
	if (existing) {
		*duplicate = 1;
		*id_out = existing;
		return 0;
	}
	rc = db_tx(d, create_tx, &c);
	if (rc == CLR_ECONFLICT) {
		/* the same form, submitted twice at the same moment */
		int rc2 = find_by_idem(d, a, who->org_id, idem, &existing);
		if (rc2 == 0 && existing) {
			*duplicate = 1;
			*id_out = existing;
			return 0;
		}
	}
	if (rc)
		return rc;
	*id_out = c.id;
	return 0;
}

/* The organisation's administrators are told of what staff did to their
 * order (issue 15): kind "order.quoted", "order.validated" or
 * "order.cancelled", template order_<status>, in the caller's transaction. */
static int notify_admins(db *d, arena *a, long long id, const char *status)
{
	struct order o;
	int rc = order_get(d, a, 0, id, &o);
	if (rc)
		return rc;
	view *v = view_new(a);
	order_view_fill(v, a, &o);
	const char *subject = str_eq(status, "quoted")
				      ? (*o.quote_ref ? arena_printf(a, "Devis %s de votre commande %s", o.quote_ref, o.number)
						      : arena_printf(a, "Le devis de votre commande %s est prêt", o.number))
			      : str_eq(status, "validated") ? arena_printf(a, "Votre commande %s est validée", o.number)
							    : arena_printf(a, "Votre commande %s a été annulée", o.number);
	return team_notify_admins(d, a, o.org_id, arena_printf(a, "order.%s", status), subject,
				  arena_printf(a, "order_%s", status), v);
}

/* Explains why a status transition did not happen: not found or conflict. */
static int why_not(db *d, arena *a, long long org_id, long long id, const char **status)
{
	struct order o;
	int rc = order_get(d, a, org_id, id, &o);
	if (rc)
		return rc;
	*status = o.status;
	return CLR_ECONFLICT;
}

struct transition_ctx {
	arena *a;
	const struct actor *who;
	long long org_id, id;
	const char *quote_ref; /* NULL: cancel */
};

static int transition_tx(db *d, void *ctx)
{
	struct transition_ctx *c = ctx;
	arena *a = c->a;
	const char *now = db_int(a, now_s());
	int rc;
	if (c->quote_ref)
		rc = db_exec(d,
			     "UPDATE orders SET status = 'quoted', quote_ref = $1, quoted_at = $2, updated_at = $2 "
			     "WHERE id = $3 AND status IN ('requested', 'quoted')",
			     DB_P(c->quote_ref, now, db_int(a, c->id)));
	else
		rc = db_exec(d,
			     "UPDATE orders SET status = 'cancelled', cancelled_at = $1, updated_at = $1 WHERE id = $2 "
			     "AND (CAST($3 AS BIGINT) = 0 OR org_id = CAST($3 AS BIGINT)) "
			     "AND status IN ('requested', 'quoted')",
			     DB_P(now, db_int(a, c->id), db_int(a, c->org_id)));
	if (rc < 0)
		return rc;
	if (rc == 0) {
		const char *st;
		return why_not(d, a, c->org_id, c->id, &st);
	}
	rc = audit_log(d, a, c->who, c->quote_ref ? "order.quote" : "order.cancel", "order", c->id,
		       c->quote_ref ? c->quote_ref : "");
	if (rc == 0 && (c->quote_ref || c->who->org_id == 0)) /* staff's doing, not the administrator's own cancel */
		rc = notify_admins(d, a, c->id, c->quote_ref ? "quoted" : "cancelled");
	return rc;
}

int order_cancel(db *d, arena *a, const struct actor *who, long long org_id, long long id)
{
	struct transition_ctx c = {a, who, org_id, id, NULL};
	return db_tx(d, transition_tx, &c);
}

int order_quote(db *d, arena *a, const struct actor *who, long long id, const char *quote_in, struct errs *e)
{
	const char *q = str_trim(a, quote_in ? quote_in : "", 1);
	if (utf8_len(q) > 60) {
		errs_add(e, "quote_ref", "La référence du devis ne peut dépasser 60 caractères.");
		return CLR_EINVAL;
	}
	struct transition_ctx c = {a, who, 0, id, q};
	return db_tx(d, transition_tx, &c);
}

struct validate_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	int already;
};

static int validate_tx(db *d, void *ctx)
{
	struct validate_ctx *c = ctx;
	arena *a = c->a;
	c->already = 0;
	db_rows rows;
	const char *now = db_int(a, now_s());
	/* the conditional transition: only one caller ever gets a row back */
	int rc = db_query(d, a, &rows,
			  "UPDATE orders SET status = 'validated', validated_at = $1, updated_at = $1 "
			  "WHERE id = $2 AND status IN ('requested', 'quoted') RETURNING org_id, number",
			  DB_P(now, db_int(a, c->id)));
	if (rc < 0)
		return rc;
	if (rows.nrows == 0) {
		const char *st = NULL;
		rc = why_not(d, a, 0, c->id, &st);
		if (rc == CLR_ECONFLICT && str_eq(st, "validated")) {
			c->already = 1;
			return 0;
		}
		return rc;
	}
	long long org_id = db_ll(&rows, 0, 0);
	const char *number = db_cell(&rows, 0, 1);
	db_rows lines;
	rc = db_query(d, a, &lines, "SELECT product_id, quantity FROM order_lines WHERE order_id = $1 ORDER BY id",
		      DB_P(db_int(a, c->id)));
	if (rc < 0)
		return rc;
	const char *reason = arena_printf(a, "Commande %s validée", number ? number : "");
	for (int i = 0; i < lines.nrows; i++) {
		rc = stock_credit(d, a, org_id, db_ll(&lines, i, 0), db_ll(&lines, i, 1), reason, c->id, number, c->who, NULL);
		if (rc < 0)
			return rc;
	}
	struct actor who = *c->who;
	who.org_id = org_id;
	rc = audit_log(d, a, &who, "order.validate", "order", c->id, number ? number : "");
	return rc ? rc : notify_admins(d, a, c->id, "validated");
}

int order_validate(db *d, arena *a, const struct actor *who, long long id, int *already)
{
	struct validate_ctx c = {a, who, id, 0};
	int rc = db_tx(d, validate_tx, &c);
	*already = c.already;
	return rc;
}
