/* fuzz/multipart.c - the multipart/form-data parser of uploads
 * (src/http/multipart.c: mp_boundary(), mp_parse(), mp_find()) and what the
 * server does with its parts (plain fields into the form, req_file()).
 *
 * Input: the Content-Type header value, a line feed, then the body (binary,
 * as received: CRLF line ends, NUL bytes allowed).
 * Invariants beyond « no crash »:
 *   - mp_boundary(): NULL, or 1 to 70 bytes;
 *   - mp_parse() succeeds only with a boundary; then 0 to MP_MAX_PARTS
 *     parts, each with a non-empty name, its data inside the body, after
 *     the previous part's, never containing the delimiter CRLF "--"
 *     boundary, and immediately followed by that delimiter;
 *   - on failure, no parts are returned;
 *   - mp_find() and req_file() find the first part of a name (req_file():
 *     the first with a filename).
 */
#include "fuzz.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/text.h"
#include "http/multipart.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctl = nl ? (size_t)(nl - data) : size;
	char *ct = fuzz_strndup(data, ctl);
	size_t bl = nl ? size - ctl - 1 : 0;
	/* the body in its own allocation: ASan sees any read past its end */
	char *body = malloc(bl ? bl : 1);
	if (bl)
		memcpy(body, nl + 1, bl);
	arena *a = arena_new();

	const char *b = mp_boundary(a, ct);
	if (b)
		FUZZ_CHECK(strlen(b) >= 1 && strlen(b) <= 70);
	struct mp_part *parts = (struct mp_part *)1;
	int np = -1;
	int rc = mp_parse(a, ct, body, bl, &parts, &np);
	if (rc == 0) {
		FUZZ_CHECK(b != NULL);
		FUZZ_CHECK(np >= 0 && np <= MP_MAX_PARTS && parts != NULL);
		char *delim = malloc(strlen(b) + 5);
		size_t dl = (size_t)sprintf(delim, "\r\n--%s", b);
		const char *prev_end = body;
		struct req r = {.a = a, .parts = parts, .nparts = np};
		for (int i = 0; i < np; i++) {
			const struct mp_part *p = &parts[i];
			FUZZ_CHECK(p->name && *p->name);
			FUZZ_CHECK(p->data >= prev_end && p->data + p->len <= body + bl);
			FUZZ_CHECK(!memmem(p->data, p->len, delim, dl));
			FUZZ_CHECK((size_t)(body + bl - (p->data + p->len)) >= dl &&
				   memcmp(p->data + p->len, delim, dl) == 0);
			prev_end = p->data + p->len;
			const struct mp_part *f = mp_find(parts, np, p->name);
			FUZZ_CHECK(f && f <= p && strcmp(f->name, p->name) == 0);
			const struct mp_part *file = req_file(&r, p->name);
			if (p->filename)
				FUZZ_CHECK(file && file <= p && file->filename);
			/* what dispatch() does with the plain fields */
			if (!p->filename && p->len < 4096 && utf8_valid(p->data, p->len))
				FUZZ_CHECK(str_clean(a, arena_strndup(a, p->data, p->len)) != NULL);
		}
		free(delim);
	} else {
		FUZZ_CHECK(rc == CLR_EINVAL && parts == NULL && np == 0);
	}

	arena_free(a);
	free(body);
	free(ct);
	return 0;
}
