/* outbox.c - the outbox table: enqueue (render templates, build the MIME
 * message, insert in the caller's transaction), claiming with a lease and
 * recording the outcome for the delivery worker, listing and « Renvoyer »
 * for staff.  See outbox.h and docs/MAIL.md.
 */
#include "domain/outbox.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "core/tmpl.h"
#include "mail/config.h"
#include "mail/mime.h"
#include <string.h>

static const char *const statuses[][2] = {
	{"pending", "En attente"},
	{"sending", "En cours d'envoi"},
	{"sent", "Envoyé"},
	{"failed", "Échec"},
};

const char *outbox_status_label(const char *status)
{
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
		if (str_eq(status, statuses[i][0]))
			return statuses[i][1];
	return status ? status : "";
}

static int render(const char *name, const view *v, arena *a, const char **out)
{
	buf b = BUF_INIT;
	int rc = tmpl_render(name, v, &b);
	*out = rc ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return rc;
}

int outbox_enqueue(db *d, arena *a, const struct mail *m, struct errs *e, long long *id_out)
{
	const char *to = str_trim(a, m->to ? m->to : "", 0);
	if (!valid_email(to))
		errs_add(e, "to", "Adresse de courriel du destinataire invalide.");
	if (!str_empty(m->reply_to) && !valid_email(m->reply_to))
		errs_add(e, "reply_to", "Adresse de réponse invalide.");
	if (e->n)
		return CLR_EINVAL;
	if (str_empty(m->kind) || str_empty(m->tmpl) || str_empty(m->subject) ||
	    !utf8_valid(m->subject, strlen(m->subject))) {
		log_error("msg=\"outbox: kind, template and subject are required\" kind=%s", m->kind ? m->kind : "");
		return CLR_EINVAL;
	}
	if (tmpl_init() != 0)
		return CLR_ESYS;
	const char *tname = arena_printf(a, "mail/%s.txt", m->tmpl);
	const char *hname = arena_printf(a, "mail/%s.html", m->tmpl);
	if (!tmpl_exists(tname)) {
		log_error("msg=\"outbox: no such mail template\" template=%s", tname);
		return CLR_ENOTFOUND;
	}
	/* no secret is ever part of a message: a candidate gets a one-time
	 * link, never a password (domain/cand_access.h) */
	view *base = m->v ? m->v : view_new(a);
	view *tv = view_child(base), *hv = view_child(base);
	const char *text = NULL, *html = NULL;
	int rc = render(tname, tv, a, &text);
	if (!rc && tmpl_exists(hname))
		rc = render(hname, hv, a, &html);
	if (rc)
		return rc;

	struct mime_attachment *att = NULL;
	if (m->nattachments > 0) {
		att = arena_alloc(a, sizeof *att * (size_t)m->nattachments);
		for (int i = 0; i < m->nattachments; i++)
			att[i] = (struct mime_attachment){m->attachments[i].filename, m->attachments[i].content_type,
							  m->attachments[i].data, m->attachments[i].len};
	}
	char from_name[256], from_addr[256];
	mail_from(from_name, sizeof from_name, from_addr, sizeof from_addr);
	time_t now = now_s();
	struct mime_msg mm = {
		.from_name = from_name, .from_addr = from_addr, .to_name = m->to_name, .to_addr = to,
		.reply_to = m->reply_to, .subject = m->subject, .text = text, .html = html,
		.att = att, .natt = m->nattachments > 0 ? m->nattachments : 0, .date = now,
	};
	buf msg = BUF_INIT;
	mime_build(&mm, &msg);
	const char *nows = db_int(a, now);
	db_rows rows;
	rc = db_query(d, a, &rows,
		      "INSERT INTO outbox (created_at, org_id, kind, recipient, subject, message, status, "
		      "attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $1) RETURNING id",
		      DB_P(nows, m->org_id > 0 ? db_int(a, m->org_id) : NULL, m->kind, to, m->subject, msg.data));
	buf_free(&msg);
	if (rc < 0)
		return rc;
	if (id_out)
		*id_out = db_ll(&rows, 0, 0);
	return 0;
}

/* ---- delivery ------------------------------------------------------------ */

#define CLAIM_COLS "id, org_id, kind, recipient, message, attempts"

static const char claim_sqlite[] =
	"UPDATE outbox SET status = 'sending', claimed_by = $1, claimed_until = $2, attempts = attempts + 1 "
	"WHERE id IN (SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= $3) "
	"OR (status = 'sending' AND claimed_until < $3) ORDER BY next_attempt_at, id LIMIT $4) "
	"RETURNING " CLAIM_COLS;

