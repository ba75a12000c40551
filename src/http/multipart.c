/* multipart.c - strict multipart/form-data parsing (see multipart.h).
 * Only what browsers send: CRLF line ends, "--boundary" delimiters, part
 * headers Content-Disposition (form-data; name; filename) and Content-Type;
 * other part headers are ignored, a preamble and an epilogue are allowed. */
#include "http/multipart.h"
#include "core/err.h"
#include <string.h>
#include <strings.h>

const char *mp_boundary(arena *a, const char *ct)
{
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return NULL;
	const char *p = ct + 19;
	while (*p) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		const char *eq = strchr(p, '=');
		if (!eq)
			return NULL;
		size_t kl = (size_t)(eq - p);
		const char *v = eq + 1;
		const char *ve;
		const char *val;
		if (*v == '"') {
			ve = strchr(v + 1, '"');
			if (!ve)
				return NULL;
			val = arena_strndup(a, v + 1, (size_t)(ve - v - 1));
			ve++;
		} else {
			ve = v + strcspn(v, "; \t");
			val = arena_strndup(a, v, (size_t)(ve - v));
		}
		if (kl == 8 && strncasecmp(p, "boundary", 8) == 0) {
			size_t bl = strlen(val);
			return bl >= 1 && bl <= 70 ? val : NULL;
		}
		p = ve;
	}
	return NULL;
}

static const char *memfind(const char *h, size_t hl, const char *n, size_t nl)
{
	return memmem(h, hl, n, nl);
}

/* Value of parameter `key` in a Content-Disposition line, or NULL. */
static const char *disp_param(arena *a, const char *line, size_t len, const char *key)
{
	size_t kl = strlen(key);
	const char *p = line, *end = line + len;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		if (!semi)
			return NULL;
		p = semi + 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) > kl + 1 && strncasecmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1;
			if (v < end && *v == '"') {
				const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));
				if (!q)
					return NULL;
				return arena_strndup(a, v + 1, (size_t)(q - v - 1));
			}
			const char *q = v;
			while (q < end && *q != ';' && *q != ' ')
				q++;
			return arena_strndup(a, v, (size_t)(q - v));
		}
	}
	return NULL;
}

int mp_parse(arena *a, const char *content_type, const char *body, size_t n, struct mp_part **parts, int *nparts)
{
	*parts = NULL;
	*nparts = 0;
	const char *b = mp_boundary(a, content_type);
	if (!b || !body)
		return CLR_EINVAL;
	const char *delim = arena_printf(a, "\r\n--%s", b);
	size_t dl = strlen(delim);
	struct mp_part *out = arena_alloc(a, sizeof *out * MP_MAX_PARTS);
	int np = 0;
	/* the first delimiter may start the body (no preamble, no CRLF) */
	const char *p;
	if (n >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
		p = body + dl - 2;
	else {
		p = memfind(body, n, delim, dl);
		if (!p)
			return CLR_EINVAL;
		p += dl;
	}
	const char *end = body + n;
	for (;;) {
		/* after a delimiter: "--" (last) or CRLF (a part follows) */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return CLR_EINVAL;
		p += 2;
		if (np == MP_MAX_PARTS)
			return CLR_EINVAL;
		struct mp_part *part = &out[np];
		memset(part, 0, sizeof *part);
		int have_disp = 0;
		for (;;) { /* part headers */
			const char *eol = memfind(p, (size_t)(end - p), "\r\n", 2);
			if (!eol || eol - p > 1024)
				return CLR_EINVAL;
			size_t ll = (size_t)(eol - p);
			if (ll == 0) {
				p = eol + 2;
				break;
			}
			const char *colon = memchr(p, ':', ll);
			if (!colon)
				return CLR_EINVAL;
			size_t kl = (size_t)(colon - p);
			const char *v = colon + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (kl == 19 && strncasecmp(p, "Content-Disposition", 19) == 0) {
				if ((size_t)(eol - v) < 9 || strncasecmp(v, "form-data", 9) != 0)
					return CLR_EINVAL;
				part->name = disp_param(a, v, (size_t)(eol - v), "name");
				part->filename = disp_param(a, v, (size_t)(eol - v), "filename");
				have_disp = 1;
			} else if (kl == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
				part->content_type = arena_strndup(a, v, (size_t)(eol - v));
			}
			p = eol + 2;
		}
		if (!have_disp || !part->name || !*part->name)
			return CLR_EINVAL;
		const char *next = memfind(p, (size_t)(end - p), delim, dl);
		if (!next)
			return CLR_EINVAL;
		part->data = p;
		part->len = (size_t)(next - p);
		np++;
		p = next + dl;
	}
	*parts = out;
	*nparts = np;
	return 0;
}

const struct mp_part *mp_find(const struct mp_part *parts, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}
