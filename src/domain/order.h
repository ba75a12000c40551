/* order.h - the catalogue and the orders of certification credits.
 *
 * An order goes « Demandée » (requested) -> « Devis envoyé » (quoted) ->
 * « Validée » (validated: the stock is credited through the ledger, once)
 * or « Annulée » (cancelled).  Its lines copy the product's reference,
 * name, type and unit price at order time; totals are computed here, never
 * taken from the client (money.h).  Creating an order enqueues two e-mails
 * (to the sales service and to the administrator) in the same transaction.
 *
 * Tenant rule: functions taking org_id only see that organisation's orders
 * (org_id 0 = back office: every organisation).  Results are arena-owned.
 */
#ifndef CLR_ORDER_H
#define CLR_ORDER_H
#include "core/validate.h"
#include "core/view.h"
#include "db/db.h"
#include "domain/audit.h"

#define ORDER_SALES_EMAIL_DEFAULT "ventes@certification-lerobert.test"

struct product {
	long long id;
	const char *reference, *name, *type_label, *proctoring; /* proctoring: "partner" | "laposte" */
	long long unit_cents;
	int active;
};

struct order_line {
	long long product_id;
	const char *reference, *name, *type_label;
	long long unit_cents, qty, amount_cents;
};

struct order {
	long long id, org_id;
	const char *org_name, *number, *status, *quote_ref;
	long long subtotal_cents, vat_cents, total_cents;
	int vat_bp;
	long long created_at, updated_at, validated_at;
	const char *created_by; /* name or e-mail of the administrator */
	struct order_line *lines;
	int nlines;
};

/* One quantity typed in the order form: product id (as text) and value. */
struct order_input {
	const char *product;
	const char *qty;
};

/* « Demandée », « Devis envoyé », « Validée », « Annulée ». */
const char *order_status_label(const char *status);
/* 1 if status is one of the four. */
int order_status_valid(const char *status);

/* Catalogue, by display order; only_active = 0 lists retired ones too. */
int product_list(db *d, arena *a, int only_active, struct product **out, int *n);
/* CLR_ENOTFOUND when no product has that reference. */
int product_by_ref(db *d, arena *a, const char *reference, struct product *out);
/* Fields: reference, name, type_label, price, proctoring.  CLR_EINVAL. */
int product_create(db *d, arena *a, const struct actor *who, const char *reference, const char *name,
		   const char *type_label, const char *price, const char *proctoring, struct errs *e, long long *id_out);
/* Fields: name, type_label, price, proctoring; active "1"/NULL.  Existing
 * orders keep their copied prices. */
int product_update(db *d, arena *a, const struct actor *who, long long id, const char *name, const char *type_label,
		   const char *price, const char *proctoring, const char *active, struct errs *e);

/* Places an order for who->org_id.  idem: the form's hidden token; a second
 * call with the same token returns the first order (*duplicate = 1) and
 * changes nothing.  Errors (CLR_EINVAL) go to field "qty_<product id>" or
 * "" (whole form). */
int order_create(db *d, arena *a, const struct actor *who, const struct order_input *in, int n, const char *idem,
		 struct errs *e, long long *id_out, int *duplicate);
/* Newest first; org_id 0 = all organisations; status NULL/"" = any. */
int order_list(db *d, arena *a, long long org_id, const char *status, struct order **out, int *n);
/* CLR_ENOTFOUND when absent or another organisation's (org_id != 0). */
int order_get(db *d, arena *a, long long org_id, long long id, struct order *out);
/* "10 × Partenaire / centre agréé, 10 × Partenaire / La Poste" */
const char *order_summary(arena *a, const struct order *o);
/* Into v, what every view of an order shows - its page, the lists of
 * orders, the e-mails sent when it is placed: id, number, org_name, org_id,
 * date, datetime, status, status_label, status_<status> (true), quote_ref,
 * created_by, summary, subtotal, vat, total, vat_rate, can_cancel,
 * can_quote, can_validate, and the list lines (name, type, reference,
 * unit, qty, amount).  Arena-owned strings. */
void order_view_fill(view *v, arena *a, const struct order *o);
/* Cancels a requested or quoted order (org_id 0: staff).  CLR_ECONFLICT
 * when validated or already cancelled. */
int order_cancel(db *d, arena *a, const struct actor *who, long long org_id, long long id);
/* Staff: requested/quoted -> quoted, with an optional quote reference
 * (field quote_ref).  CLR_ECONFLICT when validated or cancelled. */
int order_quote(db *d, arena *a, const struct actor *who, long long id, const char *quote_ref, struct errs *e);
/* Staff: requested/quoted -> validated and credits the stock, in one
 * transaction.  Idempotent: *already = 1 (and nothing changes) when the
 * order was validated before; CLR_ECONFLICT when cancelled. */
int order_validate(db *d, arena *a, const struct actor *who, long long id, int *already);

#endif
