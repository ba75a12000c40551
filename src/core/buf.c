/* buf.c - growable string buffer; see buf.h for the invariants. */
#include "core/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void buf_add_html(buf *b, const char *s)
{
	/* 1 for NUL and the five escaped characters: one test per plain byte */
	static const unsigned char stop[256] = {[0] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1};
	const char *run = s;
	for (;; s++) {
		while (!stop[(unsigned char)*s])
			s++;
		if (!*s)
			break;
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_adds(b, rep);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
}
