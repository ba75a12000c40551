/* audit.c - appends rows to audit_log. */
#include "domain/audit.h"
#include "core/text.h"

int audit_log(db *d, arena *a, const struct actor *who, const char *action, const char *object_type,
	      long long object_id, const char *detail)
{
	int rc = db_exec(d,
			 "INSERT INTO audit_log (at, org_id, actor_id, action, object_type, object_id, detail, ip) "
			 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			 DB_P(db_int(a, now_s()), who && who->org_id ? db_int(a, who->org_id) : NULL,
			      who && who->user_id ? db_int(a, who->user_id) : NULL, action, object_type ? object_type : "",
			      object_id ? db_int(a, object_id) : NULL, detail ? detail : "",
			      who && who->ip ? who->ip : ""));
	return rc < 0 ? rc : 0;
}
