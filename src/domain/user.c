/* user.c - accounts: login with throttling, creation, profile and password
 * changes.  Every change writes an audit row in the same transaction. */
#include "domain/user.h"
#include "domain/outbox.h"
#include "domain/password.h"
#include "domain/session.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- login throttling (see user.h) ---------------------------------------- */

/* The first delay, in milliseconds: CLR_LOGIN_DELAY_MS, default 1000. */
static long long first_delay_ms(void)
{
	static long long ms = -1;
	if (ms < 0) {
		const char *e = getenv("CLR_LOGIN_DELAY_MS");
		long long v = e && *e ? atoll(e) : 1000;
		ms = v > 0 && v <= LOGIN_MAX_WAIT_S * 1000LL ? v : 1000;
	}
	return ms;
}

/* Milliseconds to wait after the n-th failure of a key that has `free` free
 * ones: first_delay_ms() * 2^(n - free), at most LOGIN_MAX_WAIT_S. */
static long long throttle_delay(long long n, int free)
{
	if (n < free)
		return 0;
	long long d = first_delay_ms(), cap = LOGIN_MAX_WAIT_S * 1000LL;
	for (long long x = n - free; x > 0 && d < cap; x--)
		d *= 2;
	return d < cap ? d : cap;
}

struct attempt {
	arena *a;
	const char *keys[2]; /* (account, address), address */
	int free[2];
	long forget[2]; /* seconds */
	long long now;  /* ms */
	long long wait; /* ms, when refused */
};

/* Counts one attempt of key i, if its delay has passed: one conditional
 * UPSERT (a key without attempts for its forget time starts again at 1),
 * then the key's next allowed time.  SQLite holds the write lock and
 * PostgreSQL the row's lock until the transaction ends, so concurrent
 * attempts of one key are counted one after the other. */
static int count_attempt(db *d, struct attempt *t, int i)
{
	arena *a = t->a;
	db_rows rows;
	const char *now = db_int(a, t->now);
	int rc = db_query(d, a, &rows,
			  "INSERT INTO login_throttle (subject, fails, last_ms, next_ms) VALUES ($1, 1, $2, 0) "
			  "ON CONFLICT (subject) DO UPDATE SET "
			  "fails = CASE WHEN login_throttle.last_ms < $3 THEN 1 ELSE login_throttle.fails + 1 END, "
			  "last_ms = $2 WHERE login_throttle.next_ms <= $2 RETURNING fails",
			  DB_P(t->keys[i], now, db_int(a, t->now - t->forget[i] * 1000LL)));
	if (rc < 0)
		return rc;
	if (rows.nrows == 0) { /* still waiting */
		rc = db_query(d, a, &rows, "SELECT next_ms FROM login_throttle WHERE subject = $1", DB_P(t->keys[i]));
		if (rc < 0)
			return rc;
		t->wait = db_ll(&rows, 0, 0) - t->now;
		return CLR_ETHROTTLED;
	}
	long long delay = throttle_delay(db_ll(&rows, 0, 0), t->free[i]);
	if (delay == 0)
		return 0;
	rc = db_exec(d, "UPDATE login_throttle SET next_ms = $1 WHERE subject = $2",
		     DB_P(db_int(a, t->now + delay), t->keys[i]));
	return rc < 0 ? rc : 0;
}

/* Both keys or neither: a refusal by the second gives the first its attempt back. */
static int count_attempts(db *d, void *ctx)
{
	int rc = count_attempt(d, ctx, 0);
	return rc ? rc : count_attempt(d, ctx, 1);
}

/* Rows no longer remembered, without waiting for rows that attempts hold
 * (PostgreSQL: SKIP LOCKED, so never a deadlock with them). */
static void forget_old(db *d, arena *a, long long now)
{
	const char *before = db_int(a, now - LOGIN_PAIR_FORGET_S * 1000LL);
	if (db_kind(d) == DB_PG)
		db_exec(d,
			"DELETE FROM login_throttle WHERE subject IN (SELECT subject FROM login_throttle "
			"WHERE last_ms < $1 FOR UPDATE SKIP LOCKED)",
			DB_P(before));
	else
		db_exec(d, "DELETE FROM login_throttle WHERE last_ms < $1", DB_P(before));
}

