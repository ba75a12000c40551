/* team.c - an organisation's team (see team.h): members, invitations,
 * removal, proctors of exam sessions, password resets by e-mail and the
 * administrators' notifications.  Tokens are stored as their hash only;
 * every change is audited and its e-mail enqueued in the same transaction. */
#include "domain/team.h"
#include "domain/outbox.h"
#include "domain/password.h"
#include "domain/session.h"
#include "domain/user.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include "mail/config.h"
#include <stdlib.h>
#include <string.h>

/* ---- members ----------------------------------------------------------- */

static int members_query(db *d, arena *a, long long org_id, int only_proctors, struct member **out, int *n)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT id, name, email, proctor FROM users WHERE org_id = $1 AND disabled = 0 "
			  "AND role = 'admin' AND (CAST($2 AS BIGINT) = 0 OR proctor = 1) ORDER BY proctor, name, email, id",
			  DB_P(db_int(a, org_id), db_int(a, only_proctors)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		(*out)[i] = (struct member){db_ll(&r, i, 0), db_cell(&r, i, 1), db_cell(&r, i, 2), db_ll(&r, i, 3) != 0};
	*n = r.nrows;
	return 0;
}

int team_members(db *d, arena *a, long long org_id, struct member **out, int *n)
{
	return members_query(d, a, org_id, 0, out, n);
}

int team_proctors(db *d, arena *a, long long org_id, struct member **out, int *n)
{
	return members_query(d, a, org_id, 1, out, n);
}

/* ---- invitations ------------------------------------------------------------ */

#define INV_COLS "i.id, i.org_id, i.email, i.name, o.name, i.proctor, i.created_at, i.expires_at "

static void inv_read(const db_rows *r, int i, struct invitation *o)
{
	o->id = db_ll(r, i, 0);
	o->org_id = db_ll(r, i, 1);
	o->email = db_cell(r, i, 2);
	o->name = db_cell(r, i, 3);
	o->org_name = db_cell(r, i, 4);
	o->proctor = db_ll(r, i, 5) != 0;
	o->created_at = db_ll(r, i, 6);
	o->expires_at = db_ll(r, i, 7);
	o->expired = o->expires_at <= (long long)now_s();
}

