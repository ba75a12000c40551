/* stock.c - the certification stock ledger (see stock.h).
 *
 * Consumption is a single conditional UPDATE (qty >= n), so two
 * transactions can never both take the last credits: on SQLite writers are
 * serialised by BEGIN IMMEDIATE, on PostgreSQL the second UPDATE waits for
 * the first one's row lock and re-checks the condition on the new row.
 */
#include "domain/stock.h"
#include "core/err.h"
#include "core/text.h"
#include <stdlib.h>
#include <string.h>

struct move_ctx {
	arena *a;
	long long org_id, product_id, n, order_id;
	const char *reason, *ref;
	const struct actor *who;
	long long move_id; /* the movement written */
};

static int insert_move(db *d, struct move_ctx *c, long long signed_qty, long long balance)
{
	arena *a = c->a;
	db_rows r;
	int rc = db_query(d, a, &r,
			 "INSERT INTO stock_movements (org_id, product_id, qty, balance_after, reason, order_id, ref, "
			 "actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
			 DB_P(db_int(a, c->org_id), db_int(a, c->product_id), db_int(a, signed_qty), db_int(a, balance),
			      c->reason ? c->reason : "", c->order_id ? db_int(a, c->order_id) : NULL,
			      c->ref ? c->ref : "", c->who && c->who->user_id ? db_int(a, c->who->user_id) : NULL,
			      db_int(a, now_s())));
	if (rc < 0)
		return rc;
	c->move_id = db_ll(&r, 0, 0);
	return 0;
}

static int consume_tx(db *d, void *ctx)
{
	struct move_ctx *c = ctx;
	arena *a = c->a;
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "UPDATE stock_balances SET qty = qty - CAST($3 AS BIGINT), updated_at = $4 "
			  "WHERE org_id = $1 AND product_id = $2 AND qty >= CAST($3 AS BIGINT) RETURNING qty",
			  DB_P(db_int(a, c->org_id), db_int(a, c->product_id), db_int(a, c->n), db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (rows.nrows == 0)
		return CLR_ECONFLICT;
	return insert_move(d, c, -c->n, db_ll(&rows, 0, 0));
}

static int credit_tx(db *d, void *ctx)
{
	struct move_ctx *c = ctx;
	arena *a = c->a;
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "INSERT INTO stock_balances (org_id, product_id, qty, updated_at) VALUES ($1, $2, $3, $4) "
			  "ON CONFLICT (org_id, product_id) DO UPDATE SET qty = stock_balances.qty + excluded.qty, "
			  "updated_at = excluded.updated_at RETURNING qty",
			  DB_P(db_int(a, c->org_id), db_int(a, c->product_id), db_int(a, c->n), db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (rows.nrows != 1)
		return CLR_EDB;
	return insert_move(d, c, c->n, db_ll(&rows, 0, 0));
}

static int move(db *d, struct move_ctx *c, int (*tx)(db *, void *), long long *move_id)
{
	if (c->n <= 0 || c->n > STOCK_MAX_MOVE || c->org_id <= 0 || c->product_id <= 0)
		return CLR_EINVAL;
	int rc = db_tx(d, tx, c);
	if (rc == 0 && move_id)
		*move_id = c->move_id;
	return rc;
}

int stock_consume(db *d, arena *a, long long org_id, long long product_id, long long n, const char *reason,
		  const char *ref, const struct actor *who, long long *move_id)
{
	struct move_ctx c = {a, org_id, product_id, n, 0, reason, ref, who, 0};
	return move(d, &c, consume_tx, move_id);
}

int stock_credit(db *d, arena *a, long long org_id, long long product_id, long long n, const char *reason,
		 long long order_id, const char *ref, const struct actor *who, long long *move_id)
{
	struct move_ctx c = {a, org_id, product_id, n, order_id, reason, ref, who, 0};
	return move(d, &c, credit_tx, move_id);
}

void stock_balances_stmt(struct db_stmt *st, arena *a, long long org_id)
{
	const char **p = arena_alloc(a, sizeof *p);
	p[0] = db_int(a, org_id);
	*st = (struct db_stmt){"SELECT p.id, p.reference, p.name, p.type_label, p.proctoring, COALESCE(b.qty, 0) "
			       "FROM products p LEFT JOIN stock_balances b ON b.product_id = p.id AND b.org_id = $1 "
			       "WHERE p.active = 1 OR b.qty > 0 ORDER BY p.sort_order, p.id",
			       1, p, NULL, 0, org_id}; /* products and stock_balances: kept (db_keep_version) */
}

int stock_balances(db *d, arena *a, long long org_id, struct stock_balance **out, int *n, long long *total)
{
	db_rows rows;
	struct db_stmt st;
	stock_balances_stmt(&st, a, org_id);
	int rc = db_query_stmt(d, a, &rows, &st);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(rows.nrows + 1));
	long long t = 0;
	for (int i = 0; i < rows.nrows; i++) {
		struct stock_balance *b = &(*out)[i];
		b->product_id = db_ll(&rows, i, 0);
		b->reference = db_cell(&rows, i, 1);
		b->name = db_cell(&rows, i, 2);
		b->type_label = db_cell(&rows, i, 3);
		b->proctoring = db_cell(&rows, i, 4);
		b->qty = db_ll(&rows, i, 5);
		t += b->qty;
	}
	*n = rows.nrows;
	if (total)
		*total = t;
	return 0;
}

int stock_history(db *d, arena *a, long long org_id, long long product_id, int limit, struct stock_move **out,
		  int *n)
{
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "SELECT m.id, m.product_id, m.qty, m.balance_after, m.order_id, m.at, p.reference, "
			  "p.type_label, m.reason, m.ref, o.number, u.name, u.email, u.role "
			  "FROM stock_movements m JOIN products p ON p.id = m.product_id "
			  "LEFT JOIN orders o ON o.id = m.order_id LEFT JOIN users u ON u.id = m.actor_id "
			  "WHERE m.org_id = $1 AND (CAST($2 AS BIGINT) = 0 OR m.product_id = CAST($2 AS BIGINT)) "
			  "ORDER BY m.id DESC LIMIT CAST($3 AS BIGINT)",
			  DB_P(db_int(a, org_id), db_int(a, product_id), db_int(a, limit > 0 ? limit : 200)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(rows.nrows + 1));
	for (int i = 0; i < rows.nrows; i++) {
		struct stock_move *m = &(*out)[i];
		m->id = db_ll(&rows, i, 0);
		m->product_id = db_ll(&rows, i, 1);
		m->qty = db_ll(&rows, i, 2);
		m->balance_after = db_ll(&rows, i, 3);
		m->order_id = db_ll(&rows, i, 4);
		m->at = db_ll(&rows, i, 5);
		m->reference = db_cell(&rows, i, 6);
		m->type_label = db_cell(&rows, i, 7);
		m->reason = db_cell(&rows, i, 8);
		m->ref = db_cell(&rows, i, 9);
		m->order_number = db_cell(&rows, i, 10);
		const char *name = db_cell(&rows, i, 11), *email = db_cell(&rows, i, 12);
		if (!email)
			m->actor = "Système";
		else if (str_eq(db_cell(&rows, i, 13), "staff"))
			m->actor = arena_printf(a, "Le Robert (%s)", !str_empty(name) ? name : email);
		else
			m->actor = !str_empty(name) ? name : email;
	}
	*n = rows.nrows;
	return 0;
}

/* "-3", "+5", "5" -> signed value; 0 when malformed or zero. */
static long long parse_delta(const char *s)
{
	if (!s)
		return 0;
	while (*s == ' ')
		s++;
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	long long v = 0;
	int digits = 0;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > STOCK_MAX_MOVE)
			return 0;
		digits++;
	}
	while (*s == ' ')
		s++;
	if (*s || !digits)
		return 0;
	return neg ? -v : v;
}

