/* stock.h - certification credits held by an organisation, as a ledger.
 *
 * Every movement is a row of stock_movements (organisation, product, signed
 * quantity, reason, the order or assignment it comes from, who, when); the
 * balance per organisation and product lives in stock_balances, updated in
 * the same transaction, and can never be negative (a CHECK constraint, and
 * consumption is one conditional UPDATE ... WHERE qty >= n).
 *
 * These functions run in the caller's transaction when one is open (db_tx),
 * else in their own.  Results are arena-owned.
 */
#ifndef CLR_STOCK_H
#define CLR_STOCK_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define STOCK_MAX_MOVE 100000 /* one movement moves at most this many credits */

struct stock_balance {
	long long product_id;
	const char *reference, *name, *type_label, *proctoring;
	long long qty;
};

struct stock_move {
	long long id, product_id, qty, balance_after, order_id;
	long long at;
	const char *reference, *type_label, *reason, *ref, *order_number, *actor;
};

/* Takes n (> 0) credits, all or nothing: CLR_ECONFLICT when the balance is
 * below n (nothing changed), CLR_EINVAL on a bad n.  ref: the assignment or
 * other source (may be NULL).  Safe under any concurrency: exactly
 * floor(balance / n) of concurrent calls succeed.  *move_id (may be NULL)
 * receives the id of the movement written. */
int stock_consume(db *d, arena *a, long long org_id, long long product_id, long long n, const char *reason,
		  const char *ref, const struct actor *who, long long *move_id);
/* Adds n (> 0) credits; order_id 0 when not from an order. */
int stock_credit(db *d, arena *a, long long org_id, long long product_id, long long n, const char *reason,
		 long long order_id, const char *ref, const struct actor *who, long long *move_id);
/* One row per active product (and any product the organisation holds),
 * with 0 where nothing is held.  *total (may be NULL) = sum of the rows. */
/* Its statement, for db_prefetch() (db.h). */
void stock_balances_stmt(struct db_stmt *st, arena *a, long long org_id);
int stock_balances(db *d, arena *a, long long org_id, struct stock_balance **out, int *n, long long *total);
/* Movements, newest first (product_id 0: every product), at most limit. */
int stock_history(db *d, arena *a, long long org_id, long long product_id, int limit, struct stock_move **out,
		  int *n);
/* Back-office correction: product (reference or id as text), signed
 * delta ("-3", "+5", "5"), mandatory reason.  Fields: product, delta,
 * reason.  CLR_EINVAL with French messages (including a balance that would
 * become negative). */
int stock_correct(db *d, arena *a, const struct actor *who, long long org_id, const char *product,
		  const char *delta, const char *reason, struct errs *e);

#endif
