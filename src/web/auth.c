/* auth.c - « Connexion » and « Se déconnecter ». */
#include "web/web.h"
#include "core/err.h"
#include "core/metrics.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/session.h"
#include "domain/user.h"
#include <string.h>

/* Only a path of this site is followed after login (no open redirect): one
 * « / » followed by a printable ASCII character other than « / » or « \ »
 * (browsers read « // », « /\ » and « /<tab>/ » as another host), then
 * printable ASCII only (no control character, space, backslash or
 * non-ASCII byte to be read differently) and at most SUITE_MAX bytes; the
 * pages of the site, as the server's redirect to /connexion writes them, pass. */
#define SUITE_MAX 2048

static const char *safe_next(const char *s)
{
	if (!s || s[0] != '/' || s[1] == '/')
		return NULL;
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++)
		if (*p <= ' ' || *p >= 0x7f || *p == '\\' || n >= SUITE_MAX)
			return NULL;
	return s;
}

static int login_page(struct req *r, int status, const char *error)
{
	view *v = page_view(r, "Connexion");
	view_set_bool(v, "is_public", 1);
	const char *next = safe_next(req_query(r, "suite"));
	if (!next)
		next = safe_next(req_form(r, "suite"));
	if (next)
		view_set(v, "suite", next);
	if (error)
		view_set(v, "form_error", error);
	view_set(v, "email", req_form(r, "email")); /* "" on the first visit */
	return resp_page(r, status, "login", v);
}

int web_login_form(struct req *r)
{
	if (r->sess)
		return resp_redirect(r, session_home(r->sess->is_staff, r->sess->is_proctor), NULL);
	return login_page(r, 200, NULL);
}

int web_login(struct req *r)
{
	db *d = r->db;
	struct user u;
	int wait = 0;
	int rc = user_login(d, r->a, req_form(r, "email"), req_form(r, "password"), r->ip, &u, &wait);
	if (rc == CLR_EAUTH || rc == CLR_ETHROTTLED)
		metric_inc(rc == CLR_EAUTH ? M_LOGIN_FAILURES : M_LOGIN_THROTTLED);
	if (rc == CLR_EAUTH)
		return login_page(r, 401, "Courriel ou mot de passe incorrect.");
	if (rc == CLR_ETHROTTLED) {
		int n = wait < 60 ? wait : (wait + 59) / 60;
		return login_page(r, 429,
				  arena_printf(r->a,
					       "Trop de tentatives de connexion infructueuses. Par sécurité, "
					       "réessayez dans %d %s%s.",
					       n, wait < 60 ? "seconde" : "minute", n > 1 ? "s" : ""));
	}
	if (rc)
		return rc;
	/* a new session at every login: a token planted before login is useless */
	if (r->sess)
		session_destroy(d, r->sess->hash);
	char token[TOKEN_LEN + 1];
	rc = session_create(d, r->a, u.id, r->ip, req_header(r, "User-Agent"), token);
	if (rc)
		return rc;
	resp_cookie(r, SESSION_COOKIE, arena_strdup(r->a, token), -1);
	resp_cookie(r, "clr_pre", "", 0);
	const char *next = safe_next(req_form(r, "suite"));
	if (!next || (u.is_staff != str_starts(next, "/backoffice")) || (u.is_proctor && !str_starts(next, "/mes-sessions")))
		next = session_home(u.is_staff, u.is_proctor);
	return resp_redirect(r, next, NULL);
}

int web_logout(struct req *r)
{
	db *d = r->db;
	int rc = session_destroy(d, r->sess->hash);
	if (rc)
		return rc;
	resp_cookie(r, SESSION_COOKIE, "", 0);
	return resp_redirect(r, "/connexion", "Vous êtes déconnecté. À bientôt !");
}
