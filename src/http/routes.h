/* routes.h - the route table's shape (the table itself is routes.c). */
#ifndef CLR_ROUTES_H
#define CLR_ROUTES_H
#include "http/request.h"

enum route_flags {
	R_PUBLIC = 0,     /* anyone */
	R_ADMIN = 1 << 0, /* a logged-in partner administrator */
	R_STAFF = 1 << 1, /* a logged-in Le Robert staff member */
	R_NOCSRF = 1 << 2, /* POST authenticated otherwise (API token) */
	R_UPLOAD = 1 << 3, /* body up to 10 MiB (file uploads) */
	R_USER = 1 << 4,   /* any logged-in user */
	R_API = 1 << 5,    /* the results API: an API key (Authorization: Bearer),
			    * no session, no CSRF, body up to 64 KiB, JSON answers
			    * (errors too); r->api_key_id is the key's id */
	R_PROCTOR = 1 << 6, /* a logged-in proctor (« surveillant ») of an organisation */
	R_CANDIDATE = 1 << 9, /* a logged-in candidate (their own space, under
			       * /candidat/): r->cand; never an administrator's
			       * session, and a candidate's session reaches no
			       * other route that needs a login */
};

/* The roles a route admits: a session's role must be one of the route's
 * role flags (R_USER: any), else 403; none of them: a public route.
 * R_ADMIN is a partner administrator only (not a proctor of the same
 * organisation): a proctor reaches only the routes that name R_PROCTOR. */
#define R_ROLES (R_ADMIN | R_STAFF | R_PROCTOR | R_USER)

/* A handler answers with a resp_* function and returns 0.  Returning
 * CLR_ENOTFOUND or CLR_EFORBIDDEN (without answering) gives the French 404
 * or 403 page; any other negative code, the 500 page. */
typedef int (*handler_fn)(struct req *r);

struct route {
	const char *method;  /* "GET" or "POST" (HEAD follows GET) */
	const char *pattern; /* "/candidats/{id}": {x} matches one segment */
	handler_fn fn;
	int flags;
};

extern const struct route routes[];
/* Finds the route for method+path, capturing {x} segments into r->params
 * (r may be NULL: only find it).  *path_known is set when the path exists
 * under another method (405). */
const struct route *route_match(struct req *r, const char *method, const char *path, int *path_known);

#endif
