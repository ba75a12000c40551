/* config.c - mail settings from the environment (see config.h). */
#include "mail/config.h"
#include <string.h>
#include "mail/mime.h"
#include <stdlib.h>

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

const char *mail_smtp_url(void)
{
	return env_or("CLR_SMTP_URL", NULL);
}

void mail_from(char *name, size_t nn, char *addr, size_t na)
{
	mime_parse_mailbox(env_or("CLR_MAIL_FROM", MAIL_FROM_DEFAULT), name, nn, addr, na);
	if (!addr[0])
		mime_parse_mailbox(MAIL_FROM_DEFAULT, name, nn, addr, na);
}

const char *mail_sales_email(void)
{
	return env_or("CLR_SALES_EMAIL", MAIL_SALES_DEFAULT);
}

const char *mail_support_email(void)
{
	return env_or("CLR_SUPPORT_EMAIL", MAIL_SUPPORT_DEFAULT);
}

const char *mail_base_url(void)
{
	static char url[512];
	const char *e = env_or("CLR_BASE_URL", MAIL_BASE_URL_DEFAULT);
	size_t n = strlen(e);
	while (n && e[n - 1] == '/')
		n--;
	if (n >= sizeof url)
		n = sizeof url - 1;
	memcpy(url, e, n); /* the same value in every thread: racing writers write the same bytes */
	url[n] = 0;
	return url;
}

const char *mail_dir(void)
{
	return env_or("CLR_MAIL_DIR", "var/mail");
}

long mail_env_long(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end)
		return def;
	return n < min ? min : n > max ? max : n;
}