int user_login(db *d, arena *a, const char *email, const char *password, const char *ip, struct user *out,
	       int *wait_s)
{
	memset(out, 0, sizeof *out);
	*wait_s = 0;
	char *norm = str_lower(a, str_trim(a, email, 0));
	ip = ip ? ip : "";
	struct attempt t = {
		.a = a,
		.keys = {arena_printf(a, "a:%s %s", ip, norm), arena_printf(a, "ip:%s", ip)},
		.free = {LOGIN_PAIR_FREE, LOGIN_ADDR_FREE},
		.forget = {LOGIN_PAIR_FORGET_S, LOGIN_ADDR_FORGET_S},
		.now = now_ms(),
	};
	int rc = db_tx(d, count_attempts, &t);
	if (rc == CLR_ETHROTTLED) {
		long long s = (t.wait + 999) / 1000;
		*wait_s = s < 1 ? 1 : s > INT32_MAX ? INT32_MAX : (int)s;
		return rc;
	}
	if (rc)
		return rc;
	db_rows rows;
	rc = db_query(d, a, &rows,
		      "SELECT id, org_id, role, password_hash, name, email, phone, proctor FROM users "
		      "WHERE email = $1 AND disabled = 0",
		      DB_P(norm));
	if (rc < 0)
		return rc;
	int ok;
	if (rows.nrows == 0) {
		pw_dummy_verify(password ? password : "");
		ok = 0;
	} else {
		ok = pw_verify(db_cell(&rows, 0, 3), password ? password : "");
	}
	forget_old(d, a, t.now);
	if (!ok)
		return CLR_EAUTH; /* already counted */
	out->id = db_ll(&rows, 0, 0);
	out->org_id = db_ll(&rows, 0, 1);
	out->is_staff = str_eq(db_cell(&rows, 0, 2), "staff");
	out->name = db_cell(&rows, 0, 4);
	out->email = db_cell(&rows, 0, 5);
	out->phone = db_cell(&rows, 0, 6);
	out->is_proctor = !out->is_staff && db_ll(&rows, 0, 7) != 0;
	/* not a failure: this account's failures at this address are
	 * forgotten, and the address gets its attempt back */
	rc = db_exec(d, "DELETE FROM login_throttle WHERE subject = $1", DB_P(t.keys[0]));
	if (rc >= 0)
		rc = db_exec(d,
			     "UPDATE login_throttle SET fails = fails - 1, "
			     "next_ms = CASE WHEN fails - 1 < $2 THEN 0 ELSE next_ms END WHERE subject = $1 AND fails > 0",
			     DB_P(t.keys[1], db_int(a, LOGIN_ADDR_FREE)));
	if (rc < 0)
		return rc;
	struct actor who = {out->id, out->org_id, ip};
	return audit_log(d, a, &who, "user.login", "user", out->id, "");
}

int user_throttle(db *d, arena *a, const char *kind, const char *subject, const char *ip, int subject_free,
		  int addr_free, long forget_s, int *wait_s)
{
	*wait_s = 0;
	ip = ip ? ip : "";
	struct attempt t = {
		.a = a,
		.keys = {arena_printf(a, "%s:%s", kind, subject), arena_printf(a, "%sip:%s", kind, ip)},
		.free = {subject_free, addr_free},
		.forget = {forget_s, forget_s},
		.now = now_ms(),
	};
	int rc = db_tx(d, count_attempts, &t);
	if (rc == CLR_ETHROTTLED) {
		long long s = (t.wait + 999) / 1000;
		*wait_s = s < 1 ? 1 : s > INT32_MAX ? INT32_MAX : (int)s;
	}
	return rc;
}

int user_get(db *d, arena *a, long long id, struct user *out)
{
	memset(out, 0, sizeof *out);
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT id, org_id, role, name, email, phone, proctor FROM users WHERE id = $1",
			  DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		return CLR_ENOTFOUND;
	out->id = db_ll(&rows, 0, 0);
	out->org_id = db_ll(&rows, 0, 1);
	out->is_staff = str_eq(db_cell(&rows, 0, 2), "staff");
	out->name = db_cell(&rows, 0, 3);
	out->email = db_cell(&rows, 0, 4);
	out->phone = db_cell(&rows, 0, 5);
	out->is_proctor = !out->is_staff && db_ll(&rows, 0, 6) != 0;
	return 0;
}

