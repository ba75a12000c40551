/* account.c - « Compte Administrateur »: the « Profil » and « Mot de passe »
 * tabs; the same handlers serve staff's « Mon compte » under
 * /backoffice/compte, and a proctor's « Mot de passe » (its only tab). */
#include "web/web.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/user.h"

static const char *const profile_fields[] = {"name", "email", "phone", "current_password", NULL};
static const char *const password_fields[] = {"current_password", "new_password", "confirm_password", NULL};

static view *account_view(struct req *r, const char *title, const char *tab)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_account", 1);
	view_set_bool(v, tab, 1);
	view_set(v, "account_base", r->sess->is_staff ? "/backoffice/compte" : "/compte");
	return v;
}

/* « Alerte de stock » of the « Profil » tab (administrators: web/team.c) */
static int profile_extras(struct req *r, view *v)
{
	return r->sess->is_staff ? 0 : web_stock_threshold_fill(r, v);
}

int web_profile_form(struct req *r)
{
	struct user u;
	int rc = user_get(r->db, r->a, r->sess->user_id, &u);
	if (rc)
		return rc;
	view *v = account_view(r, "Mon compte — Profil", "tab_profile");
	view_set(v, "name", u.name);
	view_set(v, "email", u.email);
	view_set(v, "phone", u.phone);
	view_set(v, "current_password", "");
	if ((rc = profile_extras(r, v)) != 0)
		return rc;
	return resp_page(r, 200, "account/profile", v);
}

int web_profile_save(struct req *r)
{
	db *d = r->db;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = user_update_profile(d, r->a, &who, req_form(r, "name"), req_form(r, "email"), req_form(r, "phone"),
				     req_form(r, "current_password"), &e);
	if (rc == CLR_EINVAL) {
		view *v = account_view(r, "Mon compte — Profil", "tab_profile");
		view_form(v, r, profile_fields, &e);
		view_set(v, "current_password", ""); /* never echoed */
		if ((rc = profile_extras(r, v)) != 0)
			return rc;
		return resp_page(r, 422, "account/profile", v);
	}
	if (rc)
		return rc;
	return resp_redirect(r, r->sess->is_staff ? "/backoffice/compte" : "/compte",
			     "Vos informations ont été enregistrées.");
}

int web_password_form(struct req *r)
{
	view *v = account_view(r, "Mon compte — Mot de passe", "tab_password");
	return resp_page(r, 200, "account/password", v);
}

int web_password_save(struct req *r)
{
	db *d = r->db;
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = user_change_password(d, r->a, &who, req_form(r, "current_password"), req_form(r, "new_password"),
				      req_form(r, "confirm_password"), r->sess->hash, &e);
	if (rc == CLR_EINVAL) {
		view *v = account_view(r, "Mon compte — Mot de passe", "tab_password");
		view_form(v, r, password_fields, &e);
		/* never echo passwords back into the page */
		for (int i = 0; password_fields[i]; i++)
			view_set(v, password_fields[i], "");
		return resp_page(r, 422, "account/password", v);
	}
	if (rc)
		return rc;
	return resp_redirect(r, r->sess->is_staff ? "/backoffice/compte/mot-de-passe" : "/compte/mot-de-passe", "Votre mot de passe a été modifié. Vos autres sessions ont été fermées.");
}
