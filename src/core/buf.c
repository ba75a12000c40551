/* buf.c - growable string buffer; see buf.h for the invariants. */
#include "core/buf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

const char buf_empty[1] = "";

void buf_init(buf *b)
{
	b->data = (char *)buf_empty;
	b->len = b->cap = 0;
}

void buf_free(buf *b)
{
	if (b->cap)
		free(b->data);
	buf_init(b);
}

char *buf_detach(buf *b, size_t *len)
{
	char *p = b->cap ? b->data : strdup("");
	if (!p)
		abort();
	if (len)
		*len = b->len;
	buf_init(b);
	return p;
}

void buf_reset(buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = 0;
}

void buf_grow(buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = b->cap ? realloc(b->data, cap) : malloc(cap);
	if (!p) {
		fputs("clr: out of memory\n", stderr);
		abort();
	}
	if (!b->cap)
		p[0] = 0;
	b->data = p;
	b->cap = cap;
}

void buf_add(buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = 0;
}

void buf_adds(buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* 1 for the five characters that buf_add_html() escapes. */
static const unsigned char html_special[256] = {['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1};

/* Length of the longest prefix of s[0..n) without any of the five.  With
 * SSE2 (every x86-64), 16 bytes per step: '<' and '>' differ by one bit
 * (0x3c, 0x3e), so do '&' and '\'' (0x26, 0x27): three compares.  Only
 * whole blocks inside s are read (the last one may overlap the one before);
 * shorter strings 8 bytes at a time, then byte by byte (most cells of a
 * list are 5-30 bytes: docs/PERFORMANCE.md, run 7). */
static inline __attribute__((always_inline)) size_t html_plain_len(const char *s, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	if (n >= 16) {
		const __m128i two = _mm_set1_epi8(2), one = _mm_set1_epi8(1);
		const __m128i gt = _mm_set1_epi8('>'), apos = _mm_set1_epi8('\''), quot = _mm_set1_epi8('"');
		for (;;) {
			size_t at = i + 16 <= n ? i : n - 16;
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
			__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(x, two), gt),
							      _mm_cmpeq_epi8(_mm_or_si128(x, one), apos)),
						 _mm_cmpeq_epi8(x, quot));
			unsigned bits = (unsigned)_mm_movemask_epi8(m);
			if (bits)
				return at + (size_t)__builtin_ctz(bits);
			if (at + 16 >= n)
				return n;
			i = at + 16;
		}
	}
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* 8 to 15 bytes (or no SSE2): the same tests on 8 bytes at once, with
	 * the "has a zero byte" trick; its lowest flagged byte is exact */
	if (n - i >= 8) {
		const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
		for (;;) {
			size_t at = i + 8 <= n ? i : n - 8;
			uint64_t w, a, b, c;
			memcpy(&w, s + at, 8);
			a = (w | 2 * ones) ^ ('>' * ones);
			b = (w | ones) ^ ('\'' * ones);
			c = w ^ ('"' * ones);
			uint64_t m = ((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c);
			m &= highs;
			if (m)
				return at + (size_t)__builtin_ctzll(m) / 8;
			if (at + 8 >= n)
				return n;
			i = at + 8;
		}
	}
#endif
	while (i < n && !html_special[(unsigned char)s[i]])
		i++;
	return i;
}

/* buf_add_html() from the first special character s[0] on (n bytes). */
static __attribute__((noinline)) void add_html_escaping(buf *b, const char *s, size_t n)
{
	for (;;) {
		const char *rep;
		size_t rl;
		switch (*s) {
		case '&': rep = "&amp;", rl = 5; break;
		case '<': rep = "&lt;", rl = 4; break;
		case '>': rep = "&gt;", rl = 4; break;
		case '"': rep = "&quot;", rl = 6; break;
		default: rep = "&#39;", rl = 5; break;
		}
		s++;
		n--;
		buf_grow(b, n + rl);
		memcpy(b->data + b->len, rep, rl);
		b->len += rl;
		size_t k = html_plain_len(s, n);
		memcpy(b->data + b->len, s, k);
		b->len += k;
		if (k == n)
			return;
		s += k;
		n -= k;
	}
}

void buf_add_html(buf *b, const char *s)
{
	/* room for the text as is at once, then one copy when nothing is to
	 * be escaped, the common case (docs/PERFORMANCE.md, run 7: ~350
	 * calls per list page) */
	size_t n = strlen(s);
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	size_t k = html_plain_len(s, n);
	memcpy(b->data + b->len, s, k);
	b->len += k;
	if (k < n)
		add_html_escaping(b, s + k, n - k);
	b->data[b->len] = 0;
}