/* The rules of domain/password.h, for the account of EMAIL and NAME. */
static void check_password(const char *field, const char *pw, const char *email, const char *name, struct errs *e)
{
	const char *why = password_refusal(pw, email, name);
	if (why)
		errs_add(e, field, why);
}

static const char *check_email(arena *a, const char *field, const char *in, struct errs *e)
{
	char *email = str_lower(a, str_trim(a, in, 0));
	if (!*email)
		errs_add(e, field, "Veuillez indiquer une adresse de courriel.");
	else if (!valid_email(email))
		errs_add(e, field, "Adresse de courriel invalide.");
	return email;
}

static const char *check_name(arena *a, const char *field, const char *in, struct errs *e)
{
	char *name = str_trim(a, in, 1);
	if (!*name)
		errs_add(e, field, "Veuillez indiquer votre nom.");
	else if (utf8_len(name) > 100)
		errs_add(e, field, "Le nom ne peut dépasser 100 caractères.");
	return name;
}

int user_create(db *d, arena *a, long long org_id, const char *email_in, const char *password, const char *name_in,
		struct errs *e, long long *id_out)
{
	const char *email = check_email(a, "email", email_in, e);
	const char *name = str_trim(a, name_in, 1);
	check_password("password", password, email, name, e);
	if (e->n)
		return CLR_EINVAL;
	char hash[PW_HASH_MAX];
	if (pw_hash(password, hash))
		return CLR_ESYS;
	const char *now = db_int(a, now_s());
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "INSERT INTO users (org_id, role, email, name, password_hash, created_at, updated_at) "
			  "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
			  DB_P(org_id ? db_int(a, org_id) : NULL, org_id ? "admin" : "staff", email, name, hash, now));
	if (rc == CLR_ECONFLICT) {
		errs_add(e, "email", "Cette adresse est déjà utilisée par un autre compte.");
		return CLR_EINVAL;
	}
	if (rc < 0)
		return rc;
	long long id = db_ll(&rows, 0, 0);
	if (id_out)
		*id_out = id;
	struct actor who = {0, org_id, ""};
	return audit_log(d, a, &who, org_id ? "admin.create" : "staff.create", "user", id, email);
}

