/* validate.h - field-level validation with French messages.
 *
 * Domain functions collect user-facing errors in a struct errs: one French
 * message per form field.  Handlers hand it to the view so each message is
 * shown next to its field and every typed value is kept.
 */
#ifndef CLR_VALIDATE_H
#define CLR_VALIDATE_H

#define ERRS_MAX 24

struct errs {
	int n;
	struct {
		const char *field; /* form field name, or "" for the whole form */
		const char *msg;   /* French, static or arena-owned */
	} e[ERRS_MAX];
};

/* Adds an error unless that field already has one. */
void errs_add(struct errs *e, const char *field, const char *msg);
const char *errs_get(const struct errs *e, const char *field);

/* Syntax checks (input already trimmed). */
int valid_email(const char *s);
/* French or international phone: digits with optional +, spaces, dots,
 * dashes, parentheses; 8 to 15 digits. */
int valid_phone(const char *s);

#endif
