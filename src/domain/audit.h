/* audit.h - the audit log: who did what, when, to which object.  Written in
 * the same transaction as the change it records. */
#ifndef CLR_AUDIT_H
#define CLR_AUDIT_H
#include "db/db.h"

/* Who acts: the user, their organisation (0 for staff), and the address. */
struct actor {
	long long user_id;
	long long org_id;
	const char *ip;
};

int audit_log(db *d, arena *a, const struct actor *who, const char *action, const char *object_type,
	      long long object_id, const char *detail);

#endif