int user_update_profile(db *d, arena *a, const struct actor *who, const char *name_in, const char *email_in,
			const char *phone_in, const char *current, struct errs *e)
{
	db_rows old;
	int rc0 = db_query(d, a, &old, "SELECT email, password_hash, name FROM users WHERE id = $1",
			   DB_P(db_int(a, who->user_id)));
	if (rc0 < 0)
		return rc0;
	if (!old.nrows)
		return CLR_ENOTFOUND;
	const char *name = check_name(a, "name", name_in, e);
	const char *email = check_email(a, "email", email_in, e);
	const char *phone = str_trim(a, phone_in, 1);
	if (*phone && !valid_phone(phone))
		errs_add(e, "phone", "Numéro de téléphone invalide.");
	const char *old_email = db_cell(&old, 0, 0);
	int email_changed = !errs_get(e, "email") && !str_eq(email, old_email);
	if (email_changed && (str_empty(current) || !pw_verify(db_cell(&old, 0, 1), current)))
		errs_add(e, "current_password", str_empty(current)
							? "Pour changer l'adresse de connexion, indiquez votre mot de passe actuel."
							: "Mot de passe actuel incorrect.");
	if (e->n)
		return CLR_EINVAL;
	int rc = db_begin(d);
	if (rc)
		return rc;
	rc = db_exec(d, "UPDATE users SET name = $1, email = $2, phone = $3, updated_at = $4 WHERE id = $5",
		     DB_P(name, email, phone, db_int(a, now_s()), db_int(a, who->user_id)));
	if (rc == CLR_ECONFLICT) {
		db_rollback(d);
		errs_add(e, "email", "Cette adresse est déjà utilisée par un autre compte.");
		return CLR_EINVAL;
	}
	if (rc >= 0 && email_changed) { /* the old address learns of it: a stolen session cannot quietly take the account */
		view *v = view_new(a);
		view_set(v, "name", name);
		view_set(v, "old_email", old_email);
		view_set(v, "new_email", email);
		struct errs me = {0};
		struct mail m = {
			.org_id = who->org_id,
			.kind = "user.email_changed",
			.to = old_email,
			.to_name = *name ? name : NULL,
			.subject = "Votre adresse de connexion Certification Le Robert a changé",
			.tmpl = "email_changed",
			.v = v,
		};
		rc = outbox_enqueue(d, a, &m, &me, NULL);
		if (rc == CLR_EINVAL)
			rc = 0;
	}
	if (rc >= 0)
		rc = audit_log(d, a, who, "profile.update", "user", who->user_id, email);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

int user_change_password(db *d, arena *a, const struct actor *who, const char *current, const char *next,
			 const char *confirm, const char *keep_session, struct errs *e)
{
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT password_hash, email, name FROM users WHERE id = $1",
			  DB_P(db_int(a, who->user_id)));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		return CLR_ENOTFOUND;
	if (str_empty(current) || !pw_verify(db_cell(&rows, 0, 0), current))
		errs_add(e, "current_password", "Mot de passe actuel incorrect.");
	check_password("new_password", next, db_cell(&rows, 0, 1), db_cell(&rows, 0, 2), e);
	if (!errs_get(e, "new_password") && !str_eq(next, confirm))
		errs_add(e, "confirm_password", "Les deux mots de passe ne correspondent pas.");
	if (e->n)
		return CLR_EINVAL;
	char hash[PW_HASH_MAX];
	if (pw_hash(next, hash))
		return CLR_ESYS;
	rc = db_begin(d);
	if (rc)
		return rc;
	rc = db_exec(d, "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
		     DB_P(hash, db_int(a, now_s()), db_int(a, who->user_id)));
	if (rc >= 0)
		rc = session_destroy_others(d, a, who->user_id, keep_session);
	if (rc >= 0)
		rc = audit_log(d, a, who, "password.change", "user", who->user_id, "");
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

/* ---- the same throttling for other kinds of accounts ----------------------- */

static void throttle_keys(arena *a, struct attempt *t, const char *kind, const char *email, const char *ip)
{
	char *norm = str_lower(a, str_trim(a, email, 0));
	ip = ip ? ip : "";
	*t = (struct attempt){
		.a = a,
		.keys = {arena_printf(a, "%s:%s %s", kind, ip, norm), arena_printf(a, "ip:%s", ip)},
		.free = {LOGIN_PAIR_FREE, LOGIN_ADDR_FREE},
		.forget = {LOGIN_PAIR_FORGET_S, LOGIN_ADDR_FORGET_S},
		.now = now_ms(),
	};
}

int login_throttle_count(db *d, arena *a, const char *kind, const char *email, const char *ip, int *wait_s)
{
	struct attempt t;
	throttle_keys(a, &t, kind, email, ip);
	*wait_s = 0;
	int rc = db_tx(d, count_attempts, &t);
	if (rc == CLR_ETHROTTLED) {
		long long s = (t.wait + 999) / 1000;
		*wait_s = s < 1 ? 1 : s > INT32_MAX ? INT32_MAX : (int)s;
		return rc;
	}
	if (rc == 0)
		forget_old(d, a, t.now);
	return rc;
}

int login_throttle_success(db *d, arena *a, const char *kind, const char *email, const char *ip)
{
	struct attempt t;
	throttle_keys(a, &t, kind, email, ip);
	int rc = db_exec(d, "DELETE FROM login_throttle WHERE subject = $1", DB_P(t.keys[0]));
	if (rc >= 0)
		rc = db_exec(d,
			     "UPDATE login_throttle SET fails = fails - 1, "
			     "next_ms = CASE WHEN fails - 1 < $2 THEN 0 ELSE next_ms END WHERE subject = $1 AND fails > 0",
			     DB_P(t.keys[1], db_int(a, LOGIN_ADDR_FREE)));
	return rc < 0 ? rc : 0;
}
