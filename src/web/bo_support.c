/* bo_support.c - the back office's « Demandes »: the requests that
 * administrators send from their account's « Contact » tab, filtered by
 * status (« Ouverte », « Répondue », « Close »: kept in the URL), a
 * request's page with its answers, « Envoyer la réponse » (e-mailed to the
 * administrator, kept with the request) and « Clore la demande ».  Staff
 * only (route flags).  Rules and storage: domain/support.c. */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/support.h"

static const char *const status_values[] = {"open", "answered", "closed"};

int web_bo_support_list(struct req *r)
{
	const char *status = req_query(r, "statut");
	if (!support_status_valid(status))
		status = NULL; /* unknown: every request */
	struct support_request *qs;
	long long counts[3];
	int n;
	int rc = support_list(r->db, r->a, &(struct support_filter){.status = status}, &qs, &n);
	if (rc == 0)
		rc = support_counts(r->db, r->a, 0, counts);
	if (rc)
		return rc;
	view *v = page_view(r, "Demandes");
	view_set_bool(v, "nav_bo_support", 1);
	view_set(v, "f_label", status ? support_status_label(status) : "");
	view_list(v, "filters");
	view *f = view_add(v, "filters");
	view_set(f, "href", "/backoffice/demandes");
	view_set(f, "label", "Toutes");
	view_setf(f, "count", "%lld", counts[0] + counts[1] + counts[2]);
	view_set_bool(f, "current", !status);
	for (int i = 0; i < 3; i++) {
		f = view_add(v, "filters");
		view_setf(f, "href", "/backoffice/demandes?statut=%s", status_values[i]);
		view_set(f, "label", support_status_label(status_values[i]));
		view_setf(f, "count", "%lld", counts[i]);
		view_set_bool(f, "current", str_eq(status, status_values[i]));
	}
	view_list(v, "requests");
	for (int i = 0; i < n; i++) {
		view *q = view_add(v, "requests");
		view_setf(q, "id", "%lld", qs[i].id);
		view_set(q, "date", datetime_fmt(r->a, (time_t)qs[i].created_at));
		view_set(q, "org_name", qs[i].org_name);
		view_set(q, "author", *qs[i].author_name ? qs[i].author_name : qs[i].author_email);
		view_set(q, "topic", support_topic_label(qs[i].topic));
		view_set(q, "subject", qs[i].subject);
		view_set(q, "status", qs[i].status);
		view_set(q, "status_label", support_status_label(qs[i].status));
	}
	return resp_page(r, 200, "backoffice/support_requests", v);
}

static const char *const answer_fields[] = {"answer", NULL};

static int request_page(struct req *r, int status, long long id, const struct errs *e)
{
	struct support_request q;
	int rc = support_get(r->db, r->a, 0, id, &q);
	if (rc)
		return rc;
	view *v = page_view(r, arena_printf(r->a, "Demande n° %lld", q.id));
	view_set_bool(v, "nav_bo_support", 1);
	web_support_request_fill(r, v, &q);
	view_form(v, r, answer_fields, e);
	return resp_page(r, status, "backoffice/support_request", v);
}

int web_bo_support_show(struct req *r)
{
	long long id = req_param_id(r, 0);
	return id ? request_page(r, 200, id, NULL) : CLR_ENOTFOUND;
}

int web_bo_support_answer(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (!id)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	struct errs e = {0};
	int rc = support_answer(r->db, r->a, &who, id, req_form(r, "answer"), &e);
	if (rc == CLR_EINVAL)
		return request_page(r, 422, id, &e);
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/backoffice/demandes/%lld", id),
			     "La réponse a été envoyée à l'administrateur par courriel ; elle est visible dans son compte.");
}

int web_bo_support_close(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (!id)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	int rc = support_close(r->db, r->a, &who, id);
	if (rc == CLR_ECONFLICT)
		return resp_redirect(r, arena_printf(r->a, "/backoffice/demandes/%lld", id), "Cette demande était déjà close.");
	if (rc)
		return rc;
	return resp_redirect(r, arena_printf(r->a, "/backoffice/demandes/%lld", id), "La demande est close.");
}
