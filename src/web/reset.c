/* reset.c - « Mot de passe oublié ? »: the request by e-mail address, then
 * the page of the e-mailed link where a new password is chosen.  The
 * answer to a request is the same page whether the address has an account
 * or not (domain/team.h: the same work either way). */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/team.h"

#define SENT_MSG                                                                                                     \
	"Si un compte correspond à cette adresse, un courriel vient de lui être envoyé avec un lien pour choisir un "  \
	"nouveau mot de passe. Ce lien est valable une heure."

static int request_page(struct req *r, int status, const char *error, int sent)
{
	view *v = page_view(r, "Mot de passe oublié");
	view_set_bool(v, "is_public", 1);
	view_set(v, "email", sent ? "" : req_form(r, "email"));
	if (error)
		view_set(v, "form_error", error);
	if (sent)
		view_set(v, "sent", SENT_MSG);
	return resp_page(r, status, "team/forgot", v);
}

int web_reset_form(struct req *r)
{
	return request_page(r, 200, NULL, 0);
}

int web_reset_request(struct req *r)
{
	const char *email = req_form(r, "email");
	const char *typed = str_lower(r->a, str_trim(r->a, email, 0));
	if (!*typed)
		return request_page(r, 422, "Veuillez indiquer l'adresse de courriel de votre compte.", 0);
	if (!valid_email(typed)) /* says nothing of any account: no account has such an address */
		return request_page(r, 422, "Adresse de courriel invalide : vérifiez-la.", 0);
	int wait = 0;
	int rc = pwreset_request(r->db, r->a, email, r->ip, &wait);
	if (rc == CLR_ETHROTTLED) {
		int n = wait < 60 ? wait : (wait + 59) / 60;
		return request_page(r, 429,
				    arena_printf(r->a,
						 "Trop de demandes de nouveau mot de passe. Par sécurité, réessayez dans %d %s%s.",
						 n, wait < 60 ? "seconde" : "minute", n > 1 ? "s" : ""),
				    0);
	}
	if (rc)
		return rc;
	return request_page(r, 200, NULL, 1);
}

static const char *const reset_fields[] = {"new_password", "confirm_password", NULL};

static int token_page(struct req *r, int valid, const struct errs *e, int status)
{
	view *v = page_view(r, valid ? "Choisir un nouveau mot de passe" : "Lien invalide");
	view_set_bool(v, "is_public", 1);
	view_set_bool(v, "valid", valid);
	view_set(v, "token", req_param(r, 0));
	view_form(v, r, reset_fields, e);
	view_blank(v, reset_fields); /* never echoed */
	return resp_page(r, status, "team/reset", v);
}

int web_reset_token_form(struct req *r)
{
	int rc = pwreset_check(r->db, r->a, req_param(r, 0));
	if (rc && rc != CLR_ENOTFOUND)
		return rc;
	return token_page(r, rc == 0, NULL, rc == 0 ? 200 : 404);
}

int web_reset_token_save(struct req *r)
{
	struct errs e = {0};
	int rc = pwreset_apply(r->db, r->a, req_param(r, 0), req_form(r, "new_password"), req_form(r, "confirm_password"),
			       r->ip, &e);
	if (rc == CLR_ENOTFOUND)
		return token_page(r, 0, NULL, 404);
	if (rc == CLR_EINVAL)
		return token_page(r, 1, &e, 422);
	if (rc)
		return rc;
	if (r->sess) /* every session of the account is closed, perhaps this one */
		resp_cookie(r, SESSION_COOKIE, "", 0);
	return resp_redirect(r, "/connexion",
			     "Votre mot de passe a été changé et toutes vos sessions ont été fermées : connectez-vous avec le nouveau.");
}
