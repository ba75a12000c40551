/* validate.c - error collection and syntax checks for user input. */
#include "core/validate.h"
#include "core/text.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void errs_add(struct errs *e, const char *field, const char *msg)
{
	if (errs_get(e, field) || e->n >= ERRS_MAX)
		return;
	e->e[e->n].field = field;
	e->e[e->n].msg = msg;
	char *t = fr_typography(msg);
	size_t len = t ? strlen(t) : 0;
	if (t && e->used + len < sizeof e->text) {
		memcpy(e->text + e->used, t, len + 1);
		e->e[e->n].msg = e->text + e->used;
		e->used += len + 1;
	}
	free(t);
	e->n++;
}

const char *errs_get(const struct errs *e, const char *field)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->e[i].field, field) == 0)
			return e->e[i].msg;
	return NULL;
}

int valid_email(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 254)
		return 0;
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@'))
		return 0;
	size_t local = (size_t)(at - s);
	if (local > 64)
		return 0;
	for (const char *p = s; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (!(isalnum(c) || strchr(".!#$%&'*+/=?^_`{|}~-", c)))
			return 0;
	}
	if (s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
		return 0;
	const char *dom = at + 1;
	const char *dot = strrchr(dom, '.');
	if (!dot || dot == dom || !dot[1] || strlen(dot + 1) < 2)
		return 0;
	for (const char *p = dom; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!(isalnum(c) || c == '-' || c == '.'))
			return 0;
		if (c == '.' && (p == dom || p[1] == '.' || p[1] == 0 || p[-1] == '-' || p[1] == '-'))
			return 0;
	}
	return dom[0] != '-';
}

int valid_phone(const char *s)
{
	int digits = 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isdigit(c))
			digits++;
		else if (c == '+' && p == s)
			;
		else if (!(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')'))
			return 0;
	}
	return digits >= 8 && digits <= 15;
}
