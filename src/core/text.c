/* text.c - UTF-8 checks, trimming, percent-decoding and French formatting. */
#include "core/text.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

int utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	while (s < end) {
		unsigned c = *s;
		if (c < 0x80) {
			if (c == 0 || c == 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
				return 0;
			s++;
			continue;
		}
		int len;
		unsigned cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (end - s < len)
			return 0;
		for (int i = 1; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += len;
	}
	return 1;
}

size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

char *str_trim(arena *a, const char *s, int collapse)
{
	if (!s)
		return arena_strdup(a, "");
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (collapse && isspace((unsigned char)s[i])) {
			if (o > out && o[-1] == ' ')
				continue;
			*o++ = ' ';
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return out;
}

const char *str_clean(arena *a, const char *s)
{
	if (!s)
		return "";
	return utf8_valid(s, strlen(s)) ? str_trim(a, s, 1) : NULL;
}

char *str_lower(arena *a, const char *s)
{
	char *p = arena_strdup(a, s ? s : "");
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

int str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int str_empty(const char *s)
{
	return !s || !*s;
}

int str_starts(const char *s, const char *p)
{
	return s && strncmp(s, p, strlen(p)) == 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *url_decode(arena *a, const char *s, size_t n, int plus_space)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h, l;
			if (i + 2 >= n)
				return NULL;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return NULL;
			*o++ = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] == '+' && plus_space) {
			*o++ = ' ';
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	if (!utf8_valid(out, (size_t)(o - out)))
		return NULL;
	return out;
}

char *url_encode(arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = arena_alloc_raw(a, 3 * n + 1), *o = out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = 0;
	return out;
}

#define NNBSP "\xe2\x80\xaf" /* U+202F narrow no-break space */
#define NBSP "\xc2\xa0"      /* U+00A0 no-break space */

char *int_fmt(arena *a, long long v)
{
	/* the digits of ll_fmt(), then a U+202F every three from the right */
	const char *digits = ll_fmt(a, "", v);
	int neg = *digits == '-';
	digits += neg;
	int n = (int)strlen(digits);
	char *out = arena_alloc_raw(a, (size_t)n * 4 + 2), *o = out;
	if (neg)
		*o++ = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0) {
			memcpy(o, NNBSP, 3);
			o += 3;
		}
		*o++ = digits[i];
	}
	*o = 0;
	return out;
}

char *ll_fmt(arena *a, const char *prefix, long long v)
{
	char d[24];
	int n = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		d[n++] = '-';
	size_t lp = strlen(prefix);
	char *out = arena_alloc_raw(a, lp + (size_t)n + 1), *o = out + lp;
	memcpy(out, prefix, lp);
	while (n)
		*o++ = d[--n];
	*o = 0;
	return out;
}

char *money_fmt(arena *a, long long cents)
{
	unsigned long long u = cents < 0 ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;
	char *units = int_fmt(a, (long long)(u / 100));
	return arena_printf(a, "%s%s,%02llu" NBSP "€", cents < 0 ? "-" : "", units, u % 100);
}

char *text_excerpt(arena *a, const char *s, size_t max)
{
	if (!s)
		return arena_strdup(a, "");
	size_t n = 0, i = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			return arena_printf(a, "%.*s…", (int)i, s);
	return arena_strndup(a, s, i);
}

static long time_offset(void)
{
	static long offset = -1;
	if (offset == -1) {
		const char *e = getenv("CLR_TIME_OFFSET");
		offset = e ? atol(e) : 0;
	}
	return offset;
}

time_t now_s(void)
{
	return time(NULL) + time_offset();
}

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((long long)ts.tv_sec + time_offset()) * 1000 + ts.tv_nsec / 1000000;
}

double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

