/* validate.h - field-level validation with French messages.
 *
 * Domain functions collect user-facing errors in a struct errs: one French
 * message per form field.  Handlers hand it to the view so each message is
 * shown next to its field and every typed value is kept.
 */
#ifndef CLR_VALIDATE_H
#define CLR_VALIDATE_H

#include <stddef.h>

#define ERRS_MAX 24

struct errs {
	int n;
	struct {
		const char *field; /* form field name, or "" for the whole form */
		const char *msg;   /* French, with French typography: in text[] */
	} e[ERRS_MAX];
	char text[4096]; /* the messages, copied by errs_add() */
	size_t used;
};

/* Adds an error unless that field already has one; the message is copied
 * with French typography (fr_typography(): no-break spaces before : ; ! ?
 * and inside « »), or kept as given if text[] is full. */
void errs_add(struct errs *e, const char *field, const char *msg);
const char *errs_get(const struct errs *e, const char *field);

/* Syntax checks (input already trimmed). */
int valid_email(const char *s);
/* French or international phone: digits with optional +, spaces, dots,
 * dashes, parentheses; 8 to 15 digits. */
int valid_phone(const char *s);

#endif
