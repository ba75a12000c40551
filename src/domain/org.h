/* org.h - partner organisations: creation, lookup and listing. */
#ifndef CLR_ORG_H
#define CLR_ORG_H
#include "db/db.h"

struct org {
	long long id;
	const char *name;
	long long created_at;
	long long admin_id;                                 /* first administrator (0: none) */
	const char *admin_name, *admin_email, *admin_phone;
};

/* The organisation called `name` (trimmed), created if new (*created = 1,
 * audited).  CLR_EINVAL for an empty or over-long name. */
int org_ensure(db *d, arena *a, const char *name, long long *id_out, int *created);
/* CLR_ENOTFOUND when no organisation has that exact name. */
int org_by_name(db *d, arena *a, const char *name, long long *id_out);
int org_get(db *d, arena *a, long long id, struct org *out);
/* Every organisation, by name. */
int org_list(db *d, arena *a, struct org **out, int *n);

#endif