struct correct_ctx {
	arena *a;
	const struct actor *who;
	long long org_id, product_id, delta;
	const char *reason;
};

static int correct_tx(db *d, void *ctx)
{
	struct correct_ctx *c = ctx;
	int rc = c->delta < 0 ? stock_consume(d, c->a, c->org_id, c->product_id, -c->delta, c->reason, "correction", c->who, NULL)
			      : stock_credit(d, c->a, c->org_id, c->product_id, c->delta, c->reason, 0, "correction", c->who, NULL);
	if (rc < 0)
		return rc;
	struct actor who = *c->who;
	who.org_id = c->org_id;
	return audit_log(d, c->a, &who, "stock.correct", "product", c->product_id,
			 arena_printf(c->a, "%+lld: %s", c->delta, c->reason));
}

int stock_correct(db *d, arena *a, const struct actor *who, long long org_id, const char *product, const char *delta,
		  const char *reason_in, struct errs *e)
{
	db_rows rows;
	const char *p = str_trim(a, product ? product : "", 0);
	int rc = db_query(d, a, &rows, "SELECT id FROM products WHERE reference = $1 OR CAST(id AS TEXT) = $1",
			  DB_P(p));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		errs_add(e, "product", "Produit inconnu.");
	long long n = parse_delta(delta);
	if (!n)
		errs_add(e, "delta", "Indiquez un nombre entier non nul, précédé de « - » pour retirer des crédits (100 000 au plus).");
	const char *reason = str_trim(a, reason_in ? reason_in : "", 1);
	if (!*reason)
		errs_add(e, "reason", "Le motif est obligatoire.");
	else if (utf8_len(reason) > 200)
		errs_add(e, "reason", "Le motif ne peut dépasser 200 caractères.");
	if (e->n)
		return CLR_EINVAL;
	struct correct_ctx c = {a, who, org_id, db_ll(&rows, 0, 0), n, reason};
	rc = db_tx(d, correct_tx, &c);
	if (rc == CLR_ECONFLICT && n < 0) {
		errs_add(e, "delta", "Le stock ne peut pas devenir négatif : il n’y a pas assez de crédits pour ce retrait.");
		return CLR_EINVAL;
	}
	return rc;
}