int team_invitations(db *d, arena *a, long long org_id, struct invitation **out, int *n)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT " INV_COLS "FROM invitations i JOIN organisations o ON o.id = i.org_id "
			  "WHERE i.org_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL "
			  "ORDER BY i.created_at DESC, i.id DESC LIMIT 200",
			  DB_P(db_int(a, org_id)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		inv_read(&r, i, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

/* The invitation e-mail with the link of token. */
static int invite_mail(db *d, arena *a, const struct actor *who, long long inv_id, const char *token)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT i.email, i.name, o.name, i.proctor, i.expires_at, COALESCE(u.name, ''), "
			  "COALESCE(u.email, '') FROM invitations i JOIN organisations o ON o.id = i.org_id "
			  "LEFT JOIN users u ON u.id = $2 WHERE i.id = $1",
			  DB_P(db_int(a, inv_id), db_int(a, who->user_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	int proctor = db_ll(&r, 0, 3) != 0;
	view *v = view_new(a);
	view_set(v, "name", db_cell(&r, 0, 1));
	view_set(v, "org_name", db_cell(&r, 0, 2));
	view_set(v, "role", proctor ? "surveillant" : "administrateur");
	view_set_bool(v, "proctor", proctor);
	const char *inviter = *db_cell(&r, 0, 5) ? db_cell(&r, 0, 5) : db_cell(&r, 0, 6);
	view_set(v, "inviter", inviter);
	view_set(v, "link", arena_printf(a, "%s/invitation/%s", mail_base_url(), token));
	view_set(v, "expires", datetime_fmt(a, (time_t)db_ll(&r, 0, 4)));
	struct errs e = {0};
	struct mail m = {
		.org_id = who->org_id,
		.kind = "team.invitation",
		.to = db_cell(&r, 0, 0),
		.to_name = *db_cell(&r, 0, 1) ? db_cell(&r, 0, 1) : NULL,
		.reply_to = *db_cell(&r, 0, 6) ? db_cell(&r, 0, 6) : NULL,
		.subject = arena_printf(a, "Invitation à rejoindre %s sur Certification Le Robert", db_cell(&r, 0, 2)),
		.tmpl = "team_invitation",
		.v = v,
	};
	return outbox_enqueue(d, a, &m, &e, NULL);
}

struct invite_ctx {
	arena *a;
	const struct actor *who;
	const char *email, *name;
	int proctor;
	struct errs *e;
	long long id;
};

static int invite_tx(db *d, void *p)
{
	struct invite_ctx *c = p;
	arena *a = c->a;
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT 1 FROM users WHERE email = $1", DB_P(c->email));
	if (rc < 0)
		return rc;
	if (r.nrows) {
		errs_add(c->e, "email", "Cette adresse est déjà celle d'un compte de la plateforme.");
		return CLR_EINVAL;
	}
	rc = db_query(d, a, &r,
		      "SELECT 1 FROM invitations WHERE org_id = $1 AND email = $2 AND accepted_at IS NULL "
		      "AND revoked_at IS NULL AND expires_at > $3",
		      DB_P(db_int(a, c->who->org_id), c->email, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (r.nrows) {
		errs_add(c->e, "email", "Une invitation est déjà en attente pour cette adresse : renvoyez-la plutôt.");
		return CLR_EINVAL;
	}
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	long long now = now_s();
	rc = db_query(d, a, &r,
		      "INSERT INTO invitations (org_id, email, name, proctor, token_hash, created_by, created_at, expires_at) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
		      DB_P(db_int(a, c->who->org_id), c->email, c->name, db_int(a, c->proctor), hash,
			   c->who->user_id ? db_int(a, c->who->user_id) : NULL, db_int(a, now),
			   db_int(a, now + TEAM_INVITE_TTL_S)));
	if (rc < 0)
		return rc;
	c->id = db_ll(&r, 0, 0);
	rc = invite_mail(d, a, c->who, c->id, token);
	if (rc == 0)
		rc = audit_log(d, a, c->who, "team.invite", "invitation", c->id,
			       arena_printf(a, "%s %s", c->email, c->proctor ? "proctor" : "admin"));
	return rc;
}

int team_invite(db *d, arena *a, const struct actor *who, const char *email_in, const char *name_in, const char *role,
		struct errs *e, long long *id_out)
{
	const char *email = str_lower(a, str_trim(a, email_in, 0));
	const char *name = str_trim(a, name_in, 1);
	if (!*email)
		errs_add(e, "email", "Veuillez indiquer l'adresse de courriel de la personne à inviter.");
	else if (!valid_email(email))
		errs_add(e, "email", "Adresse de courriel invalide.");
	if (utf8_len(name) > 100)
		errs_add(e, "name", "Le nom ne peut dépasser 100 caractères.");
	if (!str_eq(role, "admin") && !str_eq(role, "proctor"))
		errs_add(e, "role", "Choisissez le rôle : « Administrateur » ou « Surveillant ».");
	if (e->n)
		return CLR_EINVAL;
	struct invite_ctx c = {a, who, email, name, str_eq(role, "proctor"), e, 0};
	int rc = db_tx(d, invite_tx, &c);
	if (rc == 0 && id_out)
		*id_out = c.id;
	return rc;
}

struct inv_op {
	arena *a;
	const struct actor *who;
	long long id;
	int revoke;
};

static int inv_op_tx(db *d, void *p)
{
	struct inv_op *c = p;
	arena *a = c->a;
	long long now = now_s();
	if (c->revoke) {
		int rc = db_exec(d,
				 "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND org_id = $3 "
				 "AND accepted_at IS NULL AND revoked_at IS NULL",
				 DB_P(db_int(a, now), db_int(a, c->id), db_int(a, c->who->org_id)));
		if (rc < 0)
			return rc;
		if (rc == 0)
			return CLR_ENOTFOUND;
		return audit_log(d, a, c->who, "team.invite_revoke", "invitation", c->id, "");
	}
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	int rc = db_exec(d,
			 "UPDATE invitations SET token_hash = $1, expires_at = $2 WHERE id = $3 AND org_id = $4 "
			 "AND accepted_at IS NULL AND revoked_at IS NULL",
			 DB_P(hash, db_int(a, now + TEAM_INVITE_TTL_S), db_int(a, c->id), db_int(a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = invite_mail(d, a, c->who, c->id, token);
	return rc ? rc : audit_log(d, a, c->who, "team.invite_resend", "invitation", c->id, "");
}

int team_invite_resend(db *d, arena *a, const struct actor *who, long long id)
{
	struct inv_op c = {a, who, id, 0};
	return db_tx(d, inv_op_tx, &c);
}

int team_invite_revoke(db *d, arena *a, const struct actor *who, long long id)
{
	struct inv_op c = {a, who, id, 1};
	return db_tx(d, inv_op_tx, &c);
}

int team_invitation_by_token(db *d, arena *a, const char *token, struct invitation *out)
{
	memset(out, 0, sizeof *out);
	char hash[TOKEN_HASH_LEN + 1];
	if (token_hash_sent(token, hash))
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT " INV_COLS "FROM invitations i JOIN organisations o ON o.id = i.org_id "
			  "WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2",
			  DB_P(hash, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	inv_read(&r, 0, out);
	return 0;
}

struct accept_ctx {
	arena *a;
	const char *hash, *name, *pw_hash, *ip;
	long long inv_id;
	struct errs *e;
};

static int accept_tx(db *d, void *p)
{
	struct accept_ctx *c = p;
	arena *a = c->a;
	db_rows r;
	long long now = now_s();
	/* the use first: a second use of the link (a double click, two tabs) finds it used */
	int rc = db_query(d, a, &r,
			  "UPDATE invitations SET accepted_at = $1 WHERE token_hash = $2 AND accepted_at IS NULL "
			  "AND revoked_at IS NULL AND expires_at > $1 RETURNING id, org_id, email, proctor",
			  DB_P(db_int(a, now), c->hash));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	long long id = db_ll(&r, 0, 0), org_id = db_ll(&r, 0, 1);
	const char *email = db_cell(&r, 0, 2);
	db_rows u;
	rc = db_query(d, a, &u,
		      "INSERT INTO users (org_id, role, email, name, password_hash, created_at, updated_at, proctor) "
		      "VALUES ($1, 'admin', $2, $3, $4, $5, $5, $6) RETURNING id",
		      DB_P(db_int(a, org_id), email, c->name, c->pw_hash, db_int(a, now), db_cell(&r, 0, 3)));
	if (rc == CLR_ECONFLICT) {
		errs_add(c->e, "name", "Un compte existe déjà pour cette adresse : connectez-vous, ou demandez un nouveau "
				       "mot de passe avec « Mot de passe oublié ? ».");
		return CLR_EINVAL;
	}
	if (rc < 0)
		return rc;
	long long uid = db_ll(&u, 0, 0);
	rc = db_exec(d, "UPDATE invitations SET user_id = $1 WHERE id = $2", DB_P(db_int(a, uid), db_int(a, id)));
	if (rc < 0)
		return rc;
	struct actor who = {uid, org_id, c->ip};
	return audit_log(d, a, &who, "team.invite_accept", "invitation", id, email);
}

int team_invitation_accept(db *d, arena *a, const char *token, const char *name_in, const char *password,
			   const char *confirm, const char *ip, struct errs *e)
{
	struct invitation inv;
	int rc = team_invitation_by_token(d, a, token, &inv);
	if (rc)
		return rc;
	const char *name = str_trim(a, name_in, 1);
	if (!*name)
		errs_add(e, "name", "Veuillez indiquer votre nom.");
	else if (utf8_len(name) > 100)
		errs_add(e, "name", "Le nom ne peut dépasser 100 caractères.");
	const char *why = password_refusal(password ? password : "", inv.email, name);
	if (why)
		errs_add(e, "password", why);
	else if (!str_eq(password, confirm))
		errs_add(e, "confirm", "Les deux mots de passe ne correspondent pas.");
	if (e->n)
		return CLR_EINVAL;
	char hash[PW_HASH_MAX], th[TOKEN_HASH_LEN + 1];
	if (pw_hash(password, hash))
		return CLR_ESYS;
	token_hash(token, th);
	struct accept_ctx c = {a, th, name, hash, ip ? ip : "", inv.id, e};
	return db_tx(d, accept_tx, &c);
}

/* ---- removal -------------------------------------------------------------- */

struct remove_ctx {
	arena *a;
	const struct actor *who;
	long long uid;
};

static int remove_tx(db *d, void *p)
{
	struct remove_ctx *c = p;
	arena *a = c->a;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT proctor, email FROM users WHERE id = $1 AND org_id = $2 AND role = 'admin' AND disabled = 0",
			  DB_P(db_int(a, c->uid), db_int(a, c->who->org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	const char *email = db_cell(&r, 0, 1);
	if (db_ll(&r, 0, 0) == 0) {
		db_rows k;
		/* counted inside the write transaction: two removals at once
		 * cannot both see « another administrator remains » */
		rc = db_query(d, a, &k,
			      "SELECT COUNT(*) FROM users WHERE org_id = $1 AND role = 'admin' AND proctor = 0 "
			      "AND disabled = 0",
			      DB_P(db_int(a, c->who->org_id)));
		if (rc < 0)
			return rc;
		if (db_ll(&k, 0, 0) <= 1)
			return CLR_ECONFLICT;
	}
	/* the address is freed (it may be invited again); the audit keeps it */
	rc = db_exec(d, "UPDATE users SET disabled = 1, email = $1, updated_at = $2 WHERE id = $3",
		     DB_P(arena_printf(a, "retire-%lld:%s", c->uid, email), db_int(a, now_s()), db_int(a, c->uid)));
	if (rc >= 0)
		rc = session_destroy_others(d, a, c->uid, NULL); /* every session, at once */
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM exam_session_proctors WHERE user_id = $1", DB_P(db_int(a, c->uid)));
	if (rc < 0)
		return rc;
	return audit_log(d, a, c->who, "team.remove", "user", c->uid, email);
}

int team_remove(db *d, arena *a, const struct actor *who, long long user_id)
{
	struct remove_ctx c = {a, who, user_id};
	return db_tx(d, remove_tx, &c);
}

/* ---- proctors of sessions ---------------------------------------------------- */

static int ids_query(db *d, arena *a, long long **ids, int *n, const char *sql, long long p1, long long p2)
{
	db_rows r;
	int rc = db_query(d, a, &r, sql, DB_P(db_int(a, p1), db_int(a, p2)));
	if (rc < 0)
		return rc;
	*ids = arena_alloc(a, sizeof **ids * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		(*ids)[i] = db_ll(&r, i, 0);
	*n = r.nrows;
	return 0;
}

int session_proctor_ids(db *d, arena *a, long long org_id, long long session_id, long long **ids, int *n)
{
	return ids_query(d, a, ids, n,
			 "SELECT p.user_id FROM exam_session_proctors p JOIN exam_sessions s ON s.id = p.session_id "
			 "WHERE s.org_id = $1 AND p.session_id = $2 ORDER BY p.user_id",
			 org_id, session_id);
}

int proctor_session_ids(db *d, arena *a, long long org_id, long long user_id, long long **ids, int *n)
{
	return ids_query(d, a, ids, n,
			 "SELECT s.id FROM exam_session_proctors p JOIN exam_sessions s ON s.id = p.session_id "
			 "WHERE s.org_id = $1 AND p.user_id = $2 ORDER BY s.date DESC, s.time DESC, s.id DESC",
			 org_id, user_id);
}

int proctor_assigned(db *d, arena *a, long long org_id, long long user_id, long long session_id)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT 1 FROM exam_session_proctors p JOIN exam_sessions s ON s.id = p.session_id "
			  "WHERE s.org_id = $1 AND p.user_id = $2 AND p.session_id = $3",
			  DB_P(db_int(a, org_id), db_int(a, user_id), db_int(a, session_id)));
	if (rc < 0)
		return rc;
	return r.nrows ? 0 : CLR_ENOTFOUND;
}

struct assign_ctx {
	arena *a;
	const struct actor *who;
	long long sid;
	const long long *ids;
	int n;
};

static int assign_tx(db *d, void *p)
{
	struct assign_ctx *c = p;
	arena *a = c->a;
	const char *org = db_int(a, c->who->org_id), *sid = db_int(a, c->sid);
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT 1 FROM exam_sessions WHERE id = $1 AND org_id = $2", DB_P(sid, org));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	rc = db_exec(d, "DELETE FROM exam_session_proctors WHERE session_id = $1", DB_P(sid));
	buf names = BUF_INIT;
	for (int i = 0; rc >= 0 && i < c->n; i++) {
		const char *uid = db_int(a, c->ids[i]);
		rc = db_query(d, a, &r,
			      "SELECT 1 FROM users WHERE id = $1 AND org_id = $2 AND proctor = 1 AND disabled = 0", DB_P(uid, org));
		if (rc < 0)
			break;
		if (!r.nrows) {
			rc = CLR_EINVAL;
			break;
		}
		rc = db_exec(d,
			     "INSERT INTO exam_session_proctors (session_id, user_id) VALUES ($1, $2) "
			     "ON CONFLICT DO NOTHING",
			     DB_P(sid, uid));
		buf_printf(&names, "%s%lld", i ? "," : "", c->ids[i]);
	}
	if (rc >= 0)
		rc = audit_log(d, a, c->who, "session.proctors", "exam_session", c->sid, names.data ? names.data : "");
	buf_free(&names);
	return rc < 0 ? rc : 0;
}

int session_proctors_set(db *d, arena *a, const struct actor *who, long long session_id, const long long *ids, int n)
{
	struct assign_ctx c = {a, who, session_id, ids, n};
	return db_tx(d, assign_tx, &c);
}

/* ---- password reset -------------------------------------------------------------- */

struct reset_req {
	arena *a;
	const char *email, *ip, *hash, *token, *name;
	long long uid;
};

static int reset_request_tx(db *d, void *p)
{
	struct reset_req *c = p;
	arena *a = c->a;
	long long now = now_s();
	/* links dead for a day are forgotten (those of unknown addresses too) */
	int rc = db_exec(d, "DELETE FROM password_resets WHERE expires_at < $1", DB_P(db_int(a, now - 24 * 3600)));
	if (rc < 0)
		return rc;
	rc = db_exec(d,
			 "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
			 DB_P(c->uid ? db_int(a, c->uid) : NULL, c->hash, db_int(a, now), db_int(a, now + PWRESET_TTL_S)));
	if (rc < 0)
		return rc;
	struct actor who = {c->uid, 0, c->ip};
	if (!c->uid) /* audited too: the same statements as for an account, but the e-mail */
		return audit_log(d, a, &who, "password.reset_request_unknown", "user", 0, "");
	view *v = view_new(a);
	view_set(v, "name", c->name);
	view_set(v, "link", arena_printf(a, "%s/mot-de-passe-oublie/%s", mail_base_url(), c->token));
	struct errs e = {0};
	struct mail m = {
		.kind = "password.reset",
		.to = c->email,
		.subject = "Réinitialisation de votre mot de passe Certification Le Robert",
		.tmpl = "password_reset",
		.v = v,
	};
	rc = outbox_enqueue(d, a, &m, &e, NULL);
	return rc ? rc : audit_log(d, a, &who, "password.reset_request", "user", c->uid, "");
}

int pwreset_request(db *d, arena *a, const char *email_in, const char *ip, int *wait_s)
{
	const char *email = str_lower(a, str_trim(a, email_in, 0));
	int rc = user_throttle(d, a, "r", email, ip, PWRESET_MAIL_FREE, PWRESET_ADDR_FREE, 3600, wait_s);
	if (rc)
		return rc;
	long long uid = 0;
	const char *name = "";
	db_rows r;
	rc = db_query(d, a, &r, "SELECT id, name FROM users WHERE email = $1 AND disabled = 0", DB_P(email));
	if (rc < 0)
		return rc;
	if (r.nrows) {
		uid = db_ll(&r, 0, 0);
		name = db_cell(&r, 0, 1);
	}
	/* the same work either way: a token, its hash, one transaction with one row */
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(token);
	token_hash(token, hash);
	struct reset_req c = {a, email, ip ? ip : "", hash, token, name, uid};
	return db_tx(d, reset_request_tx, &c);
}

static int reset_user(db *d, arena *a, const char *token, long long *uid)
{
	*uid = 0;
	char hash[TOKEN_HASH_LEN + 1];
	if (token_hash_sent(token, hash))
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT p.user_id FROM password_resets p JOIN users u ON u.id = p.user_id "
			  "WHERE p.token_hash = $1 AND p.used_at IS NULL AND p.expires_at > $2 AND u.disabled = 0",
			  DB_P(hash, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	*uid = db_ll(&r, 0, 0);
	return 0;
}

int pwreset_check(db *d, arena *a, const char *token)
{
	long long uid;
	return reset_user(d, a, token, &uid);
}

struct reset_apply {
	arena *a;
	const char *hash, *pw_hash, *ip;
	long long uid;
};

static int reset_apply_tx(db *d, void *p)
{
	struct reset_apply *c = p;
	arena *a = c->a;
	const char *now = db_int(a, now_s()), *uid = db_int(a, c->uid);
	int rc = db_exec(d,
			 "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND user_id = $3 "
			 "AND used_at IS NULL AND expires_at > $1",
			 DB_P(now, c->hash, uid));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND; /* used meanwhile */
	/* every other link of the account dies with this one */
	rc = db_exec(d, "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL", DB_P(now, uid));
	if (rc >= 0)
		rc = db_exec(d, "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3", DB_P(c->pw_hash, now, uid));
	if (rc >= 0)
		rc = session_destroy_others(d, a, c->uid, NULL);
	if (rc < 0)
		return rc;
	db_rows r;
	rc = db_query(d, a, &r, "SELECT org_id FROM users WHERE id = $1", DB_P(uid));
	if (rc < 0)
		return rc;
	struct actor who = {c->uid, r.nrows ? db_ll(&r, 0, 0) : 0, c->ip};
	return audit_log(d, a, &who, "password.reset", "user", c->uid, "");
}

int pwreset_apply(db *d, arena *a, const char *token, const char *next, const char *confirm, const char *ip,
		  struct errs *e)
{
	long long uid;
	int rc = reset_user(d, a, token, &uid);
	if (rc)
		return rc;
	db_rows r;
	rc = db_query(d, a, &r, "SELECT email, name FROM users WHERE id = $1", DB_P(db_int(a, uid)));
	if (rc < 0)
		return rc;
	const char *why = password_refusal(next ? next : "", r.nrows ? db_cell(&r, 0, 0) : "", r.nrows ? db_cell(&r, 0, 1) : "");
	if (why)
		errs_add(e, "new_password", why);
	else if (!str_eq(next, confirm))
		errs_add(e, "confirm_password", "Les deux mots de passe ne correspondent pas.");
	if (e->n)
		return CLR_EINVAL;
	char hash[PW_HASH_MAX], th[TOKEN_HASH_LEN + 1];
	if (pw_hash(next, hash))
		return CLR_ESYS;
	token_hash(token, th);
	struct reset_apply c = {a, th, hash, ip ? ip : "", uid};
	return db_tx(d, reset_apply_tx, &c);
}

/* ---- « Alerte de stock » -------------------------------------------------------- */

void team_stock_threshold_stmt(struct db_stmt *st, arena *a, long long org_id)
{
	const char **p = arena_alloc(a, sizeof *p);
	p[0] = db_int(a, org_id);
	*st = (struct db_stmt){"SELECT stock_threshold FROM organisations WHERE id = $1", 1, p, NULL, 0, org_id};
}

int team_stock_threshold(db *d, arena *a, long long org_id, long long *out)
{
	db_rows r;
	struct db_stmt st;
	team_stock_threshold_stmt(&st, a, org_id);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	*out = r.nrows ? db_ll(&r, 0, 0) : STOCK_THRESHOLD_DEFAULT;
	return 0;
}

int team_stock_threshold_set(db *d, arena *a, const struct actor *who, const char *value, struct errs *e)
{
	const char *v = str_trim(a, value, 0);
	char *end = NULL;
	long long n = *v ? strtoll(v, &end, 10) : -1;
	if (!*v || !end || *end || n < 0 || n > 100000 || strlen(v) > 6) {
		errs_add(e, "threshold", "Indiquez un nombre entier de certifications, de 0 à 100 000 (0 : jamais d'alerte).");
		return CLR_EINVAL;
	}
	int rc = db_begin(d);
	if (rc)
		return rc;
	rc = db_exec(d, "UPDATE organisations SET stock_threshold = $1 WHERE id = $2",
		     DB_P(db_int(a, n), db_int(a, who->org_id)));
	if (rc >= 0)
		rc = audit_log(d, a, who, "org.stock_threshold", "organisation", who->org_id, v);
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

/* ---- notifications ----------------------------------------------------------------- */

int team_notify_admins(db *d, arena *a, long long org_id, const char *kind, const char *subject, const char *tmpl,
		       view *v)
{
	struct member *m;
	int n;
	int rc = team_members(d, a, org_id, &m, &n);
	for (int i = 0; rc == 0 && i < n; i++) {
		if (m[i].proctor)
			continue;
		struct errs e = {0};
		struct mail mail = {
			.org_id = org_id,
			.kind = kind,
			.to = m[i].email,
			.to_name = *m[i].name ? m[i].name : NULL,
			.subject = subject,
			.tmpl = tmpl,
			.v = v,
		};
		rc = outbox_enqueue(d, a, &mail, &e, NULL);
		if (rc == CLR_EINVAL)
			rc = 0; /* an address that cannot receive mail does not stop the change */
	}
	return rc;
}
