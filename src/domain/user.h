/* user.h - accounts: partner administrators and Le Robert staff.
 *
 * E-mail addresses are unique across all accounts and stored lower-cased.
 * Passwords are argon2id hashes.  Logins are throttled: after
 * LOGIN_MAX_FAILS failures for one address within LOGIN_WINDOW_S seconds
 * (or LOGIN_MAX_FAILS_IP for one client IP), attempts are refused until the
 * window has passed, even with the right password.
 */
#ifndef CLR_USER_H
#define CLR_USER_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define LOGIN_MAX_FAILS 5
#define LOGIN_MAX_FAILS_IP 20
#define LOGIN_WINDOW_S (15 * 60)
#define PASSWORD_MIN 10

struct user {
	long long id;
	long long org_id; /* 0 for staff */
	int is_staff;
	const char *email, *name, *phone;
};

/* 0 with *out filled, CLR_EAUTH (wrong e-mail or password), or
 * CLR_ETHROTTLED (*wait_min = minutes to wait). */
int user_login(db *d, arena *a, const char *email, const char *password, const char *ip, struct user *out,
	       int *wait_min);
int user_get(db *d, arena *a, long long id, struct user *out);
/* Creates an account (org_id 0 = staff).  CLR_EINVAL with messages in e. */
int user_create(db *d, arena *a, long long org_id, const char *email, const char *password, const char *name,
		struct errs *e, long long *id_out);
/* Fields: name, email, phone.  CLR_EINVAL with messages in e. */
int user_update_profile(db *d, arena *a, const struct actor *who, const char *name, const char *email,
			const char *phone, struct errs *e);
/* Fields: current_password, new_password, confirm_password.  On success
 * closes every other session of the user (keep_session = current one). */
int user_change_password(db *d, arena *a, const struct actor *who, const char *current, const char *next,
			 const char *confirm, const char *keep_session, struct errs *e);

#endif