char *date_fmt(arena *a, time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return arena_printf(a, "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

char *datetime_fmt(arena *a, time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	return arena_printf(a, "%02d/%02d/%04d à %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
			    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

const char *date_iso_fr(arena *a, const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return s ? s : "";
	char *o = arena_alloc_raw(a, 11); /* DD/MM/YYYY, without vsnprintf (list rows) */
	memcpy(o, s + 8, 2);
	o[2] = '/';
	memcpy(o + 3, s + 5, 2);
	o[5] = '/';
	memcpy(o + 6, s, 4);
	o[10] = 0;
	return o;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

const char *date_long_fr(arena *a, const char *iso)
{
	static const char *const days[] = {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"};
	static const char *const months[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
					     "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
	int y, m, d;
	if (!iso || strlen(iso) != 10 || iso[4] != '-' || !date_parse(iso, &y, &m, &d))
		return iso ? iso : "";
	/* Sakamoto's day of the week (0 = Sunday) */
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	int yy = y - (m < 3);
	int wd = (yy + yy / 4 - yy / 100 + yy / 400 + t[m - 1] + d) % 7;
	return arena_printf(a, "%s %d%s %s %d", days[wd], d, d == 1 ? "er" : "", months[m - 1], y);
}

int date_parse(const char *s, int *y, int *m, int *d)
{
	int n = 0;
	char tail;
	size_t len = s ? strlen(s) : 0;
	/* digits and separators only: sscanf's %d alone would also take a
	 * sign and leading white space (" 1/+2/2000") */
	if (!len || strspn(s, "0123456789/-") != len)
		return 0;
	if (sscanf(s, "%2d/%2d/%4d%n%c", d, m, y, &n, &tail) == 3 && n == (int)len && len >= 8 && s[len - 5] == '/')
		;
	else if (sscanf(s, "%4d-%2d-%2d%n%c", y, m, d, &n, &tail) == 3 && n == 10 && len == 10)
		;
	else
		return 0;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (*m < 1 || *m > 12 || *d < 1 || *y < 1000)
		return 0;
	return *d <= mdays[*m - 1] + (*m == 2 && is_leap(*y));
}

int date_to_iso(const char *s, char iso[11])
{
	int y, m, d;
	if (!date_parse(s, &y, &m, &d))
		return 0;
	snprintf(iso, 11, "%04d-%02d-%02d", y, m, d);
	return 1;
}

char *date_today_iso(arena *a)
{
	time_t t = now_s();
	struct tm tm;
	localtime_r(&t, &tm);
	return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int time_parse(const char *s, char out[6])
{
	int h = -1, mi = 0, n = 0;
	char sep = 0, tail;
	if (!s || strspn(s, "0123456789:hH") != strlen(s)) /* no sign, no white space (%d would take them) */
		return -1;
	if (sscanf(s, "%2d%c%n", &h, &sep, &n) == 2 && (sep == 'h' || sep == 'H') && s[n] == 0)
		mi = 0;
	else if (sscanf(s, "%2d%c%2d%n%c", &h, &sep, &mi, &n, &tail) == 3 && s[n] == 0 &&
		 (sep == ':' || sep == 'h' || sep == 'H') && n - (int)(strchr(s, sep) - s) == 3)
		;
	else
		return -1;
	if (h < 0 || h > 23 || mi < 0 || mi > 59)
		return -1;
	snprintf(out, 6, "%02d:%02d", h, mi);
	return h * 60 + mi;
}

char *fr_typography(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 1), *o = out; /* a space (1 byte) becomes at most 3 */
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char next = s[i + 1];
		int before_sign = s[i] == ' ' && (next == ':' || next == ';' || next == '!' || next == '?');
		int after_open = s[i] == ' ' && i >= 2 && memcmp(s + i - 2, "\xc2\xab", 2) == 0; /* « */
		int before_close = s[i] == ' ' && i + 2 < n && memcmp(s + i + 1, "\xc2\xbb", 2) == 0; /* » */
		if (before_sign && next != ':') {
			memcpy(o, NNBSP, 3);
			o += 3;
		} else if (before_sign || after_open || before_close) {
			memcpy(o, NBSP, 2);
			o += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return out;
}

long long str_id(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return 0;
	long long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

char *like_contains(arena *a, const char *q)
{
	size_t n = strlen(q);
	char *out = arena_alloc(a, 2 * n + 3), *o = out;
	*o++ = '%';
	for (; *q; q++) {
		if (*q == '\\' || *q == '%' || *q == '_')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = 0;
	return out;
}

char *text_fold(arena *a, const char *s)
{
	if (!s || !*s)
		return arena_strdup(a, "");
	size_t flen = 0;
	uint8_t *f = u8_casefold((const uint8_t *)s, strlen(s), NULL, UNINORM_NFKD, NULL, &flen);
	if (!f)
		return arena_strdup(a, "");
	char *out = arena_alloc(a, 2 * flen + 1), *o = out;
	size_t i = 0;
	while (i < flen) {
		ucs4_t uc;
		int len = u8_mbtouc(&uc, f + i, flen - i);
		if (len <= 0)
			break;
		if (uc_is_general_category(uc, UC_CATEGORY_M)) {
			i += (size_t)len;
			continue;
		}
		if (uc_is_space(uc) || uc == 0xa0 || uc == 0x202f) {
			if (o > out && o[-1] != ' ')
				*o++ = ' ';
		} else if (uc == 0x153 || uc == 0xe6) { /* œ æ */
			*o++ = uc == 0x153 ? 'o' : 'a';
			*o++ = 'e';
		} else if (uc == 0x2019 || uc == 0x2018 || uc == 0x2bc) { /* ’ ‘ ʼ */
			*o++ = '\'';
		} else {
			memcpy(o, f + i, (size_t)len);
			o += len;
		}
		i += (size_t)len;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = 0;
	free(f);
	return out;
}
