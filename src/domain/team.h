/* team.h - an organisation's team: its administrators and proctors
 * (« surveillants »), invitations by e-mail, removal, the proctors of an
 * exam session, and password resets by e-mail.
 *
 * An invitation or a reset is a link holding a 256-bit random token
 * (libsodium, core/crypto.h); the database keeps only its hash.  Each is
 * used once: an invitation within TEAM_INVITE_TTL_S, a reset within
 * PWRESET_TTL_S.  Links are built from outbox_base_url().  Every change
 * writes an audit row and its e-mail (outbox) in the same transaction.
 * Strings are arena-owned.
 */
#ifndef CLR_TEAM_H
#define CLR_TEAM_H
#include "core/validate.h"
#include "core/view.h"
#include "db/db.h"
#include "domain/audit.h"

#define TEAM_INVITE_TTL_S (72 * 3600)
#define PWRESET_TTL_S 3600
#define PWRESET_MAIL_FREE 3  /* reset requests for one address per hour before waits */
#define PWRESET_ADDR_FREE 20 /* reset requests from one client address per hour (as logins: an office behind one NAT address) */

struct member {
	long long id;
	const char *name, *email;
	int proctor;
};

struct invitation {
	long long id, org_id;
	const char *email, *name, *org_name;
	int proctor;
	long long created_at, expires_at;
	int expired;
};

/* Active members (administrators first, then proctors, by name). */
int team_members(db *d, arena *a, long long org_id, struct member **out, int *n);
/* The organisation's active proctors only. */
int team_proctors(db *d, arena *a, long long org_id, struct member **out, int *n);
/* Pending invitations (neither accepted nor revoked; expired ones flagged), newest first. */
int team_invitations(db *d, arena *a, long long org_id, struct invitation **out, int *n);
/* Fields: email, name (optional), role ("admin" or "proctor").  CLR_EINVAL
 * with messages in e (an address that already has an account, or a
 * pending invitation of this organisation). */
int team_invite(db *d, arena *a, const struct actor *who, const char *email, const char *name, const char *role,
		struct errs *e, long long *id_out);
/* A new link (the old one stops working), valid 72 h again, e-mailed. */
int team_invite_resend(db *d, arena *a, const struct actor *who, long long id);
int team_invite_revoke(db *d, arena *a, const struct actor *who, long long id);
/* The pending, unexpired invitation of a token: CLR_ENOTFOUND otherwise. */
int team_invitation_by_token(db *d, arena *a, const char *token, struct invitation *out);
/* Fields: name, password, confirm.  Creates the account, uses the
 * invitation.  CLR_ENOTFOUND when the link is no longer valid. */
int team_invitation_accept(db *d, arena *a, const char *token, const char *name, const char *password,
			   const char *confirm, const char *ip, struct errs *e);
/* Disables a member and closes their sessions at once.  CLR_ECONFLICT for
 * the organisation's last administrator; CLR_ENOTFOUND for another's. */
int team_remove(db *d, arena *a, const struct actor *who, long long user_id);

/* ---- proctors of exam sessions ---------------------------------------- */
/* The ids of the proctors assigned to a session of org_id. */
int session_proctor_ids(db *d, arena *a, long long org_id, long long session_id, long long **ids, int *n);
/* Replaces the session's proctors by ids (each an active proctor of org_id,
 * else CLR_EINVAL).  CLR_ENOTFOUND for a session of another organisation. */
int session_proctors_set(db *d, arena *a, const struct actor *who, long long session_id, const long long *ids,
			 int n);
/* The sessions a proctor is assigned to (ids, by date). */
int proctor_session_ids(db *d, arena *a, long long org_id, long long user_id, long long **ids, int *n);
/* 0 if user_id is assigned to session_id of org_id, else CLR_ENOTFOUND. */
int proctor_assigned(db *d, arena *a, long long org_id, long long user_id, long long session_id);

/* ---- password reset ------------------------------------------------------ */
/* « Mot de passe oublié ? »: for an active account of that address, a link
 * by e-mail; for none, the same work (token, hash, a row that can never be
 * used).  0 either way; CLR_ETHROTTLED (*wait_s) past the limits per
 * address typed and per client address. */
int pwreset_request(db *d, arena *a, const char *email, const char *ip, int *wait_s);
/* 0 if the token is a live reset link. */
int pwreset_check(db *d, arena *a, const char *token);
/* Fields: new_password, confirm_password.  Sets the password, uses the
 * link, closes every session of the account. */
int pwreset_apply(db *d, arena *a, const char *token, const char *next, const char *confirm, const char *ip,
		  struct errs *e);

/* ---- « Alerte de stock » ----------------------------------------------------- */
#define STOCK_THRESHOLD_DEFAULT 5
int team_stock_threshold(db *d, arena *a, long long org_id, long long *out);
void team_stock_threshold_stmt(struct db_stmt *st, arena *a, long long org_id); /* its statement (db_prefetch) */
/* Field: threshold (an integer from 0 to 100000; 0: no banner). */
int team_stock_threshold_set(db *d, arena *a, const struct actor *who, const char *value, struct errs *e);

/* ---- notifications --------------------------------------------------------- */
/* Enqueues one message to each active administrator of org_id, in the
 * caller's transaction: template tmpl with v, subject, kind. */
int team_notify_admins(db *d, arena *a, long long org_id, const char *kind, const char *subject, const char *tmpl,
		       view *v);

#endif
