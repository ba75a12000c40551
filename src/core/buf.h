/* buf.h - growable string buffer (in the spirit of git's strbuf).
 *
 * Invariants: b->data is never NULL (it points to a static "" until the
 * first append) and is always NUL-terminated; b->len is the number of bytes
 * before that NUL.  A buf owns its heap memory: buf_free() releases it,
 * buf_detach() hands it to the caller (who must free() it).
 */
#ifndef CLR_BUF_H
#define CLR_BUF_H
#include <stddef.h>
#include <stdarg.h>
#include <string.h>

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;
} buf;

#define BUF_INIT { (char *)buf_empty, 0, 0 }
extern const char buf_empty[1];

void buf_init(buf *b);
void buf_free(buf *b);
char *buf_detach(buf *b, size_t *len);
void buf_reset(buf *b);
void buf_grow(buf *b, size_t extra);
void buf_add(buf *b, const void *data, size_t n);
void buf_adds(buf *b, const char *s);
void buf_addc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Appends s with HTML special characters (& < > " ') escaped. */
void buf_add_html(buf *b, const char *s);

/* buf_add() with its common case inline (the room is there): for the
 * template renderer's loop (docs/PERFORMANCE.md, run 7). */
static inline void buf_add_inline(buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		buf_add(b, data, n);
		return;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = 0;
}

#endif
