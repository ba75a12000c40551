/* session.c - creation, lookup and destruction of login sessions. */
#include "domain/session.h"
#include "core/err.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds a session may live after its login: CLR_SESSION_MAX_H hours. */
static long max_age_s(void)
{
	static long s = -1;
	if (s < 0) {
		const char *e = getenv("CLR_SESSION_MAX_H");
		long h = e && *e ? atol(e) : SESSION_MAX_H;
		s = (h > 0 && h <= 24 * 366 ? h : SESSION_MAX_H) * 3600L;
	}
	return s;
}

int session_create(db *d, arena *a, long long user_id, const char *ip, const char *user_agent,
		   char token_out[TOKEN_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1], csrf[TOKEN_LEN + 1];
	token_new(token_out);
	token_hash(token_out, hash);
	token_new(csrf);
	const char *now = db_int(a, now_s());
	char ua[201];
	snprintf(ua, sizeof ua, "%s", user_agent ? user_agent : "");
	/* a cut in the middle of a UTF-8 sequence must not reach the db */
	while (*ua && !utf8_valid(ua, strlen(ua)))
		ua[strlen(ua) - 1] = 0;
	int rc = db_exec(d, "DELETE FROM sessions WHERE seen_at < $1 OR created_at < $2",
			 DB_P(db_int(a, now_s() - SESSION_IDLE_S), db_int(a, now_s() - max_age_s())));
	if (rc < 0)
		return rc;
	rc = db_exec(d,
		     "INSERT INTO sessions (id_hash, user_id, csrf, created_at, seen_at, ip, user_agent) "
		     "VALUES ($1, $2, $3, $4, $4, $5, $6)",
		     DB_P(hash, db_int(a, user_id), csrf, now, ip ? ip : "", ua));
	return rc < 0 ? rc : 0;
}

int session_load(db *d, arena *a, const char *token, struct session *out)
{
	memset(out, 0, sizeof *out);
	token_hash(token, out->hash);
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "SELECT s.user_id, s.csrf, s.seen_at, u.org_id, u.role, u.name, u.email, o.name, s.created_at, u.proctor "
			  "FROM sessions s JOIN users u ON u.id = s.user_id "
			  "LEFT JOIN organisations o ON o.id = u.org_id "
			  "WHERE s.id_hash = $1 AND u.disabled = 0",
			  DB_P(out->hash));
	if (rc < 0)
		return rc;
	if (rows.nrows == 0)
		return CLR_ENOTFOUND;
	time_t now = now_s();
	long long seen = db_ll(&rows, 0, 2);
	if (seen < now - SESSION_IDLE_S || db_ll(&rows, 0, 8) < now - max_age_s()) {
		session_destroy(d, out->hash);
		return CLR_ENOTFOUND;
	}
	if (now - seen >= 60) {
		/* best effort: a store that cannot write now (disk full, read-only
		 * file) still serves the session's pages */
		rc = db_exec(d, "UPDATE sessions SET seen_at = $1 WHERE id_hash = $2", DB_P(db_int(a, now), out->hash));
		if (rc < 0 && rc != CLR_EUNAVAIL)
			return rc;
	}
	out->user_id = db_ll(&rows, 0, 0);
	out->csrf = db_cell(&rows, 0, 1);
	out->org_id = db_ll(&rows, 0, 3);
	out->is_staff = str_eq(db_cell(&rows, 0, 4), "staff");
	out->user_name = db_cell(&rows, 0, 5);
	out->user_email = db_cell(&rows, 0, 6);
	out->org_name = db_cell(&rows, 0, 7);
	out->is_proctor = !out->is_staff && db_ll(&rows, 0, 9) != 0;
	return 0;
}

const char *session_home(int is_staff, int is_proctor)
{
	return is_staff ? "/backoffice" : is_proctor ? "/mes-sessions" : "/accueil";
}

