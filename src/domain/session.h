/* session.h - logged-in sessions.
 *
 * The browser holds a 256-bit random token in the clr_session cookie; the
 * database holds only its hash, with the user, a per-session CSRF token and
 * the last activity time.  A session idle for SESSION_IDLE_S seconds is dead,
 * and so is one logged in more than CLR_SESSION_MAX_H hours ago (default
 * SESSION_MAX_H), however active: a stolen cookie does not live for ever.
 * Behind TLS the cookie is named __Host-clr_session (http/request.h).
 */
#ifndef CLR_SESSION_H
#define CLR_SESSION_H
#include "core/arena.h"
#include "core/crypto.h"
#include "db/db.h"

#define SESSION_IDLE_S (4 * 3600)
#define SESSION_MAX_H 12
#define SESSION_COOKIE "clr_session"

struct session {
	long long user_id;
	long long org_id; /* 0 for Le Robert staff */
	int is_staff;
	int is_proctor; /* a proctor (« surveillant ») of org_id: read-only on their sessions */
	const char *user_name;
	const char *user_email;
	const char *org_name; /* NULL for staff */
	const char *csrf;
	char hash[TOKEN_HASH_LEN + 1];
	void *deferred; /* session_load_deferred(): the check still to settle */
};

/* Creates a session; writes the cookie token into token_out. */
int session_create(db *d, arena *a, long long user_id, const char *ip, const char *user_agent,
		   char token_out[TOKEN_LEN + 1]);
/* Loads the live session of a cookie token: 0, or CLR_ENOTFOUND when
 * unknown or expired.  Refreshes its activity time (at most once a minute). */
int session_load(db *d, arena *a, const char *token, struct session *out);
/* The same answer without a round trip of its own, for reads (GET): when
 * this thread loaded the token's session before, *out is filled from what
 * it read then, and the row is read again with the connection's next
 * statement (db_defer, db.h): 0.  CLR_ENOTFOUND when this thread does not
 * know the token (then session_load()).  Until session_settle(), the
 * answer is an assumption: a statement whose check fails returns
 * CLR_ESTALE, and no write runs. */
int session_load_deferred(db *d, arena *a, const char *token, struct session *out);
/* Ends a deferred load (nothing for another): 0 when the session is as it
 * was assumed (and its activity time refreshed, once a minute); < 0
 * (CLR_ESTALE: revoked, expired, or its user, organisation or CSRF token
 * changed; or the statement's failure) when the request must be answered
 * again after session_load(). */
int session_settle(db *d, arena *a, struct session *s);
/* Forgets what this thread remembers of a session. */
void session_forget(const char *hash);
int session_destroy(db *d, const char *hash);
/* Where a user lands: /backoffice (staff), /mes-sessions (proctor), /accueil. */
const char *session_home(int is_staff, int is_proctor);
/* Closes every session of the user except the one whose hash is `keep`. */
int session_destroy_others(db *d, arena *a, long long user_id, const char *keep);

/* ---- candidates' sessions ------------------------------------------------
 * A kind of their own: a row of candidate_sessions, the cookie clr_cand
 * (never clr_session), so a candidate's session is never an
 * administrator's and reaches only the candidate's space (R_CANDIDATE
 * routes, http/routes.h); same lifetimes as above. */
#define CAND_SESSION_COOKIE "clr_cand"

struct cand_session {
	long long candidate_id;
	long long org_id;
	const char *email;
	const char *first_name, *last_name;
	const char *csrf;
	char hash[TOKEN_HASH_LEN + 1];
};

int cand_session_create(db *d, arena *a, long long candidate_id, const char *ip, const char *user_agent,
			char token_out[TOKEN_LEN + 1]);
/* 0, or CLR_ENOTFOUND when unknown, expired, or the candidate erased. */
int cand_session_load(db *d, arena *a, const char *token, struct cand_session *out);
int cand_session_destroy(db *d, const char *hash);
/* Closes every session of the candidate except `keep` (NULL: all). */
int cand_session_destroy_others(db *d, arena *a, long long candidate_id, const char *keep);

#endif
