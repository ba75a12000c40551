/* support.c - requests to Le Robert's support and their answers (see
 * support.h): validation with French messages, the rate limit, storage, the
 * e-mails through the outbox and the audit rows, each change in one
 * transaction. */
#include "domain/support.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/outbox.h"
#include "mail/config.h"
#include <string.h>

const struct support_topic support_topics[] = {
	{"order", "Commande"},
	{"candidates", "Candidats"},
	{"certifications", "Certifications"},
	{"technical", "Technique"},
	{"other", "Autre"},
	{NULL, NULL},
};

static const char *const status_values[] = {"open", "answered", "closed"};
static const char *const status_labels[] = {"Ouverte", "Répondue", "Close"};

const char *support_topic_label(const char *topic)
{
	for (int i = 0; support_topics[i].value; i++)
		if (str_eq(topic, support_topics[i].value))
			return support_topics[i].label;
	return topic ? topic : "";
}

const char *support_status_label(const char *status)
{
	for (int i = 0; i < 3; i++)
		if (str_eq(status, status_values[i]))
			return status_labels[i];
	return status ? status : "";
}

int support_status_valid(const char *status)
{
	for (int i = 0; i < 3; i++)
		if (str_eq(status, status_values[i]))
			return 1;
	return 0;
}

static int topic_valid(const char *topic)
{
	for (int i = 0; support_topics[i].value; i++)
		if (str_eq(topic, support_topics[i].value))
			return 1;
	return 0;
}

/* A message as typed: valid UTF-8 (tabs and line breaks allowed), line ends
 * made \n, trimmed; NULL when not valid UTF-8. */
