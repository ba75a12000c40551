/* system.c - health check, static assets, the root redirect, and the small
 * helpers every handler shares. */
#include "web/web.h"
#include "http/static.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include <string.h>

struct actor req_actor(const struct req *r)
{
	struct actor a = {0, 0, r->ip};
	if (r->sess) {
		a.user_id = r->sess->user_id;
		a.org_id = r->sess->org_id;
	}
	return a;
}

int web_is_part(const struct req *r)
{
	return str_eq(req_query(r, "partiel"), "1");
}

int web_page_or_part(struct req *r, const char *page, const char *part, view *v)
{
	return web_is_part(r) ? resp_part(r, 200, part, v) : resp_page(r, 200, page, v);
}

int web_healthz(struct req *r)
{
	return resp_text(r, 200, "text/plain; charset=utf-8", "ok\n");
}

int web_static(struct req *r)
{
	const struct static_file *f = static_find(req_param(r, 0));
	if (!f)
		return CLR_ENOTFOUND;
	resp_header(r, "ETag", f->etag);
	resp_header(r, "Cache-Control", "public, max-age=31536000, immutable");
	const char *inm = req_header(r, "If-None-Match");
	r->content_type_out = f->content_type;
	r->responded = 1;
	if (inm && strstr(inm, f->etag)) {
		r->status = 304;
		return 0;
	}
	r->status = 200;
	r->out_static = f->data;
	r->out_static_len = f->len;
	return 0;
}

int web_root(struct req *r)
{
	if (!r->sess)
		return resp_redirect(r, "/connexion", NULL);
	return resp_redirect(r, session_home(r->sess->is_staff, r->sess->is_proctor), NULL);
}
