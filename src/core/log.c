/* log.c - structured logging to stderr, one write() per line.
 *
 * The one place where logged values are made safe: every %s argument is
 * written escaped (control characters as \n, \r, \t or \xNN, and « " » and
 * « \ » with a backslash), so that a value taken from a request (a decoded
 * path, an e-mail address, a database's message) can neither start a new
 * line nor end the quoted field it sits in.  The other conversions (%d,
 * %lld, %zu, %.2f...) are printed by snprintf() one at a time.  UTF-8 text
 * passes unchanged.  A %s that is a bare value in the format (right after
 * '=': path=%s, not path="%s") has its spaces escaped too (\x20), so that
 * it cannot seem to end and be followed by other fields; a %s elsewhere is
 * a fragment the code composed (" list=index").  A line longer than LINE_MAX
 * bytes is cut.
 *
 * CLR_LOG_FORMAT=json writes the same line as one JSON object instead:
 * {"ts":"...","level":"info","method":"GET","status":200,...}.  The
 * key=value line is built as above, then read back (key=value, key="quoted
 * value"; a word that is not key=value joins the value before it): the
 * escapes above become JSON's (\xNN is \u00NN), values that are numbers
 * are written as numbers, and bytes that are not UTF-8 become U+FFFD. */
#include "core/log.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX 2048

static int quiet;
static int json_mode = -1; /* CLR_LOG_FORMAT=json; read at the first line */

void log_set_quiet(int q)
{
	quiet = q;
}

void log_set_json(int json)
{
	json_mode = json;
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

/* s, at most max bytes of it (max < 0: all), escaped; bare (a value right
 * after '=' in the format, not quoted): a space too, as \x20, so that a bare
 * value never holds one and no reader can take what follows it for another
 * key=value field ("path=/a level=error"). */
static void put_escaped(struct line *l, const char *s, long max, int bare)
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
		else if (c < 0x20 || c == 0x7f || (bare && c == ' ')) {
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
	/* plain %d, %ld, %lld: written here, not by snprintf() (three or more
	 * per request line: status, user, org) */
	if ((len == 2 && spec[1] == 'd') || (len == 3 && spec[1] == 'l' && spec[2] == 'd') ||
	    (len == 4 && spec[1] == 'l' && spec[2] == 'l' && spec[3] == 'd')) {
		long long v = len == 2 ? va_arg(*ap, int) : len == 3 ? va_arg(*ap, long) : va_arg(*ap, long long);
		char d[24];
		int k = (int)sizeof d;
		unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
		do
			d[--k] = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			d[--k] = '-';
		put(l, d + k, sizeof d - (size_t)k);
		return;
	}
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
			put_escaped(l, (char[2]){c, 0}, 1, 1);
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
			put_escaped(l, s ? s : "(null)", prec, pct > fmt && pct[-1] == '=');
		} else {
			put_conv(l, pct, (size_t)(q - pct + 1), &ap);
		}
		p = q + 1;
	}
	va_end(ap);
}

/* ---- CLR_LOG_FORMAT=json ------------------------------------------------ */

struct jout {
	char *s;
	size_t n, cap;
};

