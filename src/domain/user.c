/* user.c - accounts: login with throttling, creation, profile and password
 * changes.  Every change writes an audit row in the same transaction. */
#include "domain/user.h"
#include "domain/session.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include <string.h>

static int count_failures(db *d, arena *a, const char *subject, time_t since, long long *n, long long *oldest)
{
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT COUNT(*), MIN(at) FROM login_failures WHERE subject = $1 AND at > $2",
			  DB_P(subject, db_int(a, since)));
	if (rc < 0)
		return rc;
	*n = db_ll(&rows, 0, 0);
	*oldest = db_ll(&rows, 0, 1);
	return 0;
}

static int record_failure(db *d, arena *a, const char *esub, const char *ipsub)
{
	const char *now = db_int(a, now_s());
	int rc = db_exec(d, "INSERT INTO login_failures (subject, at) VALUES ($1, $2)", DB_P(esub, now));
	if (rc >= 0)
		rc = db_exec(d, "INSERT INTO login_failures (subject, at) VALUES ($1, $2)", DB_P(ipsub, now));
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM login_failures WHERE at < $1", DB_P(db_int(a, now_s() - 86400)));
	return rc < 0 ? rc : 0;
}

int user_login(db *d, arena *a, const char *email, const char *password, const char *ip, struct user *out,
	       int *wait_min)
{
	memset(out, 0, sizeof *out);
	*wait_min = 0;
	char *norm = str_lower(a, str_trim(a, email, 0));
	const char *esub = arena_printf(a, "e:%s", norm);
	const char *ipsub = arena_printf(a, "ip:%s", ip ? ip : "");
	time_t now = now_s();
	long long n1, o1, n2, o2;
	int rc = count_failures(d, a, esub, now - LOGIN_WINDOW_S, &n1, &o1);
	if (rc == 0)
		rc = count_failures(d, a, ipsub, now - LOGIN_WINDOW_S, &n2, &o2);
	if (rc)
		return rc;
	if (n1 >= LOGIN_MAX_FAILS || n2 >= LOGIN_MAX_FAILS_IP) {
		long long oldest = n1 >= LOGIN_MAX_FAILS ? o1 : o2;
		long long wait = oldest + LOGIN_WINDOW_S - now;
		*wait_min = (int)((wait + 59) / 60);
		if (*wait_min < 1)
			*wait_min = 1;
		return CLR_ETHROTTLED;
	}
	db_rows rows;
	rc = db_query(d, a, &rows,
		      "SELECT id, org_id, role, password_hash, name, email, phone FROM users "
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
	if (!ok) {
		rc = record_failure(d, a, esub, ipsub);
		return rc ? rc : CLR_EAUTH;
	}
	out->id = db_ll(&rows, 0, 0);
	out->org_id = db_ll(&rows, 0, 1);
	out->is_staff = str_eq(db_cell(&rows, 0, 2), "staff");
	out->name = db_cell(&rows, 0, 4);
	out->email = db_cell(&rows, 0, 5);
	out->phone = db_cell(&rows, 0, 6);
	rc = db_exec(d, "DELETE FROM login_failures WHERE subject = $1", DB_P(esub));
	if (rc < 0)
		return rc;
	struct actor who = {out->id, out->org_id, ip};
	return audit_log(d, a, &who, "user.login", "user", out->id, "");
}

int user_get(db *d, arena *a, long long id, struct user *out)
{
	memset(out, 0, sizeof *out);
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT id, org_id, role, name, email, phone FROM users WHERE id = $1",
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
	return 0;
}

static void check_password(const char *field, const char *pw, struct errs *e)
{
	size_t n = pw ? utf8_len(pw) : 0;
	if (n < PASSWORD_MIN)
		errs_add(e, field, "Le mot de passe doit contenir au moins 10 caractères.");
	else if (n > 200)
		errs_add(e, field, "Le mot de passe ne peut dépasser 200 caractères.");
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
	check_password("password", password, e);
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
			const char *phone_in, struct errs *e)
{
	const char *name = check_name(a, "name", name_in, e);
	const char *email = check_email(a, "email", email_in, e);
	const char *phone = str_trim(a, phone_in, 1);
	if (*phone && !valid_phone(phone))
		errs_add(e, "phone", "Numéro de téléphone invalide.");
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
	int rc = db_query(d, a, &rows, "SELECT password_hash FROM users WHERE id = $1", DB_P(db_int(a, who->user_id)));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		return CLR_ENOTFOUND;
	if (str_empty(current) || !pw_verify(db_cell(&rows, 0, 0), current))
		errs_add(e, "current_password", "Mot de passe actuel incorrect.");
	check_password("new_password", next, e);
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
