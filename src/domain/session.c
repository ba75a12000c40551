/* session.c - creation, lookup and destruction of login sessions. */
#include "domain/session.h"
#include "core/err.h"
#include "core/text.h"
#include <pthread.h>
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

/* A new session row: the token (out) and its CSRF token drawn, the table's
 * dead sessions purged first (purge_sql: $1 idle limit, $2 age limit),
 * then insert_sql ($1 hash, $2 owner, $3 csrf, $4 now, $5 ip, $6 user agent). */
static int new_session(db *d, arena *a, const char *purge_sql, const char *insert_sql, long long owner,
		       const char *ip, const char *user_agent, char token_out[TOKEN_LEN + 1])
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
	int rc = db_exec(d, purge_sql, DB_P(db_int(a, now_s() - SESSION_IDLE_S), db_int(a, now_s() - max_age_s())));
	if (rc < 0)
		return rc;
	rc = db_exec(d, insert_sql, DB_P(hash, db_int(a, owner), csrf, now, ip ? ip : "", ua));
	return rc < 0 ? rc : 0;
}

int session_create(db *d, arena *a, long long user_id, const char *ip, const char *user_agent,
		   char token_out[TOKEN_LEN + 1])
{
	return new_session(d, a, "DELETE FROM sessions WHERE seen_at < $1 OR created_at < $2",
			   "INSERT INTO sessions (id_hash, user_id, csrf, created_at, seen_at, ip, user_agent) "
			   "VALUES ($1, $2, $3, $4, $4, $5, $6)",
			   user_id, ip, user_agent, token_out);
}

/* The session's row: what session_load() reads, and what the deferred
 * check of a staff session reads again.  Column 2 (seen_at) moves; every
 * other column but the versions must be as remembered for a remembered
 * answer to stand.  Columns 10 and 11 are the organisation's versions
 * (org_versions, migration 0020): v, of the data kept in memory
 * (db_keep_version()), and auth_v, which moves with every change of what
 * the row of any of the organisation's sessions holds.  So a remembered
 * session of an organisation is checked by reading the two versions alone
 * (VERSIONS_SQL: one primary-key read instead of three tables). */
#define SESSION_SQL                                                                                   \
	"SELECT s.user_id, s.csrf, s.seen_at, u.org_id, u.role, u.name, u.email, o.name, s.created_at, u.proctor, " \
	"ov.v, ov.auth_v FROM sessions s JOIN users u ON u.id = s.user_id "                             \
	"LEFT JOIN organisations o ON o.id = u.org_id "                                                 \
	"LEFT JOIN org_versions ov ON ov.org_id = u.org_id "                                            \
	"WHERE s.id_hash = $1 AND u.disabled = 0"
#define COL_SEEN 2
#define COL_ORG 3
#define COL_CREATED 8
#define COL_VERSION 10
#define COL_AUTH 11
#define VERSIONS_SQL "SELECT v, auth_v FROM org_versions WHERE org_id = $1"

/* Fills out from the session's row (cells arena-owned). */
static void from_row(struct session *out, const db_rows *rows)
{
	out->user_id = db_ll(rows, 0, 0);
	out->csrf = db_cell(rows, 0, 1);
	out->org_id = db_ll(rows, 0, 3);
	out->is_staff = str_eq(db_cell(rows, 0, 4), "staff");
	out->user_name = db_cell(rows, 0, 5);
	out->user_email = db_cell(rows, 0, 6);
	out->org_name = db_cell(rows, 0, 7);
	out->is_proctor = !out->is_staff && db_ll(rows, 0, 9) != 0;
}

/* ------------------------------------------------ the thread's memory
 *
 * Each server thread remembers the rows of the sessions it loaded (by
 * hash, direct-mapped, REMEMBERED slots), so that the next request of the
 * same session is answered at once and its row read again with the page's
 * first statement (db_defer) instead of in a round trip of its own. */
#define REMEMBERED 256

struct remembered {
	char hash[TOKEN_HASH_LEN + 1];
	int ncols;
	char **cells; /* malloc'd, NULL for SQL NULL */
};

static pthread_key_t memory_key;
static pthread_once_t memory_once = PTHREAD_ONCE_INIT;

static void forget(struct remembered *m)
{
	for (int c = 0; m->cells && c < m->ncols; c++)
		free(m->cells[c]);
	free(m->cells);
	memset(m, 0, sizeof *m);
}

