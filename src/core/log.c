/* log.c - structured logging to stderr, one write() per line.
 *
 * The one place where logged values are made safe: every %s argument is
 * written escaped (control characters as \n, \r, \t or \xNN, and « " » and
 * « \ » with a backslash), so that a value taken from a request (a decoded
 * path, an e-mail address, a database's message) can neither start a new
 * line nor end the quoted field it sits in.  The other conversions (%d,
 * %lld, %zu, %.2f...) are printed by snprintf() one at a time.  UTF-8 text
 * passes unchanged.  A line longer than LINE_MAX bytes is cut. */
#include "core/log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX 2048

static int quiet;

void log_set_quiet(int q)
{
	quiet = q;
}

struct line {
	char s[LINE_MAX];
	size_t n; /* < LINE_MAX - 1: room is kept for the '\n' */
};

static void put(struct line *l, const char *s, size_t len)
{
	size_t room = LINE_MAX - 2 - l->n;
	if (len > room)
		len = room;
	memcpy(l->s + l->n, s, len);
	l->n += len;
}

/* s, at most max bytes of it (max < 0: all), escaped. */
static void put_escaped(struct line *l, const char *s, long max)
{
	static const char hex[] = "0123456789abcdef";
	for (long i = 0; s[i] && (max < 0 || i < max) && l->n < LINE_MAX - 2; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[4] = {'\\', 0, 0, 0};
		size_t k = 2;
		if (c == '\n')
			e[1] = 'n';
		else if (c == '\r')
			e[1] = 'r';
		else if (c == '\t')
			e[1] = 't';
		else if (c == '"' || c == '\\')
			e[1] = (char)c;
		else if (c < 0x20 || c == 0x7f) {
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			k = 4;
		} else {
			l->s[l->n++] = (char)c;
			continue;
		}
		put(l, e, k);
	}
}

/* One conversion that is not %s: spec[0..len) is "%...X"; prints its
 * argument(s) with snprintf(). */
static void put_conv(struct line *l, const char *spec, size_t len, va_list *ap)
{
	char f[32], out[128];
	if (len >= sizeof f)
		return;
	memcpy(f, spec, len);
	f[len] = 0;
	int stars[2], nstars = 0;
	for (size_t i = 1; i < len && nstars < 2; i++)
		if (f[i] == '*')
			stars[nstars++] = va_arg(*ap, int);
	char conv = f[len - 1];
	int ll = strstr(f, "ll") != NULL, lo = !ll && strchr(f, 'l') != NULL, z = strchr(f, 'z') != NULL;
	int n = -1;
#define PRINT(v)                                                                                         \
	(nstars == 2 ? snprintf(out, sizeof out, f, stars[0], stars[1], v)                               \
	 : nstars == 1 ? snprintf(out, sizeof out, f, stars[0], v)                                        \
		       : snprintf(out, sizeof out, f, v))
	switch (conv) {
	case 'd':
	case 'i':
		n = ll ? PRINT(va_arg(*ap, long long)) : lo ? PRINT(va_arg(*ap, long)) : z ? PRINT(va_arg(*ap, ssize_t))
							: PRINT(va_arg(*ap, int));
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		n = ll ? PRINT(va_arg(*ap, unsigned long long)) : lo ? PRINT(va_arg(*ap, unsigned long))
			: z ? PRINT(va_arg(*ap, size_t)) : PRINT(va_arg(*ap, unsigned));
		break;
	case 'f':
	case 'F':
	case 'e':
	case 'E':
	case 'g':
	case 'G':
		n = PRINT(va_arg(*ap, double));
		break;
	case 'c':
		n = PRINT(va_arg(*ap, int));
		break;
	case 'p':
		n = PRINT(va_arg(*ap, void *));
		break;
	default:
		break;
	}
#undef PRINT
	if (n > 0) {
		char c = (char)(conv == 'c' ? out[0] : 0);
		if (conv == 'c') /* a character is a value too */
			put_escaped(l, (char[2]){c, 0}, 1);
		else
			put(l, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
	}
}

/* vsnprintf() with every %s argument escaped. */
static void format(struct line *l, const char *fmt, va_list ap0)
{
	va_list ap;
	va_copy(ap, ap0);
	const char *p = fmt;
	while (*p && l->n < LINE_MAX - 2) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			put(l, p, strlen(p));
			break;
		}
		put(l, p, (size_t)(pct - p));
		const char *q = pct + 1;
		if (*q == '%') {
			put(l, "%", 1);
			p = q + 1;
			continue;
		}
		q += strspn(q, "-+ #0");
		int star_w = 0;
		if (*q == '*') {
			star_w = 1;
			q++;
		} else {
			q += strspn(q, "0123456789");
		}
		long prec = -1;
		int star_p = 0;
		if (*q == '.') {
			q++;
			if (*q == '*') {
				star_p = 1;
				q++;
			} else {
				prec = strtol(q, NULL, 10);
				q += strspn(q, "0123456789");
			}
		}
		q += strspn(q, "hlLqjzt");
		if (!*q)
			break;
		if (*q == 's') {
			if (star_w)
				(void)va_arg(ap, int); /* widths of strings are not used in logs */
			if (star_p)
				prec = va_arg(ap, int);
			const char *s = va_arg(ap, const char *);
			put_escaped(l, s ? s : "(null)", prec);
		} else {
			put_conv(l, pct, (size_t)(q - pct + 1), &ap);
		}
		p = q + 1;
	}
	va_end(ap);
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	struct line l;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(l.s, sizeof l.s, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, level);
	if (n < 0 || (size_t)n >= sizeof l.s - 2)
		return;
	l.n = (size_t)n;
	format(&l, fmt, ap);
	l.s[l.n++] = '\n';
	ssize_t w = write(2, l.s, l.n);
	(void)w;
}

#define DEF(name, level, gate)                   \
	void name(const char *fmt, ...)          \
	{                                        \
		if (gate)                        \
			return;                  \
		va_list ap;                      \
		va_start(ap, fmt);               \
		emit(level, fmt, ap);            \
		va_end(ap);                      \
	}
DEF(log_info, "info", quiet)
DEF(log_warn, "warn", 0)
DEF(log_error, "error", 0)
