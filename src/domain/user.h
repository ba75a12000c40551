/* user.h - accounts: partner administrators and Le Robert staff.
 *
 * E-mail addresses are unique across all accounts and stored lower-cased.
 * Passwords are argon2id hashes.
 *
 * Logins are throttled per key, never by locking an account: the key of the
 * account at the client's address (the e-mail as typed, so unknown e-mails
 * alike) and the key of the address alone.  Every attempt counts as a
 * failure when it starts, in one atomic step with the decision; a success
 * then forgets its account's failures at that address and gives the address
 * its attempt back.  Past a key's free failures (LOGIN_PAIR_FREE,
 * LOGIN_ADDR_FREE = k), the n-th failure makes the key's next attempt wait
 * 2^(n-k) seconds (times CLR_LOGIN_DELAY_MS / 1000, default 1000), at most
 * LOGIN_MAX_WAIT_S, even with the right password;
 * a key without attempts for its FORGET_S seconds starts again.  So an
 * attacker elsewhere never locks the owner out, and behind a proxy each
 * client is its own address (CLR_TRUSTED_PROXIES, http/request.h).
 */
#ifndef CLR_USER_H
#define CLR_USER_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define LOGIN_PAIR_FREE 5                 /* one account from one address */
#define LOGIN_ADDR_FREE 20                /* one address, any accounts (an office behind one NAT address) */
#define LOGIN_MAX_WAIT_S (15 * 60)
#define LOGIN_PAIR_FORGET_S (24 * 3600)   /* a success forgets it at once */
#define LOGIN_ADDR_FORGET_S (3600)

struct user {
	long long id;
	long long org_id; /* 0 for staff */
	int is_staff;
	int is_proctor; /* a proctor (« surveillant »): domain/team.h */
	const char *email, *name, *phone;
};

/* 0 with *out filled, CLR_EAUTH (wrong e-mail or password), or
 * CLR_ETHROTTLED (*wait_s = seconds to wait; the password was not tried). */
int user_login(db *d, arena *a, const char *email, const char *password, const char *ip, struct user *out,
	       int *wait_s);
int user_get(db *d, arena *a, long long id, struct user *out);
/* Creates an account (org_id 0 = staff).  CLR_EINVAL with messages in e
 * (the password's rules: domain/password.h). */
int user_create(db *d, arena *a, long long org_id, const char *email, const char *password, const char *name,
		struct errs *e, long long *id_out);
/* Fields: name, email, phone, current_password.  A new e-mail address
 * needs the current password (current_password), and the old address is
 * told of the change by e-mail (outbox, same transaction).  CLR_EINVAL with
 * messages in e. */
int user_update_profile(db *d, arena *a, const struct actor *who, const char *name, const char *email,
			const char *phone, const char *current, struct errs *e);
/* Fields: current_password, new_password, confirm_password.  On success
 * closes every other session of the user (keep_session = current one). */
int user_change_password(db *d, arena *a, const struct actor *who, const char *current, const char *next,
			 const char *confirm, const char *keep_session, struct errs *e);

/* The same throttling for another kind of request (the password reset of
 * domain/team.h): keys "<kind>:<subject>" (subject_free free requests) and
 * "<kind>ip:<ip>" (addr_free), both forgotten after forget_s seconds
 * without requests; every request counts.  0, or CLR_ETHROTTLED with
 * *wait_s. */
int user_throttle(db *d, arena *a, const char *kind, const char *subject, const char *ip, int subject_free,
		  int addr_free, long forget_s, int *wait_s);
/* The throttling of user_login() for another kind of account (the
 * candidates' space: kind "c"; administrators' keys are "a").  The address
 * key is shared by every kind.  login_throttle_count() counts an attempt
 * before the password is tried: 0, or CLR_ETHROTTLED with *wait_s;
 * login_throttle_success() forgets the pair's failures after a success. */
int login_throttle_count(db *d, arena *a, const char *kind, const char *email, const char *ip, int *wait_s);
int login_throttle_success(db *d, arena *a, const char *kind, const char *email, const char *ip);

#endif
