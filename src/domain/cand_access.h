/* cand_access.h - a candidate's way into their space (issue 16): the
 * one-time links that let them choose a password, the credentials e-mail
 * that carries one, login, « Mot de passe oublié ? ».
 *
 * No password is ever written into an e-mail, the outbox or a log.  The
 * credentials e-mail gives the candidate's identifier (their e-mail
 * address) and a link /candidat/acces?jeton=TOKEN: TOKEN is 256 random bits
 * (libsodium), of which only the BLAKE2b hash is stored (candidate_tokens);
 * it is valid CAND_LINK_TTL_S seconds and once (the statement that sets the
 * password also marks it used, conditionally).  When an administrator chose
 * the password (step 2 of the form), the candidate may log in with it; the
 * e-mail says so and its link lets them change it.
 *
 * Login: the candidate's e-mail and password, throttled exactly as
 * administrators' (user.h, key kind "c").  The same address may belong to
 * candidates of several organisations (unique per organisation only): the
 * password picks the record (at most CAND_LOGIN_MAX of them are tried).
 * A candidate's own password follows the administrators' rules
 * (domain/password.h: 12 characters, not common).
 * Strings are arena-owned.
 */
#ifndef CLR_CAND_ACCESS_H
#define CLR_CAND_ACCESS_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define CAND_LINK_TTL_S (7 * 24 * 3600)
#define CAND_LOGIN_MAX 5

/* The platform's address as candidates reach it, without a final « / »:
 * CLR_PUBLIC_URL, default http://127.0.0.1:8080 (the links of e-mails,
 * the certificate's QR code). */
const char *cand_public_url(void);

/* A new one-time link for the candidate (purpose "invite" or "reset"), in
 * the caller's transaction: its full URL in *url. */
int cand_link_new(db *d, arena *a, long long candidate_id, const char *purpose, const char **url);

/* The credentials e-mail (« Vos identifiants... »): identifier and a fresh
 * link; says whether an administrator chose the password.  In the caller's
 * transaction.  An address the outbox refuses: 0, no mail. */
int cand_access_enqueue(db *d, arena *a, long long candidate_id);

/* « Renvoyer le lien d'accès » (candidate page): a fresh link by e-mail,
 * audited.  CLR_ENOTFOUND when not who->org_id's candidate. */
int cand_access_resend(db *d, arena *a, const struct actor *who, long long candidate_id);

/* What a link gives access to; CLR_ENOTFOUND when unknown, used or
 * expired. */
struct cand_link {
	long long candidate_id;
	const char *purpose;
	const char *email, *first_name, *last_name;
	int admin_chose; /* an administrator chose the current password */
};
int cand_link_check(db *d, arena *a, const char *token, struct cand_link *out);

/* Sets the password through a link (fields password, password_confirm):
 * CLR_EINVAL with messages in e, CLR_ENOTFOUND when the link is unknown,
 * used or expired (also when two requests race: one wins).  Closes the
 * candidate's other sessions and spends their other links; audited. */
int cand_link_use(db *d, arena *a, const char *token, const char *password, const char *confirm, const char *ip,
		  struct errs *e, long long *candidate_id);

/* 0 with *candidate_id, CLR_EAUTH, or CLR_ETHROTTLED (*wait_s). */
int cand_login(db *d, arena *a, const char *email, const char *password, const char *ip, long long *candidate_id,
	       int *wait_s);

/* « Mot de passe oublié ? »: a reset link to every candidate record of
 * that address that has logged in or may (never says whether there is
 * one).  CLR_ETHROTTLED (*wait_s) past the login throttle's free
 * attempts (key kind "f"), else 0. */
int cand_forgot(db *d, arena *a, const char *email, const char *ip, int *wait_s);

/* The candidate's own password change from their space (fields
 * current_password, new_password, confirm_password). */
int cand_change_password(db *d, arena *a, long long candidate_id, const char *ip, const char *current,
			 const char *next, const char *confirm, const char *keep_session, struct errs *e);

#endif