static void memory_free(void *v)
{
	struct remembered *mem = v;
	for (int i = 0; i < REMEMBERED; i++)
		forget(&mem[i]);
	free(mem);
}

static void memory_init(void)
{
	pthread_key_create(&memory_key, memory_free);
}

static struct remembered *slot(const char *hash)
{
	pthread_once(&memory_once, memory_init);
	struct remembered *mem = pthread_getspecific(memory_key);
	if (!mem) {
		mem = calloc(REMEMBERED, sizeof *mem);
		if (!mem || pthread_setspecific(memory_key, mem) != 0) {
			free(mem);
			return NULL;
		}
	}
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 32) - 'a' + 10);
	return &mem[h % REMEMBERED];
}

static void remember(const char *hash, const db_rows *rows)
{
	struct remembered *m = slot(hash);
	if (!m)
		return;
	forget(m);
	m->cells = calloc((size_t)rows->ncols, sizeof *m->cells);
	if (!m->cells)
		return;
	m->ncols = rows->ncols;
	for (int c = 0; c < rows->ncols; c++)
		if (db_cell(rows, 0, c) && !(m->cells[c] = strdup(db_cell(rows, 0, c)))) {
			forget(m);
			return;
		}
	memcpy(m->hash, hash, sizeof m->hash);
}

void session_forget(const char *hash)
{
	struct remembered *m = slot(hash);
	if (m && strcmp(m->hash, hash) == 0)
		forget(m);
}

/* Whether the session of these cells is past its idle or absolute limit. */
static int expired(long long seen, long long created, time_t now)
{
	return seen < now - SESSION_IDLE_S || created < now - max_age_s();
}

int session_load(db *d, arena *a, const char *token, struct session *out)
{
	memset(out, 0, sizeof *out);
	token_hash(token, out->hash);
	db_rows rows;
	int rc = db_query(d, a, &rows, SESSION_SQL, DB_P(out->hash));
	if (rc < 0)
		return rc;
	if (rows.nrows == 0) {
		session_forget(out->hash);
		return CLR_ENOTFOUND;
	}
	time_t now = now_s();
	long long seen = db_ll(&rows, 0, COL_SEEN);
	if (expired(seen, db_ll(&rows, 0, COL_CREATED), now)) {
		session_forget(out->hash);
		session_destroy(d, out->hash);
		return CLR_ENOTFOUND;
	}
	if (now - seen >= 60) {
		/* best effort: a store that cannot write now (disk full, read-only
		 * file) still serves the session's pages */
		rc = db_exec(d, "UPDATE sessions SET seen_at = $1 WHERE id_hash = $2", DB_P(db_int(a, now), out->hash));
		if (rc < 0 && rc != CLR_EUNAVAIL)
			return rc;
		rows.cells[COL_SEEN] = (char *)db_int(a, now);
	}
	remember(out->hash, &rows);
	from_row(out, &rows);
	db_keep_version(d, out->org_id, db_ll(&rows, 0, COL_VERSION));
	return 0;
}

/* The deferred check of a remembered session (db_defer). */
struct recheck {
	struct db_deferred x;
	db *d;
	db_rows rows;
	const char **cells; /* as remembered (arena copies) */
	int ncols;
	const char *hash;
	long long org_id; /* an organisation's session: checked by its versions */
	int touch; /* seen_at is a minute old: refresh it after the answer */
};

static int same(const char *x, const char *y)
{
	return (!x && !y) || str_eq(x, y);
}

/* The organisation's data moved (version V, not the one remembered) since
 * this thread last looked: adopted, unless kept rows already answered. */
static int adopt_version(struct recheck *k, const char *v)
{
	if (db_keep_hits(k->d))
		return CLR_ESTALE; /* the answer is given again */
	db_keep_version(k->d, k->org_id, v ? atoll(v) : 0);
	struct remembered *m = slot(k->hash);
	if (m && strcmp(m->hash, k->hash) == 0 && m->ncols > COL_VERSION) {
		free(m->cells[COL_VERSION]);
		m->cells[COL_VERSION] = v ? strdup(v) : NULL;
	}
	return 0;
}

