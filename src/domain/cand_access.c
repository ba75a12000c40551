/* cand_access.c - one-time links, the credentials e-mail, candidates'
 * login and « Mot de passe oublié ? » (cand_access.h). */
#include "domain/cand_access.h"
#include "domain/outbox.h"
#include "domain/password.h"
#include "domain/session.h"
#include "domain/user.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

const char *cand_public_url(void)
{
	static char url[512];
	static int done;
	if (!done) {
		const char *u = getenv("CLR_PUBLIC_URL");
		snprintf(url, sizeof url, "%s", u && *u ? u : "http://127.0.0.1:8080");
		size_t n = strlen(url);
		while (n && url[n - 1] == '/')
			url[--n] = 0;
		done = 1;
	}
	return url;
}

int cand_link_new(db *d, arena *a, long long candidate_id, const char *purpose, const char **url)
{
	char tok[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(tok);
	token_hash(tok, hash);
	long long now = now_s();
	/* links long expired or used are of no use to anyone */
	int rc = db_exec(d, "DELETE FROM candidate_tokens WHERE candidate_id = $1 AND (expires_at < $2 OR used_at IS NOT NULL)",
			 DB_P(db_int(a, candidate_id), db_int(a, now)));
	if (rc >= 0)
		rc = db_exec(d,
			     "INSERT INTO candidate_tokens (hash, candidate_id, purpose, created_at, expires_at) "
			     "VALUES ($1, $2, $3, $4, $5)",
			     DB_P(hash, db_int(a, candidate_id), purpose, db_int(a, now), db_int(a, now + CAND_LINK_TTL_S)));
	if (rc < 0)
		return rc;
	*url = arena_printf(a, "%s/candidat/acces?jeton=%s", cand_public_url(), tok);
	return 0;
}

/* The e-mail of a link: template candidate_credentials (invite) or
 * candidate_reset. */
static int enqueue_link(db *d, arena *a, long long candidate_id, const char *purpose)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT org_id, email, first_name, last_name, password_by FROM candidates "
			  "WHERE id = $1 AND erased_at IS NULL",
			  DB_P(db_int(a, candidate_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	const char *url;
	rc = cand_link_new(d, a, candidate_id, purpose, &url);
	if (rc)
		return rc;
	int reset = str_eq(purpose, "reset");
	view *v = view_new(a);
	view_set(v, "first_name", db_cell(&r, 0, 2));
	view_set(v, "last_name", db_cell(&r, 0, 3));
	view_set(v, "email", db_cell(&r, 0, 1));
	view_set(v, "link", url);
	view_set(v, "login_url", arena_printf(a, "%s/candidat/connexion", cand_public_url()));
	view_set(v, "expires", datetime_fmt(a, now_s() + CAND_LINK_TTL_S));
	view_set_bool(v, "admin_chose", str_eq(db_cell(&r, 0, 4), "admin"));
	struct mail m = {0};
	m.org_id = db_ll(&r, 0, 0);
	m.kind = reset ? "candidate.reset" : "candidate.credentials";
	m.to = db_cell(&r, 0, 1);
	m.to_name = arena_printf(a, "%s %s", db_cell(&r, 0, 2), db_cell(&r, 0, 3));
	m.subject = reset ? "Choisir un nouveau mot de passe — Certification Le Robert"
			  : "Vos identifiants pour la Certification Le Robert";
	m.tmpl = reset ? "candidate_reset" : "candidate_credentials";
	m.v = v;
	struct errs e = {0};
	rc = outbox_enqueue(d, a, &m, &e, NULL);
	return rc == CLR_EINVAL ? 0 : rc;
}

int cand_access_enqueue(db *d, arena *a, long long candidate_id)
{
	return enqueue_link(d, a, candidate_id, "invite");
}

struct resend_ctx {
	arena *a;
	const struct actor *who;
	long long id;
};

static int resend_tx(db *d, void *vctx)
{
	struct resend_ctx *c = vctx;
	db_rows r;
	int rc = db_query(d, c->a, &r, "SELECT id FROM candidates WHERE id = $1 AND org_id = $2 AND erased_at IS NULL",
			  DB_P(db_int(c->a, c->id), db_int(c->a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	rc = enqueue_link(d, c->a, c->id, "invite");
	if (rc < 0)
		return rc;
	rc = audit_log(d, c->a, c->who, "candidate.access_link", "candidate", c->id, "");
	return rc < 0 ? rc : 0;
}

int cand_access_resend(db *d, arena *a, const struct actor *who, long long candidate_id)
{
	struct resend_ctx c = {a, who, candidate_id};
	return db_tx(d, resend_tx, &c);
}

int cand_link_check(db *d, arena *a, const char *token, struct cand_link *out)
{
	memset(out, 0, sizeof *out);
	char hash[TOKEN_HASH_LEN + 1];
	if (token_hash_sent(token, hash))
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT t.candidate_id, t.purpose, c.email, c.first_name, c.last_name, c.password_by "
			  "FROM candidate_tokens t JOIN candidates c ON c.id = t.candidate_id "
			  "WHERE t.hash = $1 AND t.used_at IS NULL AND t.expires_at >= $2 AND c.erased_at IS NULL",
			  DB_P(hash, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	out->candidate_id = db_ll(&r, 0, 0);
	out->purpose = db_cell(&r, 0, 1);
	out->email = db_cell(&r, 0, 2);
	out->first_name = db_cell(&r, 0, 3);
	out->last_name = db_cell(&r, 0, 4);
	out->admin_chose = str_eq(db_cell(&r, 0, 5), "admin");
	return 0;
}

/* The rules of a password the candidate chooses. */
static void check_new_password(const char *field, const char *confirm_field, const char *pw, const char *confirm,
			       const char *email, const char *name, struct errs *e)
{
	const char *why = password_refusal(pw ? pw : "", email, name);
	if (str_empty(pw))
		errs_add(e, field, "Veuillez choisir un mot de passe.");
	else if (why)
		errs_add(e, field, why);
	else if (!str_eq(pw, confirm))
		errs_add(e, confirm_field, "Les deux mots de passe ne correspondent pas.");
}

struct use_ctx {
	arena *a;
	const char *hash, *pw_hash, *ip;
	long long id;
};

static int use_tx(db *d, void *vctx)
{
	struct use_ctx *c = vctx;
	arena *a = c->a;
	const char *now = db_int(a, now_s());
	/* the link is spent by this statement or by none */
	int rc = db_exec(d,
			 "UPDATE candidate_tokens SET used_at = $2 WHERE hash = $1 AND candidate_id = $3 AND used_at IS NULL "
			 "AND expires_at >= $2",
			 DB_P(c->hash, now, db_int(a, c->id)));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = db_exec(d,
		     "UPDATE candidates SET password_hash = $1, password_by = 'candidate', updated_at = $2 "
		     "WHERE id = $3 AND erased_at IS NULL",
		     DB_P(c->pw_hash, now, db_int(a, c->id)));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = cand_session_destroy_others(d, a, c->id, NULL);
	if (rc < 0)
		return rc;
	/* the candidate's other links die with this one: a password is chosen */
	rc = db_exec(d, "UPDATE candidate_tokens SET used_at = $2 WHERE candidate_id = $1 AND used_at IS NULL",
		     DB_P(db_int(a, c->id), now));
	if (rc < 0)
		return rc;
	db_rows r;
	rc = db_query(d, a, &r, "SELECT org_id FROM candidates WHERE id = $1", DB_P(db_int(a, c->id)));
	if (rc < 0)
		return rc;
	struct actor who = {0, db_ll(&r, 0, 0), c->ip};
	rc = audit_log(d, a, &who, "candidate.password_set", "candidate", c->id, "lien à usage unique");
	return rc < 0 ? rc : 0;
}

int cand_link_use(db *d, arena *a, const char *token, const char *password, const char *confirm, const char *ip,
		  struct errs *e, long long *candidate_id)
{
	struct cand_link l;
	int rc = cand_link_check(d, a, token, &l);
	if (rc)
		return rc;
	check_new_password("password", "password_confirm", password, confirm, l.email,
			   arena_printf(a, "%s %s", l.first_name, l.last_name), e);
	if (e->n)
		return CLR_EINVAL;
	char hash[TOKEN_HASH_LEN + 1], pwh[PW_HASH_MAX];
	token_hash(token, hash);
	if (pw_hash(password, pwh))
		return CLR_ESYS;
	struct use_ctx c = {a, hash, pwh, ip ? ip : "", l.candidate_id};
	rc = db_tx(d, use_tx, &c);
	if (rc == 0)
		*candidate_id = l.candidate_id;
	return rc;
}

int cand_login(db *d, arena *a, const char *email, const char *password, const char *ip, long long *candidate_id,
	       int *wait_s)
{
	*candidate_id = 0;
	int rc = login_throttle_count(d, a, "c", email, ip, wait_s);
	if (rc)
		return rc;
	char *norm = str_lower(a, str_trim(a, email, 0));
	db_rows r;
	rc = db_query(d, a, &r,
		      "SELECT id, org_id, password_hash FROM candidates WHERE email = $1 AND password_hash <> '' "
		      "AND erased_at IS NULL ORDER BY id LIMIT " STR(CAND_LOGIN_MAX),
		      DB_P(norm));
	if (rc < 0)
		return rc;
	const char *pw = password ? password : "";
	int found = -1;
	if (r.nrows == 0)
		pw_dummy_verify(pw);
	for (int i = 0; i < r.nrows && found < 0; i++)
		if (pw_verify(db_cell(&r, i, 2), pw))
			found = i;
	if (found < 0)
		return CLR_EAUTH; /* already counted */
	long long id = db_ll(&r, found, 0);
	/* the import's generated passwords are hashed at the minimum limits
	 * (docs/DECISIONS.md): the first login brings them to the usual ones */
	char pwh[PW_HASH_MAX];
	if (crypto_pwhash_str_needs_rehash(db_cell(&r, found, 2), crypto_pwhash_OPSLIMIT_INTERACTIVE,
					   crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0 &&
	    pw_hash(pw, pwh) == 0)
		db_exec(d, "UPDATE candidates SET password_hash = $1 WHERE id = $2", DB_P(pwh, db_int(a, id)));
	rc = login_throttle_success(d, a, "c", email, ip);
	if (rc)
		return rc;
	struct actor who = {0, db_ll(&r, found, 1), ip ? ip : ""};
	rc = audit_log(d, a, &who, "candidate.login", "candidate", id, "");
	if (rc < 0)
		return rc;
	*candidate_id = id;
	return 0;
}

struct forgot_ctx {
	arena *a;
	db_rows *r;
};

static int forgot_tx(db *d, void *vctx)
{
	struct forgot_ctx *c = vctx;
	for (int i = 0; i < c->r->nrows; i++) {
		int rc = enqueue_link(d, c->a, db_ll(c->r, i, 0), "reset");
		if (rc < 0 && rc != CLR_ENOTFOUND)
			return rc;
	}
	return 0;
}

int cand_forgot(db *d, arena *a, const char *email, const char *ip, int *wait_s)
{
	int rc = login_throttle_count(d, a, "f", email, ip, wait_s);
	if (rc)
		return rc;
	char *norm = str_lower(a, str_trim(a, email, 0));
	if (!valid_email(norm))
		return 0;
	db_rows r;
	rc = db_query(d, a, &r,
		      "SELECT id FROM candidates WHERE email = $1 AND erased_at IS NULL "
		      "ORDER BY id LIMIT " STR(CAND_LOGIN_MAX),
		      DB_P(norm));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return 0;
	struct forgot_ctx c = {a, &r};
	return db_tx(d, forgot_tx, &c);
}

int cand_change_password(db *d, arena *a, long long candidate_id, const char *ip, const char *current,
			 const char *next, const char *confirm, const char *keep_session, struct errs *e)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT password_hash, email, first_name, last_name, org_id FROM candidates "
			  "WHERE id = $1 AND erased_at IS NULL",
			  DB_P(db_int(a, candidate_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	if (str_empty(current) || !pw_verify(db_cell(&r, 0, 0), current))
		errs_add(e, "current_password", "Mot de passe actuel incorrect.");
	check_new_password("new_password", "confirm_password", next, confirm, db_cell(&r, 0, 1),
			   arena_printf(a, "%s %s", db_cell(&r, 0, 2), db_cell(&r, 0, 3)), e);
	if (e->n)
		return CLR_EINVAL;
	char pwh[PW_HASH_MAX];
	if (pw_hash(next, pwh))
		return CLR_ESYS;
	rc = db_begin(d);
	if (rc)
		return rc;
	rc = db_exec(d, "UPDATE candidates SET password_hash = $1, password_by = 'candidate', updated_at = $2 WHERE id = $3",
		     DB_P(pwh, db_int(a, now_s()), db_int(a, candidate_id)));
	if (rc >= 0)
		rc = cand_session_destroy_others(d, a, candidate_id, keep_session);
	if (rc >= 0) /* links sent before: no longer needed */
		rc = db_exec(d, "UPDATE candidate_tokens SET used_at = $2 WHERE candidate_id = $1 AND used_at IS NULL",
			     DB_P(db_int(a, candidate_id), db_int(a, now_s())));
	struct actor who = {0, db_ll(&r, 0, 4), ip ? ip : ""};
	if (rc >= 0)
		rc = audit_log(d, a, &who, "candidate.password_change", "candidate", candidate_id, "");
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}
