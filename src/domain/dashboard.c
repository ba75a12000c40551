/* dashboard.c - back-office counters, in one round trip. */
#include "domain/dashboard.h"
#include <string.h>

int bo_summary(db *d, arena *a, struct bo_summary *out)
{
	memset(out, 0, sizeof *out);
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "SELECT (SELECT COUNT(*) FROM organisations), "
			  "(SELECT COUNT(*) FROM orders WHERE status = 'requested'), "
			  "(SELECT COUNT(*) FROM orders WHERE status = 'quoted'), "
			  "(SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')), "
			  "(SELECT COUNT(*) FROM outbox WHERE status = 'failed')",
			  DB_NOP);
	if (rc < 0)
		return rc;
	out->orgs = db_ll(&rows, 0, 0);
	out->orders_requested = db_ll(&rows, 0, 1);
	out->orders_quoted = db_ll(&rows, 0, 2);
	out->mail_pending = db_ll(&rows, 0, 3);
	out->mail_failed = db_ll(&rows, 0, 4);
	return 0;
}