static int recheck(void *ctx, const db_rows *rows)
{
	struct recheck *k = ctx;
	time_t now = now_s();
	long long seen;
	const char *v;
	if (k->org_id) {
		/* the organisation's versions: the session's row is as remembered
		 * while auth_v has not moved */
		if (rows->nrows != 1 || rows->ncols != 2 || !same(db_cell(rows, 0, 1), k->cells[COL_AUTH]))
			return CLR_ESTALE;
		seen = atoll(k->cells[COL_SEEN]);
		if (expired(seen, atoll(k->cells[COL_CREATED]), now))
			return CLR_ESTALE;
		v = db_cell(rows, 0, 0);
	} else {
		/* a staff session: its whole row */
		if (rows->nrows != 1 || rows->ncols != k->ncols)
			return CLR_ESTALE;
		for (int c = 0; c < k->ncols; c++)
			if (c != COL_SEEN && c != COL_VERSION && !same(db_cell(rows, 0, c), k->cells[c]))
				return CLR_ESTALE;
		seen = db_ll(rows, 0, COL_SEEN);
		if (expired(seen, db_ll(rows, 0, COL_CREATED), now))
			return CLR_ESTALE;
		v = db_cell(rows, 0, COL_VERSION);
	}
	if (!same(v, k->cells[COL_VERSION]) && adopt_version(k, v) < 0)
		return CLR_ESTALE;
	k->touch = now - seen >= 60;
	return 0;
}

int session_load_deferred(db *d, arena *a, const char *token, struct session *out)
{
	memset(out, 0, sizeof *out);
	token_hash(token, out->hash);
	struct remembered *m = slot(out->hash);
	if (!m || strcmp(m->hash, out->hash) != 0 || m->ncols <= COL_AUTH || !m->cells[COL_SEEN] || !m->cells[COL_CREATED])
		return CLR_ENOTFOUND;
	struct recheck *k = arena_alloc(a, sizeof *k);
	memset(k, 0, sizeof *k);
	k->ncols = m->ncols;
	k->cells = arena_alloc(a, sizeof *k->cells * (size_t)(m->ncols ? m->ncols : 1));
	for (int c = 0; c < m->ncols; c++)
		k->cells[c] = m->cells[c] ? arena_strdup(a, m->cells[c]) : NULL;
	k->hash = out->hash;
	k->d = d;
	db_rows remembered = {1, k->ncols, k->cells};
	from_row(out, &remembered);
	const char **params = arena_alloc(a, sizeof *params);
	if (out->org_id > 0 && k->cells[COL_AUTH]) {
		k->org_id = out->org_id;
		params[0] = k->cells[COL_ORG];
		k->x.st = (struct db_stmt){VERSIONS_SQL, 1, params, &k->rows, 0, 0};
	} else {
		params[0] = out->hash;
		k->x.st = (struct db_stmt){SESSION_SQL, 1, params, &k->rows, 0, 0};
	}
	k->x.check = recheck;
	k->x.ctx = k;
	k->x.a = a;
	db_keep_version(d, out->org_id, db_ll(&remembered, 0, COL_VERSION)); /* assumed until the check */
	out->deferred = k;
	db_defer(d, &k->x);
	return 0;
}

int session_settle(db *d, arena *a, struct session *s)
{
	struct recheck *k = s->deferred;
	if (!k)
		return 0;
	s->deferred = NULL;
	int rc = db_defer_end(d);
	if (rc < 0) {
		session_forget(s->hash);
		return rc;
	}
	if (k->touch) {
		time_t now = now_s();
		if (db_exec(d, "UPDATE sessions SET seen_at = $1 WHERE id_hash = $2", DB_P(db_int(a, now), s->hash)) >= 0) {
			struct remembered *m = slot(s->hash);
			if (m && strcmp(m->hash, s->hash) == 0 && m->ncols > COL_SEEN) {
				free(m->cells[COL_SEEN]);
				m->cells[COL_SEEN] = strdup(db_int(a, now));
			}
		}
	}
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
	return new_session(d, a, "DELETE FROM candidate_sessions WHERE seen_at < $1 OR created_at < $2",
			   "INSERT INTO candidate_sessions (id_hash, candidate_id, csrf, created_at, seen_at, ip, user_agent) "
			   "VALUES ($1, $2, $3, $4, $4, $5, $6)",
			   candidate_id, ip, user_agent, token_out);
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