static const char claim_pg[] =
	"WITH c AS (SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= $3) "
	"OR (status = 'sending' AND claimed_until < $3) ORDER BY next_attempt_at, id LIMIT $4 "
	"FOR UPDATE SKIP LOCKED) "
	"UPDATE outbox o SET status = 'sending', claimed_by = $1, claimed_until = $2, attempts = o.attempts + 1 "
	"FROM c WHERE o.id = c.id RETURNING o.id, o.org_id, o.kind, o.recipient, o.message, o.attempts";

struct claim_ctx {
	arena *a;
	const char *worker;
	int lease_s, max;
	db_rows rows;
};

static int claim_tx(db *d, void *p)
{
	struct claim_ctx *c = p;
	time_t now = now_s();
	int rc = db_query(d, c->a, &c->rows, db_kind(d) == DB_PG ? claim_pg : claim_sqlite,
			  DB_P(c->worker, db_int(c->a, now + c->lease_s), db_int(c->a, now), db_int(c->a, c->max)));
	return rc < 0 ? rc : 0;
}

int outbox_claim(db *d, arena *a, const char *worker, int lease_s, int max, struct outbox_msg **out, int *n)
{
	struct claim_ctx c = {a, worker, lease_s, max, {0}};
	*out = NULL;
	*n = 0;
	/* idle polls stay read-only: no write lock unless something is due */
	db_rows due;
	const char *now = db_int(a, now_s());
	int rc = db_query(d, a, &due,
			  "SELECT 1 FROM outbox WHERE (status = 'pending' AND next_attempt_at <= $1) "
			  "OR (status = 'sending' AND claimed_until < $1) LIMIT 1",
			  DB_P(now));
	if (rc < 0)
		return rc;
	if (due.nrows == 0)
		return 0;
	rc = db_tx(d, claim_tx, &c);
	if (rc)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(c.rows.nrows + 1));
	for (int i = 0; i < c.rows.nrows; i++) {
		struct outbox_msg *m = &(*out)[i];
		m->id = db_ll(&c.rows, i, 0);
		m->org_id = db_ll(&c.rows, i, 1);
		m->kind = db_cell(&c.rows, i, 2);
		m->recipient = db_cell(&c.rows, i, 3);
		m->message = db_cell(&c.rows, i, 4);
		m->attempts = (int)db_ll(&c.rows, i, 5);
	}
	*n = c.rows.nrows;
	return 0;
}

int outbox_renew(db *d, arena *a, long long id, const char *worker, int lease_s)
{
	int rc = db_exec(d,
			 "UPDATE outbox SET claimed_until = $3 WHERE id = $1 AND claimed_by = $2 AND status = 'sending'",
			 DB_P(db_int(a, id), worker, db_int(a, now_s() + lease_s)));
	return rc < 0 ? rc : rc == 0 ? CLR_ECONFLICT : 0;
}

int outbox_release(db *d, arena *a, long long id, const char *worker)
{
	int rc = db_exec(d,
			 "UPDATE outbox SET status = 'pending', attempts = attempts - 1, claimed_by = NULL, "
			 "claimed_until = NULL WHERE id = $1 AND claimed_by = $2 AND status = 'sending'",
			 DB_P(db_int(a, id), worker));
	return rc < 0 ? rc : 0;
}

int outbox_mark_sent(db *d, arena *a, long long id)
{
	int rc = db_exec(d,
			 "UPDATE outbox SET status = 'sent', sent_at = $2, last_error = '', "
			 "claimed_by = NULL, claimed_until = NULL WHERE id = $1",
			 DB_P(db_int(a, id), db_int(a, now_s())));
	return rc < 0 ? rc : 0;
}

/* The server's answer as valid, printable UTF-8 of bounded length. */
static const char *clean_error(arena *a, const char *s)
{
	char *c = arena_strndup(a, s ? s : "", 500);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 32)
			*p = ' ';
	if (!utf8_valid(c, strlen(c)))
		for (char *p = c; *p; p++)
			if ((unsigned char)*p >= 128)
				*p = '?';
	return str_trim(a, c, 1);
}

int outbox_mark_error(db *d, arena *a, long long id, const char *error, int permanent, long backoff_s)
{
	int rc = db_exec(d,
			 "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at = $4, "
			 "claimed_by = NULL, claimed_until = NULL WHERE id = $1",
			 DB_P(db_int(a, id), permanent ? "failed" : "pending", clean_error(a, error),
			      db_int(a, now_s() + (permanent ? 0 : backoff_s))));
	return rc < 0 ? rc : 0;
}

/* ---- back office ----------------------------------------------------------- */

#define ROW_COLS                                                                                          \
	"o.id, o.org_id, COALESCE(g.name, ''), o.kind, o.recipient, o.subject, o.status, o.attempts, " \
	"o.last_error, o.created_at, o.sent_at, o.next_attempt_at"

