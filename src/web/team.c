/* team.c - the « Équipe » tab of « Compte Administrateur » (members,
 * invitations, removal), the invitation page of the e-mailed link, the
 * « Alerte de stock » of « Profil » and its banner on « Accueil ». */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/stock.h"
#include "domain/team.h"
#include "domain/user.h"

static const char *const invite_fields[] = {"name", "email", "role", NULL};

static int render_team(struct req *r, const struct errs *e, int status)
{
	arena *a = r->a;
	struct member *m;
	struct invitation *inv;
	int nm, ni;
	int rc = team_members(r->db, a, r->sess->org_id, &m, &nm);
	if (rc == 0)
		rc = team_invitations(r->db, a, r->sess->org_id, &inv, &ni);
	if (rc)
		return rc;
	view *v = page_view(r, "Mon compte — Équipe");
	view_set_bool(v, "nav_account", 1);
	view_set_bool(v, "tab_team", 1);
	view_set(v, "account_base", "/compte");
	int admins = 0;
	for (int i = 0; i < nm; i++)
		admins += !m[i].proctor;
	view_list(v, "members");
	for (int i = 0; i < nm; i++) {
		view *o = view_add(v, "members");
		view_set(o, "name", *m[i].name ? m[i].name : "—");
		view_set(o, "email", m[i].email);
		view_set(o, "role", m[i].proctor ? "Surveillant" : "Administrateur");
		view_set_bool(o, "is_self", m[i].id == r->sess->user_id);
		/* never the last administrator (the server refuses it too) */
		view_set(o, "remove_action", m[i].proctor || admins > 1
						     ? arena_printf(a, "/compte/equipe/membres/%lld/retirer", m[i].id) : "");
	}
	view_list(v, "invitations");
	for (int i = 0; i < ni; i++) {
		view *o = view_add(v, "invitations");
		view_set(o, "email", inv[i].email);
		view_set(o, "name", inv[i].name);
		view_set(o, "role", inv[i].proctor ? "Surveillant" : "Administrateur");
		view_set(o, "expires", datetime_fmt(a, (time_t)inv[i].expires_at));
		view_set_bool(o, "expired", inv[i].expired);
		view_setf(o, "resend_action", "/compte/equipe/invitations/%lld/renvoyer", inv[i].id);
		view_setf(o, "revoke_action", "/compte/equipe/invitations/%lld/revoquer", inv[i].id);
	}
	view_set_bool(v, "has_invitations", ni > 0);
	view_set(v, "role", "admin");
	view_form(v, r, invite_fields, e);
	const char *role = req_form(r, "role");
	view_set_bool(v, "role_admin", !str_eq(role, "proctor"));
	view_set_bool(v, "role_proctor", str_eq(role, "proctor"));
	return resp_page(r, status, "account/team", v);
}

int web_team(struct req *r)
{
	return render_team(r, NULL, 200);
}

int web_team_invite(struct req *r)
{
	struct errs e = {0};
	struct actor who = req_actor(r);
	const char *email = req_form(r, "email");
	int rc = team_invite(r->db, r->a, &who, email, req_form(r, "name"), req_form(r, "role"), &e, NULL);
	if (rc == CLR_EINVAL)
		return render_team(r, &e, 422);
	if (rc)
		return rc;
	return resp_redirect(r, "/compte/equipe",
			     arena_printf(r->a, "Invitation envoyée à %s. Le lien est valable 72 heures.",
					  str_lower(r->a, str_trim(r->a, email, 0))));
}

/* An action of « Équipe » on the id of the URL: FN's code, 0 done. */
static int team_action(struct req *r, int (*fn)(db *, arena *, const struct actor *, long long))
{
	struct actor who = req_actor(r);
	long long id = req_param_id(r, 0);
	return id > 0 ? fn(r->db, r->a, &who, id) : CLR_ENOTFOUND;
}

int web_team_resend(struct req *r)
{
	int rc = team_action(r, team_invite_resend);
	if (rc)
		return rc;
	return resp_redirect(r, "/compte/equipe", "Invitation renvoyée : un nouveau lien, valable 72 heures, remplace le précédent.");
}

int web_team_revoke(struct req *r)
{
	int rc = team_action(r, team_invite_revoke);
	if (rc)
		return rc;
	return resp_redirect(r, "/compte/equipe", "Invitation révoquée : son lien ne fonctionne plus.");
}

int web_team_remove(struct req *r)
{
	int rc = team_action(r, team_remove);
	if (rc == CLR_ECONFLICT)
		return resp_redirect(r, "/compte/equipe",
				     "Impossible de retirer le dernier administrateur de l'organisation : invitez-en d'abord un autre.");
	if (rc)
		return rc;
	if (req_param_id(r, 0) == r->sess->user_id) { /* removed oneself: the session is gone */
		resp_cookie(r, SESSION_COOKIE, "", 0);
		return resp_redirect(r, "/connexion", "Vous avez quitté l'équipe de l'organisation.");
	}
	return resp_redirect(r, "/compte/equipe", "Membre retiré de l'équipe : ses sessions ont été fermées.");
}

