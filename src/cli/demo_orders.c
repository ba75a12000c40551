/* demo_orders.c - the demonstration organisation's orders (one in each
 * status) and stock (9 « Partenaire / centre agréé » + 10 « Partenaire /
 * La Poste », as in the seed's dashboard).  Idempotent: orders carry fixed
 * form tokens, so a second run finds them instead of creating new ones,
 * and every transition is only applied when still pending. */
#include "cli/cli.h"
#include "core/err.h"
#include "domain/order.h"
#include "domain/org.h"
#include <string.h>

int demo_orders(db *d, arena *a, long long org_id)
{
	struct org g;
	struct product clr, laposte;
	int rc = org_get(d, a, org_id, &g);
	if (!rc)
		rc = product_by_ref(d, a, "PART-CLR-EXAMEN", &clr);
	if (!rc)
		rc = product_by_ref(d, a, "PART-LAPOSTE-EXAMEN", &laposte);
	if (rc)
		return rc;
	const struct actor admin = {g.admin_id, org_id, "demo"};
	const struct actor staff = {0, 0, "demo"};
	const char *pc = db_int(a, clr.id), *pl = db_int(a, laposte.id);
	static const struct {
		const char *idem, *qty_clr, *qty_laposte, *then; /* then: validate, quote, cancel, "" */
	} demo[] = {
		{"demo-commande-validee-0001", "9", "10", "validate"},
		{"demo-commande-cancelled-0002", "3", "0", "cancel"},
		{"demo-commande-devis-envoye-0003", "5", "0", "quote"},
		{"demo-commande-demandee-000004", "0", "20", ""},
	};
	for (size_t i = 0; i < sizeof demo / sizeof *demo; i++) {
		struct order_input in[2] = {{pc, demo[i].qty_clr}, {pl, demo[i].qty_laposte}};
		struct errs e = {0};
		long long id;
		int dup;
		rc = order_create(d, a, &admin, in, 2, demo[i].idem, &e, &id, &dup);
		if (rc)
			return rc;
		struct order o;
		rc = order_get(d, a, org_id, id, &o);
		if (rc)
			return rc;
		int pending = strcmp(o.status, "requested") == 0;
		if (strcmp(demo[i].then, "validate") == 0) {
			int already;
			rc = order_validate(d, a, &staff, id, &already);
		} else if (pending && strcmp(demo[i].then, "quote") == 0) {
			rc = order_quote(d, a, &staff, id, "DEV-2026-0042", &e);
		} else if (pending && strcmp(demo[i].then, "cancel") == 0) {
			rc = order_cancel(d, a, &admin, org_id, id);
		}
		if (rc)
			return rc;
	}
	return 0;
}