static const char *clean_text(arena *a, const char *s)
{
	if (!s)
		return "";
	size_t n = strlen(s);
	if (!utf8_valid(s, n))
		return NULL;
	char *t = arena_alloc(a, n + 1), *o = t;
	for (const char *p = s; *p; p++) {
		if (*p == '\r') {
			*o++ = '\n';
			if (p[1] == '\n')
				p++;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return str_trim(a, t, 0);
}

/* Checks a message or an answer: field gets the French message. */
static const char *check_text(arena *a, const char *s, const char *field, const char *empty_msg, struct errs *e)
{
	const char *t = clean_text(a, s);
	if (!t) {
		errs_add(e, field, "Le texte contient des caractères invalides.");
		return NULL;
	}
	if (!*t) {
		errs_add(e, field, empty_msg);
		return NULL;
	}
	size_t len = utf8_len(t);
	if (len > SUPPORT_MESSAGE_MAX) {
		errs_add(e, field,
			 arena_printf(a, "Le texte ne peut dépasser 5 000 caractères : il en compte %s. Raccourcissez-le.",
				      int_fmt(a, (long long)len)));
		return NULL;
	}
	return t;
}

/* ---- sending a request ------------------------------------------------------ */

struct create_ctx {
	arena *a;
	const struct actor *who;
	const char *topic, *subject, *message;
	struct errs *e;
	long long id;
};

static int create_tx(db *d, void *vctx)
{
	struct create_ctx *c = vctx;
	arena *a = c->a;
	long long now = now_s();
	db_rows r;
	/* the rate limit, counted in the transaction that inserts */
	int rc = db_query(d, a, &r, "SELECT COUNT(*) FROM support_requests WHERE user_id = $1 AND created_at > $2",
			  DB_P(db_int(a, c->who->user_id), db_int(a, now - SUPPORT_RATE_WINDOW_S)));
	if (rc < 0)
		return rc;
	if (db_ll(&r, 0, 0) >= SUPPORT_RATE_MAX) {
		errs_add(c->e, "",
			 arena_printf(a,
				      "Vous avez déjà envoyé %d demandes au cours de la dernière heure : merci de patienter "
				      "avant d'en envoyer une autre. En cas d'urgence, écrivez à %s.",
				      SUPPORT_RATE_MAX, mail_support_email()));
		return CLR_ETHROTTLED;
	}
	rc = db_query(d, a, &r,
		      "INSERT INTO support_requests (org_id, user_id, topic, subject, message, status, created_at, updated_at) "
		      "VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) RETURNING id",
		      DB_P(db_int(a, c->who->org_id), db_int(a, c->who->user_id), c->topic, c->subject, c->message,
			   db_int(a, now)));
	if (rc < 0)
		return rc;
	if (r.nrows != 1)
		return CLR_EDB;
	c->id = db_ll(&r, 0, 0);
	struct support_request q;
	if ((rc = support_get(d, a, c->who->org_id, c->id, &q)) != 0)
		return rc;
	rc = audit_log(d, a, c->who, "support.create", "support_request", c->id,
		       arena_printf(a, "%s%s%s", support_topic_label(q.topic), *q.subject ? " — " : "", q.subject));
	if (rc < 0)
		return rc;

	view *v = view_new(a);
	view_setf(v, "number", "%lld", q.id);
	view_set(v, "org_name", q.org_name);
	view_set(v, "admin_name", *q.author_name ? q.author_name : q.author_email);
	view_set(v, "admin_email", q.author_email);
	view_set(v, "topic", support_topic_label(q.topic));
	view_set(v, "subject", q.subject);
	view_set(v, "message", q.message);
	view_set(v, "date", datetime_fmt(a, (time_t)q.created_at));
	view_setf(v, "bo_path", "/backoffice/demandes/%lld", q.id);
	view_setf(v, "path", "/compte/contact/%lld", q.id);
	const char *what = *q.subject ? q.subject : support_topic_label(q.topic);
	struct errs me = {0};
	struct mail m = {
		.org_id = q.org_id,
		.kind = "support.request",
		.to = mail_support_email(),
		.to_name = "Support Certification Le Robert",
		.reply_to = q.author_email,
		.subject = arena_printf(a, "Demande n° %lld — %s — %s", q.id, what, q.org_name),
		.tmpl = "support_request",
		.v = v,
	};
	if ((rc = outbox_enqueue(d, a, &m, &me, NULL)) != 0)
		return rc;
	struct mail ack = {
		.org_id = q.org_id,
		.kind = "support.ack",
		.to = q.author_email,
		.to_name = *q.author_name ? q.author_name : NULL,
		.reply_to = mail_support_email(),
		.subject = arena_printf(a, "Votre demande n° %lld a bien été reçue", q.id),
		.tmpl = "support_ack",
		.v = v,
	};
	return outbox_enqueue(d, a, &ack, &me, NULL);
}

int support_create(db *d, arena *a, const struct actor *who, const char *topic, const char *subject,
		   const char *message, struct errs *e, long long *id_out)
{
	*id_out = 0;
	if (!who || who->org_id <= 0 || who->user_id <= 0)
		return CLR_EFORBIDDEN;
	if (!topic_valid(topic))
		errs_add(e, "topic", "Choisissez l'objet de la demande dans la liste.");
	const char *s = str_clean(a, subject);
	if (!s)
		errs_add(e, "subject", "L'objet contient des caractères invalides.");
	else if (utf8_len(s) > SUPPORT_SUBJECT_MAX)
		errs_add(e, "subject", "L'objet ne peut dépasser 150 caractères : le détail a sa place dans le message.");
	const char *m = check_text(a, message, "message", "Merci de préciser votre demande : le message est vide.", e);
	if (e->n)
		return CLR_EINVAL;
	struct create_ctx c = {a, who, topic, s, m, e, 0};
	int rc = db_tx(d, create_tx, &c);
	if (rc)
		return rc;
	*id_out = c.id;
	return 0;
}

/* ---- reading ------------------------------------------------------------------ */

#define REQ_COLS                                                                                                   \
	"q.id, q.org_id, q.user_id, q.created_at, q.updated_at, COALESCE(q.closed_at, 0), o.name, u.name, u.email, "     \
	"q.topic, q.subject, q.message, q.status, (SELECT COUNT(*) FROM support_answers s WHERE s.request_id = q.id) " \
	"FROM support_requests q JOIN organisations o ON o.id = q.org_id JOIN users u ON u.id = q.user_id "

static void req_read(const db_rows *r, int i, struct support_request *q)
{
	*q = (struct support_request){
		.id = db_ll(r, i, 0),
		.org_id = db_ll(r, i, 1),
		.user_id = db_ll(r, i, 2),
		.created_at = db_ll(r, i, 3),
		.updated_at = db_ll(r, i, 4),
		.closed_at = db_ll(r, i, 5),
		.org_name = db_cell(r, i, 6),
		.author_name = db_cell(r, i, 7),
		.author_email = db_cell(r, i, 8),
		.topic = db_cell(r, i, 9),
		.subject = db_cell(r, i, 10),
		.message = db_cell(r, i, 11),
		.status = db_cell(r, i, 12),
		.nanswers = (int)db_ll(r, i, 13),
	};
}

int support_list(db *d, arena *a, const struct support_filter *f, struct support_request **out, int *n)
{
	const char *status = f && support_status_valid(f->status) ? f->status : "";
	long long org = f ? f->org_id : 0;
	int limit = f && f->limit > 0 ? f->limit : 200;
	db_rows r;
	int rc = org ? db_query(d, a, &r,
				"SELECT " REQ_COLS "WHERE q.org_id = $1 AND ($2 = '' OR q.status = $2) ORDER BY q.id DESC LIMIT $3",
				DB_P(db_int(a, org), status, db_int(a, limit)))
		     : db_query(d, a, &r, "SELECT " REQ_COLS "WHERE ($1 = '' OR q.status = $1) ORDER BY q.id DESC LIMIT $2",
				DB_P(status, db_int(a, limit)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		req_read(&r, i, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

int support_counts(db *d, arena *a, long long org_id, long long counts[3])
{
	db_rows r;
	int rc = org_id ? db_query(d, a, &r, "SELECT status, COUNT(*) FROM support_requests WHERE org_id = $1 GROUP BY status",
				   DB_P(db_int(a, org_id)))
			: db_query(d, a, &r, "SELECT status, COUNT(*) FROM support_requests GROUP BY status", DB_NOP);
	if (rc < 0)
		return rc;
	counts[0] = counts[1] = counts[2] = 0;
	for (int i = 0; i < r.nrows; i++)
		for (int k = 0; k < 3; k++)
			if (str_eq(db_cell(&r, i, 0), status_values[k]))
				counts[k] = db_ll(&r, i, 1);
	return 0;
}

int support_get(db *d, arena *a, long long org_id, long long id, struct support_request *out)
{
	db_rows r;
	int rc = org_id ? db_query(d, a, &r, "SELECT " REQ_COLS "WHERE q.id = $1 AND q.org_id = $2",
				   DB_P(db_int(a, id), db_int(a, org_id)))
			: db_query(d, a, &r, "SELECT " REQ_COLS "WHERE q.id = $1", DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	req_read(&r, 0, out);
	rc = db_query(d, a, &r,
		      "SELECT s.id, s.created_at, COALESCE(NULLIF(u.name, ''), u.email, 'Support Certification Le Robert'), "
		      "s.body FROM support_answers s LEFT JOIN users u ON u.id = s.author_id WHERE s.request_id = $1 "
		      "ORDER BY s.id",
		      DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	out->nanswers = r.nrows;
	out->answers = arena_alloc(a, sizeof *out->answers * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		out->answers[i] = (struct support_answer){db_ll(&r, i, 0), db_ll(&r, i, 1), db_cell(&r, i, 2), db_cell(&r, i, 3)};
	return 0;
}

/* ---- answering and closing ------------------------------------------------------ */

struct answer_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	const char *body;
	struct errs *e;
};

static int answer_tx(db *d, void *vctx)
{
	struct answer_ctx *c = vctx;
	arena *a = c->a;
	struct support_request q;
	int rc = support_get(d, a, 0, c->id, &q);
	if (rc)
		return rc;
	if (str_eq(q.status, "closed")) {
		errs_add(c->e, "", "Cette demande est close : elle ne peut plus recevoir de réponse.");
		return CLR_EINVAL;
	}
	long long now = now_s();
	db_rows r;
	rc = db_query(d, a, &r,
		      "INSERT INTO support_answers (request_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
		      DB_P(db_int(a, c->id), c->who->user_id ? db_int(a, c->who->user_id) : NULL, c->body, db_int(a, now)));
	if (rc < 0)
		return rc;
	rc = db_exec(d, "UPDATE support_requests SET status = 'answered', updated_at = $2 WHERE id = $1",
		     DB_P(db_int(a, c->id), db_int(a, now)));
	if (rc < 0)
		return rc;
	rc = audit_log(d, a, c->who, "support.answer", "support_request", c->id, arena_printf(a, "Demande n° %lld", c->id));
	if (rc < 0)
		return rc;
	view *v = view_new(a);
	view_setf(v, "number", "%lld", q.id);
	view_set(v, "admin_name", *q.author_name ? q.author_name : q.author_email);
	view_set(v, "topic", support_topic_label(q.topic));
	view_set(v, "subject", q.subject);
	view_set(v, "message", q.message);
	view_set(v, "date", datetime_fmt(a, (time_t)q.created_at));
	view_set(v, "answer", c->body);
	view_setf(v, "path", "/compte/contact/%lld", q.id);
	struct errs me = {0};
	struct mail m = {
		.org_id = q.org_id,
		.kind = "support.answer",
		.to = q.author_email,
		.to_name = *q.author_name ? q.author_name : NULL,
		.reply_to = mail_support_email(),
		.subject = arena_printf(a, "Réponse à votre demande n° %lld — %s", q.id,
					*q.subject ? q.subject : support_topic_label(q.topic)),
		.tmpl = "support_answer",
		.v = v,
	};
	return outbox_enqueue(d, a, &m, &me, NULL);
}

int support_answer(db *d, arena *a, const struct actor *who, long long id, const char *body, struct errs *e)
{
	const char *t = check_text(a, body, "answer", "Écrivez la réponse avant de l'envoyer.", e);
	if (!t)
		return CLR_EINVAL;
	struct answer_ctx c = {a, who, id, t, e};
	return db_tx(d, answer_tx, &c);
}

struct close_ctx {
	arena *a;
	const struct actor *who;
	long long id;
};

static int close_tx(db *d, void *vctx)
{
	struct close_ctx *c = vctx;
	arena *a = c->a;
	struct support_request q;
	int rc = support_get(d, a, 0, c->id, &q);
	if (rc)
		return rc;
	if (str_eq(q.status, "closed"))
		return CLR_ECONFLICT;
	long long now = now_s();
	rc = db_exec(d,
		     "UPDATE support_requests SET status = 'closed', closed_at = $2, closed_by = $3, updated_at = $2 "
		     "WHERE id = $1",
		     DB_P(db_int(a, c->id), db_int(a, now), c->who->user_id ? db_int(a, c->who->user_id) : NULL));
	if (rc < 0)
		return rc;
	rc = audit_log(d, a, c->who, "support.close", "support_request", c->id, arena_printf(a, "Demande n° %lld", c->id));
	return rc < 0 ? rc : 0;
}

int support_close(db *d, arena *a, const struct actor *who, long long id)
{
	struct close_ctx c = {a, who, id};
	return db_tx(d, close_tx, &c);
}
