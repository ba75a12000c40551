/* multipart.h - a small, strict multipart/form-data parser (RFC 7578) for
 * file uploads.
 *
 * The whole body is in memory or mapped from the file it was spooled to
 * (server.c caps it at 10 MiB for R_UPLOAD routes, for logged-in users of
 * their role).  Parts are returned in order, their data pointing into the body
 * (not copied, not NUL-terminated); names and filenames are arena-owned.
 * Anything unexpected - no boundary, a part without a Content-Disposition
 * form-data name, a missing closing delimiter, more than MP_MAX_PARTS parts,
 * header lines longer than 1 KiB - makes the whole body CLR_EINVAL.
 */
#ifndef CLR_MULTIPART_H
#define CLR_MULTIPART_H
#include <stddef.h>
#include "core/arena.h"

#define MP_MAX_PARTS 32

struct mp_part {
	const char *name;         /* form field name */
	const char *filename;     /* NULL for a plain field */
	const char *content_type; /* NULL if not given */
	const char *data;         /* points into the body */
	size_t len;
};

/* The boundary parameter of a multipart/form-data Content-Type, or NULL. */
const char *mp_boundary(arena *a, const char *content_type);
/* Parses body[0..n).  0 with the parts and their count, or CLR_EINVAL. */
int mp_parse(arena *a, const char *content_type, const char *body, size_t n, struct mp_part **parts, int *nparts);
/* The first part named `name`, or NULL. */
const struct mp_part *mp_find(const struct mp_part *parts, int n, const char *name);

#endif
