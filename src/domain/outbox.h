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
	/* A secret shown in the message (a candidate's initial password): put
	 * "{{secret}}" in the templates; the value is kept apart and erased from
	 * the database once the message is delivered. */
	const char *secret;
	const struct mail_attachment *attachments;
	int nattachments;
};

/* Renders and stores the message in the caller's open transaction.
 * CLR_EINVAL when the recipient address is invalid (message in e, field
 * "to"), negative on storage failure.  *id_out may be NULL. */
int outbox_enqueue(db *d, arena *a, const struct mail *m, struct errs *e, long long *id_out);

#endif
