/* support.h - requests to Le Robert's support: the « Contact » tab of the
 * administrator's account and the back office's « Demandes ».
 *
 * An administrator sends a request (a topic among support_topics, an
 * optional subject line, a message of up to SUPPORT_MESSAGE_MAX characters);
 * it is stored, e-mailed to support (mail_support_email(), Reply-To the
 * administrator) and acknowledged by e-mail to the administrator, all in one
 * transaction.  An account sends at most SUPPORT_RATE_MAX requests per
 * SUPPORT_RATE_WINDOW_S seconds.  Staff answer a request (the answer is
 * kept with it and e-mailed to its author; status « Répondue ») and close
 * it (« Close »).  Every change is audited.
 *
 * Reads by an administrator take the organisation from the session
 * (org_id > 0): another organisation's request is CLR_ENOTFOUND.  Staff
 * pass org_id 0 (every organisation).  Strings are arena-owned.
 */
#ifndef CLR_SUPPORT_H
#define CLR_SUPPORT_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define SUPPORT_MESSAGE_MAX 5000
#define SUPPORT_SUBJECT_MAX 150
#define SUPPORT_RATE_MAX 5
#define SUPPORT_RATE_WINDOW_S 3600

/* The form's subjects: value (stored) and French label, NULL-terminated. */
struct support_topic {
	const char *value, *label;
};
extern const struct support_topic support_topics[];
/* The label of a topic or status; the value itself when unknown. */
const char *support_topic_label(const char *topic);
const char *support_status_label(const char *status); /* « Ouverte », « Répondue », « Close » */
/* 1 for 'open', 'answered', 'closed'. */
int support_status_valid(const char *status);

struct support_answer {
	long long id, created_at;
	const char *author, *body;
};

struct support_request {
	long long id, org_id, user_id, created_at, updated_at, closed_at;
	const char *org_name, *author_name, *author_email;
	const char *topic, *subject, *message, *status;
	int nanswers;
	struct support_answer *answers; /* support_get() only */
};

/* Sends a request as who (an administrator: who->org_id > 0).  CLR_EINVAL
 * with messages in e (fields "topic", "subject", "message"; "" for the rate
 * limit, then CLR_ETHROTTLED is returned instead); *id_out the new id. */
int support_create(db *d, arena *a, const struct actor *who, const char *topic, const char *subject,
		   const char *message, struct errs *e, long long *id_out);

struct support_filter {
	long long org_id;   /* 0: every organisation (staff) */
	const char *status; /* 'open', 'answered', 'closed' or NULL/"" */
	int limit;          /* 0: 200 */
};
/* Newest first, without their answers (nanswers counted). */
int support_list(db *d, arena *a, const struct support_filter *f, struct support_request **out, int *n);
/* Counts per status for the filters (open, answered, closed). */
int support_counts(db *d, arena *a, long long org_id, long long counts[3]);
/* One request with its answers; org_id 0 for staff.  CLR_ENOTFOUND. */
int support_get(db *d, arena *a, long long org_id, long long id, struct support_request *out);
/* Staff answer: stored, e-mailed to the author, status 'answered'.
 * CLR_EINVAL (field "answer"; a closed request: field "") or CLR_ENOTFOUND. */
int support_answer(db *d, arena *a, const struct actor *who, long long id, const char *body, struct errs *e);
/* Staff close a request.  CLR_ENOTFOUND; CLR_ECONFLICT when already closed. */
int support_close(db *d, arena *a, const struct actor *who, long long id);

#endif