static void jput(struct jout *o, const char *s, size_t len)
{
	if (o->n + len > o->cap)
		len = o->cap - o->n;
	memcpy(o->s + o->n, s, len);
	o->n += len;
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t k = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (!k || k > len)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((k == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (k == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (k == 4 && s[0] == 0xf0 && s[1] < 0x90) || (k == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return k;
}

/* s[0..len), escaped by log.c's rules, as the inside of a JSON string. */
static void jstr(struct jout *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' && i + 1 < len) {
			char e = s[i + 1];
			if (e == 'x' && i + 3 < len) {
				char u[6] = {'\\', 'u', '0', '0', s[i + 2], s[i + 3]};
				jput(o, u, 6);
				i += 3;
			} else if (e == 'n' || e == 'r' || e == 't' || e == '"' || e == '\\') {
				jput(o, s + i, 2);
				i++;
			} else {
				jput(o, "\\\\", 2);
			}
		} else if (c == '\\') {
			jput(o, "\\\\", 2);
		} else if (c == '"') {
			jput(o, "\\\"", 2);
		} else if (c < 0x20 || c == 0x7f) {
			char u[7];
			snprintf(u, sizeof u, "\\u%04x", c);
			jput(o, u, 6);
		} else if (c < 0x80) {
			jput(o, s + i, 1);
		} else {
			size_t k = utf8_len((const unsigned char *)s + i, len - i);
			if (k) {
				jput(o, s + i, k);
				i += k - 1;
			} else {
				jput(o, "\\ufffd", 6);
			}
		}
	}
}

static int is_number(const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0' && i + 1 < len && s[i + 1] != '.')
		return 0; /* 007: not a JSON number, a string */
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < len && s[i] == '.') {
		i++;
		size_t frac = 0;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (!frac)
			return 0;
	}
	return digits && i == len && len < 20;
}

struct field {
	const char *k, *v;
	size_t kl, vl;
	int quoted;
};

#define MAX_FIELDS 48

/* Writes the key=value text t[0..len) as JSON members (after ts and level). */
static void to_json(struct jout *o, const char *t, size_t len)
{
	struct field f[MAX_FIELDS];
	int nf = 0;
	const char *text = NULL, *end = t + len;
	size_t textl = 0;
	const char *p = t;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		const char *k = p;
		while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				   *p == '_' || *p == '.' || *p == '-'))
			p++;
		int is_kv = p > k && p < end && *p == '=' && nf < MAX_FIELDS;
		const char *v;
		size_t vl;
		int quoted = 0;
		if (is_kv)
			p++;
		else
			p = k;
		if (p < end && *p == '"') { /* a quoted value: up to its unescaped closing quote */
			v = ++p;
			while (p < end && *p != '"')
				p += (*p == '\\' && p + 1 < end) ? 2 : 1;
			vl = (size_t)(p - v);
			if (p < end)
				p++;
			quoted = 1;
		} else {
			v = p;
			while (p < end && *p != ' ')
				p++;
			vl = (size_t)(p - v);
		}
		if (is_kv) {
			f[nf++] = (struct field){k, v, (size_t)(v - k - 1 - quoted), vl, quoted};
		} else if (nf && f[nf - 1].quoted != 1) {
			f[nf - 1].vl = (size_t)(v + vl - f[nf - 1].v); /* "rc=-4 (database error)" */
			f[nf - 1].quoted = 2;                           /* a string now */
		} else if (!text) {
			text = k;
			textl = (size_t)(p - k);
		} else {
			textl = (size_t)(p - text);
		}
	}
	for (int i = 0; i < nf; i++) {
		jput(o, ",\"", 2);
		jstr(o, f[i].k, f[i].kl);
		jput(o, "\":", 2);
		if (!f[i].quoted && is_number(f[i].v, f[i].vl)) {
			jput(o, f[i].v, f[i].vl);
		} else {
			jput(o, "\"", 1);
			jstr(o, f[i].v, f[i].vl);
			jput(o, "\"", 1);
		}
	}
	if (text) {
		jput(o, ",\"text\":\"", 9);
		jstr(o, text, textl);
		jput(o, "\"", 1);
	}
}

static void emit_json(const struct line *l, size_t head, const struct timespec *ts, const struct tm *tm,
		      const char *level)
{
	char s[LINE_MAX * 6 + 64];
	struct jout o = {s, 0, sizeof s - 2};
	char pre[96];
	int n = snprintf(pre, sizeof pre, "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\"",
			 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
			 ts->tv_nsec / 1000000, level);
	jput(&o, pre, (size_t)n);
	to_json(&o, l->s + head, l->n - head);
	s[o.n++] = '}';
	s[o.n++] = '\n';
	ssize_t w = write(2, s, o.n);
	(void)w;
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
	if (json_mode < 0) {
		const char *e = getenv("CLR_LOG_FORMAT");
		json_mode = e && strcmp(e, "json") == 0;
	}
	if (json_mode) {
		emit_json(&l, (size_t)n, &ts, &tm, level);
		return;
	}
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