/* ---- the invitation link (public) ---------------------------------------- */

static const char *const accept_fields[] = {"name", "password", "confirm", NULL};

static int render_invitation(struct req *r, const struct invitation *inv, const struct errs *e, int status)
{
	view *v = page_view(r, inv ? "Invitation" : "Lien d'invitation invalide");
	view_set_bool(v, "is_public", 1);
	view_set_bool(v, "valid", inv != NULL);
	if (inv) {
		view_set(v, "org_name", inv->org_name);
		view_set(v, "invite_email", inv->email);
		view_set(v, "role", inv->proctor ? "surveillant" : "administrateur");
		view_set(v, "token", req_param(r, 0));
		view_set(v, "name", inv->name);
		view_form(v, r, accept_fields, e);
		view_set(v, "password", "");
		view_set(v, "confirm", "");
	}
	return resp_page(r, status, "team/invitation", v);
}

int web_invitation_form(struct req *r)
{
	struct invitation inv;
	int rc = team_invitation_by_token(r->db, r->a, req_param(r, 0), &inv);
	if (rc == CLR_ENOTFOUND)
		return render_invitation(r, NULL, NULL, 404);
	if (rc)
		return rc;
	return render_invitation(r, &inv, NULL, 200);
}

int web_invitation_accept(struct req *r)
{
	struct errs e = {0};
	int rc = team_invitation_accept(r->db, r->a, req_param(r, 0), req_form(r, "name"), req_form(r, "password"),
					req_form(r, "confirm"), r->ip, &e);
	if (rc == CLR_ENOTFOUND)
		return render_invitation(r, NULL, NULL, 404);
	if (rc == CLR_EINVAL) {
		struct invitation inv;
		int rc2 = team_invitation_by_token(r->db, r->a, req_param(r, 0), &inv);
		if (rc2 == CLR_ENOTFOUND) /* the address meanwhile took an account: the link is used */
			return render_invitation(r, NULL, NULL, 404);
		if (rc2)
			return rc2;
		return render_invitation(r, &inv, &e, 422);
	}
	if (rc)
		return rc;
	return resp_redirect(r, "/connexion", "Votre compte est prêt : connectez-vous avec votre adresse de courriel et votre mot de passe.");
}

/* ---- « Alerte de stock » ---------------------------------------------------- */

int web_stock_threshold_fill(struct req *r, view *v)
{
	long long t;
	int rc = team_stock_threshold(r->db, r->a, r->sess->org_id, &t);
	if (rc)
		return rc;
	view_set(v, "threshold", ll_fmt(r->a, "", t));
	return 0;
}

int web_stock_threshold_save(struct req *r)
{
	struct errs e = {0};
	struct actor who = req_actor(r);
	int rc = team_stock_threshold_set(r->db, r->a, &who, req_form(r, "threshold"), &e);
	if (rc == CLR_EINVAL) {
		/* the « Profil » page with the threshold's message */
		view *v = page_view(r, "Mon compte — Profil");
		view_set_bool(v, "nav_account", 1);
		view_set_bool(v, "tab_profile", 1);
		view_set(v, "account_base", "/compte");
		struct user u;
		if ((rc = user_get(r->db, r->a, r->sess->user_id, &u)) != 0)
			return rc;
		view_set(v, "name", u.name);
		view_set(v, "email", u.email);
		view_set(v, "phone", u.phone);
		view_set(v, "current_password", "");
		view_set(v, "threshold", req_form(r, "threshold") ? req_form(r, "threshold") : "");
		view_set(v, "threshold_error", errs_get(&e, "threshold"));
		return resp_page(r, 422, "account/profile", v);
	}
	if (rc)
		return rc;
	return resp_redirect(r, "/compte", "Le seuil d'alerte du stock a été enregistré.");
}

int web_stock_alert_fill(struct req *r, view *v, const struct stock_balance *bs, int nb)
{
	long long t;
	int rc = team_stock_threshold(r->db, r->a, r->sess->org_id, &t);
	if (rc)
		return rc;
	view_list(v, "stock_alerts");
	int k = 0;
	for (int i = 0; t > 0 && i < nb; i++) {
		if (bs[i].qty >= t)
			continue;
		view *o = view_add(v, "stock_alerts");
		view_set(o, "type", bs[i].type_label);
		view_set(o, "qty", int_fmt(r->a, bs[i].qty));
		k++;
	}
	view_set_bool(v, "has_stock_alerts", k > 0);
	view_set(v, "stock_threshold", int_fmt(r->a, t));
	return 0;
}
