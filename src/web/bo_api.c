/* bo_api.c - the back office's « Clés d'API »: the keys with which the
 * exam platform reports results (POST /api/v1/results, api.c).  Staff list
 * them (name, created when and by whom, last use, revoked), create one (its
 * whole value shown once, on the page that answers the creation: never in
 * a redirect, a cookie or a log) and revoke one after a confirmation page.
 * Rules and storage: domain/api_key.c. */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/api_key.h"
#include <sodium.h>
#include <string.h>

static view *keys_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_bo_api", 1);
	return v;
}

static const char *const key_fields[] = {"name", NULL};

static int keys_page(struct req *r, int status, const struct errs *e)
{
	struct api_key *ks;
	int n;
	int rc = api_key_list(r->db, r->a, &ks, &n);
	if (rc)
		return rc;
	view *v = keys_view(r, "Clés d'API");
	view_list(v, "keys");
	for (int i = 0; i < n; i++) {
		view *k = view_add(v, "keys");
		view_setf(k, "id", "%lld", ks[i].id);
		view_set(k, "kname", ks[i].name);
		view_set(k, "prefix", ks[i].prefix);
		view_set(k, "created", datetime_fmt(r->a, (time_t)ks[i].created_at));
		view_set(k, "created_by", *ks[i].created_by ? ks[i].created_by : "—");
		view_set(k, "last_used", ks[i].last_used_at ? datetime_fmt(r->a, (time_t)ks[i].last_used_at) : "Jamais");
		view_set_bool(k, "revoked", ks[i].revoked_at != 0);
		view_set(k, "revoked_at", ks[i].revoked_at ? datetime_fmt(r->a, (time_t)ks[i].revoked_at) : "");
		view_set(k, "revoked_by", ks[i].revoked_by && *ks[i].revoked_by ? ks[i].revoked_by : "");
	}
	view_form(v, r, key_fields, e);
	return resp_page(r, status, "backoffice/api_keys", v);
}

int web_bo_api_keys(struct req *r)
{
	return keys_page(r, 200, NULL);
}

int web_bo_api_key_create(struct req *r)
{
	struct actor who = req_actor(r);
	struct errs e = {0};
	char key[API_KEY_LEN + 1];
	long long id;
	int rc = api_key_create(r->db, r->a, &who, req_form(r, "name"), key, &e, &id);
	if (rc == CLR_EINVAL)
		return keys_page(r, 422, &e);
	if (rc)
		return rc;
	struct api_key k;
	if ((rc = api_key_get(r->db, r->a, id, &k)) != 0)
		return rc;
	/* shown here once: this answer is not cached (Cache-Control: no-store) */
	view *v = keys_view(r, "Clé d'API créée");
	view_set(v, "kname", k.name);
	view_set(v, "key", arena_strdup(r->a, key)); /* the view borrows its strings */
	sodium_memzero(key, sizeof key);
	return resp_page(r, 201, "backoffice/api_key_created", v);
}

static int revoke_page(struct req *r, int status, const struct api_key *k, const struct errs *e)
{
	view *v = keys_view(r, "Révoquer une clé d'API");
	view_setf(v, "id", "%lld", k->id);
	view_set(v, "kname", k->name);
	view_set(v, "prefix", k->prefix);
	view_set(v, "last_used", k->last_used_at ? datetime_fmt(r->a, (time_t)k->last_used_at) : "jamais");
	view_set(v, "refused", e && e->n ? e->e[0].msg : k->revoked_at ? "Cette clé est déjà révoquée." : "");
	return resp_page(r, status, "backoffice/api_key_revoke", v);
}

int web_bo_api_key_revoke_form(struct req *r)
{
	long long id = req_param_id(r, 0);
	struct api_key k;
	int rc = id ? api_key_get(r->db, r->a, id, &k) : CLR_ENOTFOUND;
	if (rc)
		return rc;
	return revoke_page(r, 200, &k, NULL);
}

int web_bo_api_key_revoke(struct req *r)
{
	long long id = req_param_id(r, 0);
	if (!id)
		return CLR_ENOTFOUND;
	struct actor who = req_actor(r);
	struct errs e = {0};
	int rc = api_key_revoke(r->db, r->a, &who, id, &e);
	if (rc == CLR_EINVAL) {
		struct api_key k;
		if ((rc = api_key_get(r->db, r->a, id, &k)) != 0)
			return rc;
		return revoke_page(r, 422, &k, &e);
	}
	if (rc)
		return rc;
	return resp_redirect(r, "/backoffice/cles-api",
			     "La clé a été révoquée : les requêtes qui l'utilisent sont refusées dès maintenant.");
}
