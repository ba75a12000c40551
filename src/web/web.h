/* web.h - every screen handler, grouped by screen family (one .c each).
 * Handlers parse and authorise, call one domain function, and build the
 * view; they hold no SQL.  The route table (http/routes.c) maps URLs here. */
#ifndef CLR_WEB_H
#define CLR_WEB_H
#include "http/request.h"
#include "domain/audit.h"

/* system.c */
int web_healthz(struct req *r);
int web_static(struct req *r);
int web_root(struct req *r);

/* auth.c */
int web_login_form(struct req *r);
int web_login(struct req *r);
int web_logout(struct req *r);

/* home.c */
int web_home(struct req *r);
int web_orders_soon(struct req *r);
int web_groups_soon(struct req *r);
int web_candidates_soon(struct req *r);

/* account.c */
int web_profile_form(struct req *r);
int web_profile_save(struct req *r);
int web_password_form(struct req *r);
int web_password_save(struct req *r);

/* backoffice.c */
int web_bo_home(struct req *r);

/* helpers shared by handlers (system.c) */
struct actor req_actor(const struct req *r);
/* The request's database connection, or NULL (the caller returns CLR_EDB). */
struct db *req_db(struct req *r);

#endif
