/* arena.c - per-request bump allocator: a list of chunks, each at least
 * 16 KiB; large requests get a chunk of their own. */
#include "core/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define CHUNK_MIN (16 * 1024)

struct chunk {
	struct chunk *next;
	size_t cap, used;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct chunk *head;
	size_t total;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fputs("clr: out of memory\n", stderr);
		abort();
	}
	return p;
}

static struct chunk *chunk_new(size_t cap)
{
	struct chunk *c = xmalloc(sizeof *c + cap);
	c->next = NULL;
	c->cap = cap;
	c->used = 0;
	return c;
}

arena *arena_new(void)
{
	arena *a = xmalloc(sizeof *a);
	a->head = chunk_new(CHUNK_MIN);
	a->total = 0;
	return a;
}

void arena_free(arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a);
}

void arena_reset(arena *a)
{
	struct chunk *last = a->head;
	while (last->next) {
		struct chunk *n = last->next;
		free(last);
		last = n;
	}
	/* keep the oldest (first allocated) chunk: it is at the list's tail */
	a->head = last;
	last->used = 0;
	a->total = 0;
}

/* arena_alloc() without zeroing, for strings written at once */
static void *alloc_raw(arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need < n)
		abort();
	struct chunk *c = a->head;
	if (c->cap - c->used < need) {
		size_t cap = need > CHUNK_MIN ? need : CHUNK_MIN;
		if (need <= CHUNK_MIN && c->cap < 4 * CHUNK_MIN)
			cap = c->cap * 2 > CHUNK_MIN ? c->cap * 2 : CHUNK_MIN;
		if (cap < need)
			cap = need;
		struct chunk *nc = chunk_new(cap);
		nc->next = c;
		a->head = c = nc;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->total += need;
	return p;
}

void *arena_alloc(arena *a, size_t n)
{
	void *p = alloc_raw(a, n);
	memset(p, 0, n);
	return p;
}

void *arena_alloc_raw(arena *a, size_t n)
{
	return alloc_raw(a, n);
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = alloc_raw(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* Whether FMT uses only %s %d %u %lld %llu %zu and %% (most calls: URLs,
 * labels, numbers), which format() writes; others go to vsnprintf(). */
static int simple_format(const char *fmt)
{
	for (const char *p = fmt; (p = strchr(p, '%')) != NULL; p++) {
		p++;
		if (*p == 's' || *p == 'd' || *p == 'u' || *p == '%')
			continue;
		if (p[0] == 'l' && p[1] == 'l' && (p[2] == 'd' || p[2] == 'u'))
			p += 2;
		else if (p[0] == 'z' && p[1] == 'u')
			p++;
		else
			return 0;
	}
	return 1;
}

/* Writes an unsigned number's digits at OUT (if not NULL); their count. */
static size_t digits(char *out, unsigned long long u)
{
	char d[20];
	size_t n = 0;
	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (out)
		for (size_t i = 0; i < n; i++)
			out[i] = d[n - 1 - i];
	return n;
}

/* A simple_format() FMT with AP written at OUT (NULL: only counted), as
 * vsnprintf() would write it; its length. */
static size_t format(char *out, const char *fmt, va_list ap)
{
	size_t n = 0;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			if (out)
				out[n] = *p;
			n++;
			continue;
		}
		p++;
		unsigned long long u;
		int neg = 0;
		switch (*p) {
		case '%':
			if (out)
				out[n] = '%';
			n++;
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t l = strlen(s);
			if (out)
				memcpy(out + n, s, l);
			n += l;
			continue;
		}
		case 'd': {
			int v = va_arg(ap, int);
			neg = v < 0;
			u = neg ? 0ULL - (unsigned long long)(long long)v : (unsigned long long)v;
			break;
		}
		case 'u':
			u = va_arg(ap, unsigned);
			break;
		case 'z':
			p++;
			u = va_arg(ap, size_t);
			break;
		default: /* "ll" */
			p += 2;
			if (*p == 'u') {
				u = va_arg(ap, unsigned long long);
			} else {
				long long v = va_arg(ap, long long);
				neg = v < 0;
				u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			}
			break;
		}
		if (neg) {
			if (out)
				out[n] = '-';
			n++;
		}
		n += digits(out ? out + n : NULL, u);
	}
	if (out)
		out[n] = 0;
	return n;
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
	/* −6 % instructions on /candidats/ID (bench/instr.sh, 2026-11-30) */
	if (simple_format(fmt)) {
		va_list cp;
		va_copy(cp, ap);
		size_t n = format(NULL, fmt, cp);
		va_end(cp);
		char *p = alloc_raw(a, n + 1);
		format(p, fmt, ap);
		return p;
	}
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return arena_strdup(a, "");
	char *p = alloc_raw(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t arena_used(const arena *a)
{
	return a->total;
}
