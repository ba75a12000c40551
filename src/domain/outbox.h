/* outbox.h - outgoing e-mail that is never lost (transactional outbox).
 *
 * A message is rendered from templates and written as a row of the outbox
 * table by outbox_enqueue(), inside the caller's transaction: if that
 * transaction rolls back, the mail never existed; once it commits, the
 * delivery worker (src/mail/) will send it, retrying with back-off, even if
 * the process dies right after the commit.
 */
#ifndef CLR_OUTBOX_H
#define CLR_OUTBOX_H
#include <stddef.h>
#include "core/validate.h"
#include "core/view.h"
#include "db/db.h"
#include "domain/audit.h"

struct mail_attachment {
	const char *filename;     /* "convocation.pdf" */
	const char *content_type; /* "application/pdf", "text/calendar" */
	const unsigned char *data;
	size_t len;
};

struct mail {
	long long org_id;     /* organisation concerned (0: none) */
	const char *kind;     /* short machine name: "order.sales", "candidate.credentials" */
	const char *to;       /* one recipient address */
	const char *to_name;  /* display name (may be NULL) */
	const char *reply_to; /* may be NULL */
	const char *subject;  /* French, UTF-8 (encoded per RFC 2047 when sent) */
	/* Bodies come from templates/mail/<template>.txt (plain text, required)
	 * and templates/mail/<template>.html (optional), rendered with v. */
	const char *tmpl;
	view *v;
	const struct mail_attachment *attachments;
	int nattachments;
};

/* Renders and stores the message in the caller's open transaction.
 * CLR_EINVAL when the recipient address is invalid (message in e, field
 * "to"), negative on storage failure.  *id_out may be NULL. */
int outbox_enqueue(db *d, arena *a, const struct mail *m, struct errs *e, long long *id_out);

/* ---- delivery (src/mail/worker.c) ----------------------------------------
 * A worker claims due messages with a lease: status 'sending', claimed_by
 * = its id, claimed_until = now + lease.  A message whose lease expired
 * (its worker died) is due again.  Claiming is one statement in one
 * transaction: UPDATE .. WHERE id IN (SELECT .. LIMIT n) under SQLite's
 * write lock, FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never
 * claim the same row.  Strings are arena-owned. */
struct outbox_msg {
	long long id, org_id;
	const char *kind, *recipient, *message;
	int attempts; /* including this one */
};

/* Claims up to max due messages; *n is their count. */
int outbox_claim(db *d, arena *a, const char *worker, int lease_s, int max, struct outbox_msg **out, int *n);
/* Extends the lease before sending; 0 if still ours, CLR_ECONFLICT if
 * another worker has taken the message over. */
int outbox_renew(db *d, arena *a, long long id, const char *worker, int lease_s);
/* Gives a claimed, unsent message back (shutting down): due at once, the
 * attempt not counted. */
int outbox_release(db *d, arena *a, long long id, const char *worker);
/* Delivered: status 'sent'. */
int outbox_mark_sent(db *d, arena *a, long long id);
/* Not delivered: back to 'pending' at now + backoff_s, or 'failed' when
 * permanent (the caller also passes permanent when the attempts are used
 * up); error (the server's answer) is shown to staff. */
int outbox_mark_error(db *d, arena *a, long long id, const char *error, int permanent, long backoff_s);

/* ---- back office and CLI ------------------------------------------------ */
struct outbox_filter {
	const char *status; /* 'pending', 'sending', 'sent', 'failed' or NULL/"" */
	const char *org;    /* part of the organisation's name */
	const char *to;     /* part of the recipient's address */
	int limit;          /* 0: 200 */
};

struct outbox_row {
	long long id, org_id, created_at, sent_at, next_attempt_at;
	const char *org_name; /* "" when none */
	const char *kind, *recipient, *subject, *status, *last_error;
	int attempts;
	const char *message; /* the stored MIME text: outbox_get() only */
};

/* Newest first.  CLR_EINVAL for an unknown status. */
int outbox_list(db *d, arena *a, const struct outbox_filter *f, struct outbox_row **out, int *n);
int outbox_get(db *d, arena *a, long long id, struct outbox_row *out);
/* « Renvoyer »: a failed message is due again with a fresh attempt count.
 * CLR_ENOTFOUND, or CLR_ECONFLICT when it is not failed.  Audited. */
int outbox_retry(db *d, arena *a, const struct actor *who, long long id);
/* Monitoring (GET /metrics, GET /readyz): the number of messages in each
 * status (pending, sending, sent, failed) and the age at NOW of the oldest
 * one not delivered yet (pending or sending; 0 if none). */
int outbox_stats(db *d, arena *a, long long now, long long counts[4], long long *oldest_s);
/* French label of a status: « En attente »... */
const char *outbox_status_label(const char *status);

#endif
