/* smtp.h - hands one stored message to its destination: an SMTP server
 * through libcurl (smtp:// with STARTTLS when offered, smtps://, optional
 * user:pass@ authentication), or, without CLR_SMTP_URL, an .eml file
 * written atomically (temporary file + rename) under CLR_MAIL_DIR.
 *
 * A message is sent byte for byte as the outbox stored it: no secret is
 * ever added at delivery (migrations/0019_candidate_space.sql).
 */
#ifndef CLR_SMTP_H
#define CLR_SMTP_H
#include <stddef.h>

struct smtp_result {
	int permanent;     /* the server refused for good (5xx) */
	long code;         /* last SMTP reply code (0: none) */
	char answer[512];  /* the server's answer or the network error, for staff */
};

/* Process-wide libcurl initialisation (call once, before threads start). */
void smtp_global_init(void);

/* Delivers message (len bytes) to rcpt.  0 on success;
 * CLR_ESYS with res filled otherwise.  id and kind name the .eml file. */
int smtp_deliver(long long id, const char *kind, const char *rcpt, const char *message, size_t len,
		 struct smtp_result *res);

#endif
