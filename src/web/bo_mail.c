/* bo_mail.c - back office « Courriels »: the outbox with its filters
 * (status, organisation, recipient: kept in the URL) and « Renvoyer » for a
 * failed message.  Staff only (route flags). */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/outbox.h"
#include <time.h>

#define LIST_MAX 200

static const char *const status_values[] = {"pending", "sending", "sent", "failed", NULL};

/* "jj/mm/aaaa HH:MM" (Europe/Paris), "" for 0. */
static const char *when(arena *a, long long t)
{
	if (t <= 0)
		return "";
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];
	localtime_r(&tt, &tm);
	strftime(s, sizeof s, "%d/%m/%Y %H:%M", &tm);
	return arena_strdup(a, s);
}

/* The list URL with the current filters. */
static const char *list_url(struct req *r, const char *status, const char *org, const char *to)
{
	const char *q = "";
	if (!str_empty(status))
		q = arena_printf(r->a, "%s&status=%s", q, url_encode(r->a, status));
	if (!str_empty(org))
		q = arena_printf(r->a, "%s&org=%s", q, url_encode(r->a, org));
	if (!str_empty(to))
		q = arena_printf(r->a, "%s&to=%s", q, url_encode(r->a, to));
	return *q ? arena_printf(r->a, "/backoffice/courriels?%s", q + 1) : "/backoffice/courriels";
}

int web_bo_mail(struct req *r)
{
	db *d = r->db;
	const char *status = req_query(r, "status"), *org = req_query(r, "org"), *to = req_query(r, "to");
	if (!str_empty(status) && str_eq(outbox_status_label(status), status))
		status = NULL; /* unknown status: show everything */
	struct outbox_filter f = {status, org, to, LIST_MAX};
	struct outbox_row *rows;
	int n;
	int rc = outbox_list(d, r->a, &f, &rows, &n);
	if (rc)
		return rc;
	view *v = page_view(r, "Courriels");
	view_set_bool(v, "nav_bo_mail", 1);
	view_set(v, "f_status", status ? status : "");
	view_set(v, "f_org", org ? org : "");
	view_set(v, "f_to", to ? to : "");
	view_set_bool(v, "filtered", !str_empty(status) || !str_empty(org) || !str_empty(to));
	view_list(v, "statuses");
	for (int i = 0; status_values[i]; i++) {
		view_option(v, "statuses", status_values[i], outbox_status_label(status_values[i]), str_eq(status, status_values[i]));
	}
	view_list(v, "mails");
	for (int i = 0; i < n; i++) {
		const struct outbox_row *o = &rows[i];
		view *m = view_add(v, "mails");
		view_setf(m, "id", "%lld", o->id);
		view_set(m, "date", when(r->a, o->created_at));
		view_set(m, "org_name", o->org_name && *o->org_name ? o->org_name : "—");
		view_set(m, "recipient", o->recipient);
		view_set(m, "subject", o->subject);
		view_set(m, "status", o->status);
		view_set(m, "status_label", outbox_status_label(o->status));
		view_setf(m, "attempts", "%d", o->attempts);
		view_set(m, "last_error", o->last_error && *o->last_error ? o->last_error : "—");
		if (str_eq(o->status, "sent"))
			view_set(m, "sent_date", when(r->a, o->sent_at));
		if (str_eq(o->status, "pending") && o->attempts > 0)
			view_set(m, "next_date", when(r->a, o->next_attempt_at));
		view_set_bool(m, "can_retry", str_eq(o->status, "failed"));
	}
	view_set_bool(v, "truncated", n >= LIST_MAX);
	view_setf(v, "shown", "%d", LIST_MAX);
	return resp_page(r, 200, "backoffice/mail", v);
}

int web_bo_mail_retry(struct req *r)
{
	db *d = r->db;
	long long id = req_param_id(r, 0);
	struct actor who = req_actor(r);
	int rc = id ? outbox_retry(d, r->a, &who, id) : CLR_ENOTFOUND;
	const char *back = list_url(r, req_form(r, "status"), req_form(r, "org"), req_form(r, "to"));
	if (rc == CLR_ECONFLICT)
		return resp_redirect(r, back, "Ce courriel n’est pas en échec : il n’y a rien à renvoyer.");
	if (rc)
		return rc;
	return resp_redirect(r, back, "Le courriel sera renvoyé dans quelques instants.");
}