int session_destroy(db *d, const char *hash)
{
	int rc = db_exec(d, "DELETE FROM sessions WHERE id_hash = $1", DB_P(hash));
	return rc < 0 ? rc : 0;
}

int session_destroy_others(db *d, arena *a, long long user_id, const char *keep)
{
	int rc = db_exec(d, "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2",
			 DB_P(db_int(a, user_id), keep ? keep : ""));
	return rc < 0 ? rc : 0;
}

/* ---- candidates' sessions (session.h) ------------------------------------- */

int cand_session_create(db *d, arena *a, long long candidate_id, const char *ip, const char *user_agent,
			char token_out[TOKEN_LEN + 1])
{
	char hash[TOKEN_HASH_LEN + 1], csrf[TOKEN_LEN + 1];
	token_new(token_out);
	token_hash(token_out, hash);
	token_new(csrf);
	const char *now = db_int(a, now_s());
	char ua[201];
	snprintf(ua, sizeof ua, "%s", user_agent ? user_agent : "");
	while (*ua && !utf8_valid(ua, strlen(ua)))
		ua[strlen(ua) - 1] = 0;
	int rc = db_exec(d, "DELETE FROM candidate_sessions WHERE seen_at < $1 OR created_at < $2",
			 DB_P(db_int(a, now_s() - SESSION_IDLE_S), db_int(a, now_s() - max_age_s())));
	if (rc < 0)
		return rc;
	rc = db_exec(d,
		     "INSERT INTO candidate_sessions (id_hash, candidate_id, csrf, created_at, seen_at, ip, user_agent) "
		     "VALUES ($1, $2, $3, $4, $4, $5, $6)",
		     DB_P(hash, db_int(a, candidate_id), csrf, now, ip ? ip : "", ua));
	return rc < 0 ? rc : 0;
}

int cand_session_load(db *d, arena *a, const char *token, struct cand_session *out)
{
	memset(out, 0, sizeof *out);
	token_hash(token, out->hash);
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "SELECT s.candidate_id, s.csrf, s.seen_at, c.org_id, c.email, c.first_name, c.last_name, "
			  "s.created_at FROM candidate_sessions s JOIN candidates c ON c.id = s.candidate_id "
			  "WHERE s.id_hash = $1 AND c.erased_at IS NULL",
			  DB_P(out->hash));
	if (rc < 0)
		return rc;
	if (rows.nrows == 0)
		return CLR_ENOTFOUND;
	time_t now = now_s();
	long long seen = db_ll(&rows, 0, 2);
	if (seen < now - SESSION_IDLE_S || db_ll(&rows, 0, 7) < now - max_age_s()) {
		cand_session_destroy(d, out->hash);
		return CLR_ENOTFOUND;
	}
	if (now - seen >= 60) {
		rc = db_exec(d, "UPDATE candidate_sessions SET seen_at = $1 WHERE id_hash = $2",
			     DB_P(db_int(a, now), out->hash));
		if (rc < 0 && rc != CLR_EUNAVAIL)
			return rc;
	}
	out->candidate_id = db_ll(&rows, 0, 0);
	out->csrf = db_cell(&rows, 0, 1);
	out->org_id = db_ll(&rows, 0, 3);
	out->email = db_cell(&rows, 0, 4);
	out->first_name = db_cell(&rows, 0, 5);
	out->last_name = db_cell(&rows, 0, 6);
	return 0;
}

int cand_session_destroy(db *d, const char *hash)
{
	int rc = db_exec(d, "DELETE FROM candidate_sessions WHERE id_hash = $1", DB_P(hash));
	return rc < 0 ? rc : 0;
}

int cand_session_destroy_others(db *d, arena *a, long long candidate_id, const char *keep)
{
	int rc = db_exec(d, "DELETE FROM candidate_sessions WHERE candidate_id = $1 AND id_hash <> $2",
			 DB_P(db_int(a, candidate_id), keep ? keep : ""));
	return rc < 0 ? rc : 0;
}