static void read_row(const db_rows *r, int i, struct outbox_row *o)
{
	o->id = db_ll(r, i, 0);
	o->org_id = db_ll(r, i, 1);
	o->org_name = db_cell(r, i, 2);
	o->kind = db_cell(r, i, 3);
	o->recipient = db_cell(r, i, 4);
	o->subject = db_cell(r, i, 5);
	o->status = db_cell(r, i, 6);
	o->attempts = (int)db_ll(r, i, 7);
	o->last_error = db_cell(r, i, 8);
	o->created_at = db_ll(r, i, 9);
	o->sent_at = db_ll(r, i, 10);
	o->next_attempt_at = db_ll(r, i, 11);
}

static const char *like(arena *a, const char *s, int lower)
{
	if (str_empty(s))
		return "";
	const char *t = str_trim(a, s, 0);
	return arena_printf(a, "%%%s%%", lower ? str_lower(a, t) : t);
}

int outbox_list(db *d, arena *a, const struct outbox_filter *f, struct outbox_row **out, int *n)
{
	*out = NULL;
	*n = 0;
	const char *st = f && !str_empty(f->status) ? f->status : "";
	if (*st && str_eq(outbox_status_label(st), st))
		return CLR_EINVAL;
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "SELECT " ROW_COLS " FROM outbox o LEFT JOIN organisations g ON g.id = o.org_id "
			  "WHERE (CAST($1 AS TEXT) = '' OR o.status = CAST($1 AS TEXT)) "
			  "AND (CAST($2 AS TEXT) = '' OR LOWER(g.name) LIKE CAST($2 AS TEXT) OR g.name LIKE CAST($3 AS TEXT)) "
			  "AND (CAST($4 AS TEXT) = '' OR LOWER(o.recipient) LIKE CAST($4 AS TEXT)) "
			  "ORDER BY o.id DESC LIMIT CAST($5 AS BIGINT)",
			  DB_P(st, like(a, f ? f->org : NULL, 1), like(a, f ? f->org : NULL, 0),
			       like(a, f ? f->to : NULL, 1), db_int(a, f && f->limit > 0 ? f->limit : 200)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(rows.nrows + 1));
	for (int i = 0; i < rows.nrows; i++)
		read_row(&rows, i, &(*out)[i]);
	*n = rows.nrows;
	return 0;
}

int outbox_get(db *d, arena *a, long long id, struct outbox_row *out)
{
	memset(out, 0, sizeof *out);
	db_rows rows;
	int rc = db_query(d, a, &rows,
			  "SELECT " ROW_COLS ", o.message FROM outbox o LEFT JOIN organisations g ON g.id = o.org_id "
			  "WHERE o.id = $1",
			  DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		return CLR_ENOTFOUND;
	read_row(&rows, 0, out);
	out->message = db_cell(&rows, 0, 12);
	return 0;
}

struct retry_ctx {
	arena *a;
	const struct actor *who;
	long long id;
};

static int retry_tx(db *d, void *p)
{
	struct retry_ctx *c = p;
	struct outbox_row o;
	int rc = outbox_get(d, c->a, c->id, &o);
	if (rc)
		return rc;
	if (!str_eq(o.status, "failed"))
		return CLR_ECONFLICT;
	rc = db_exec(d,
		     "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, claimed_by = NULL, "
		     "claimed_until = NULL WHERE id = $1 AND status = 'failed'",
		     DB_P(db_int(c->a, c->id), db_int(c->a, now_s())));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ECONFLICT;
	return audit_log(d, c->a, c->who, "mail.retry", "outbox", c->id, o.recipient);
}

int outbox_retry(db *d, arena *a, const struct actor *who, long long id)
{
	struct retry_ctx c = {a, who, id};
	return db_tx(d, retry_tx, &c);
}

int outbox_stats(db *d, arena *a, long long now, long long counts[4], long long *oldest_s)
{
	static const char *const st[4] = {"pending", "sending", "sent", "failed"};
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT status, COUNT(*), MIN(created_at) FROM outbox GROUP BY status", DB_NOP);
	if (rc < 0)
		return rc;
	long long oldest = 0;
	for (int i = 0; i < 4; i++)
		counts[i] = 0;
	for (int row = 0; row < r.nrows; row++) {
		const char *s = db_cell(&r, row, 0);
		for (int i = 0; i < 4; i++)
			if (s && strcmp(s, st[i]) == 0)
				counts[i] = db_ll(&r, row, 1);
		if (s && (strcmp(s, "pending") == 0 || strcmp(s, "sending") == 0)) {
			long long c = db_ll(&r, row, 2);
			if (!oldest || c < oldest)
				oldest = c;
		}
	}
	*oldest_s = oldest && now > oldest ? now - oldest : 0;
	return 0;
}
