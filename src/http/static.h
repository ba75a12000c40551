/* static.h - embedded static assets (static/...), served with an ETag and a
 * one-year immutable cache; pages link them as /static/NAME?v=HASH so a new
 * build changes every URL. */
#ifndef CLR_STATIC_H
#define CLR_STATIC_H
#include <stddef.h>

struct static_file {
	const char *name; /* "app.css" */
	const unsigned char *data;
	size_t len;
	const char *content_type;
	char etag[24]; /* "\"<16 hex>\"" */
};

void static_init(void);
const struct static_file *static_find(const char *name);
/* "/static/NAME?v=HASH" (static storage). */
const char *static_url(const char *name);

#endif
