/* test_multipart.c - the strict multipart/form-data parser of uploads
 * (http/multipart.c): boundaries, fields and files, binary data, and every
 * malformed body refused. */
#include "test.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/buf.h"
#include "http/multipart.h"
#include "http/request.h"
#include <string.h>

#define CT "multipart/form-data; boundary=----XyZ"

TEST(multipart_boundary)
{
	arena *a = arena_new();
	CHECK_STR(mp_boundary(a, CT), "----XyZ");
	CHECK_STR(mp_boundary(a, "multipart/form-data; charset=utf-8; boundary=\"a b\""), "a b");
	CHECK(mp_boundary(a, "multipart/form-data") == NULL);
	CHECK(mp_boundary(a, "application/x-www-form-urlencoded; boundary=x") == NULL);
	CHECK(mp_boundary(a, NULL) == NULL);
	arena_free(a);
}

TEST(multipart_fields_and_file)
{
	arena *a = arena_new();
	const char body[] = "------XyZ\r\n"
			    "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
			    "tok123\r\n"
			    "------XyZ\r\n"
			    "Content-Disposition: form-data; name=\"fichier\"; filename=\"liste élèves.csv\"\r\n"
			    "Content-Type: text/csv\r\n\r\n"
			    "Nom;Pr\xE9nom\r\n\0bin\r\n--not-a-boundary\r\n"
			    "\r\n------XyZ--\r\n";
	struct mp_part *p;
	int n;
	CHECK_INT(mp_parse(a, CT, body, sizeof body - 1, &p, &n), 0);
	CHECK_INT(n, 2);
	CHECK_STR(p[0].name, "csrf");
	CHECK(p[0].filename == NULL);
	CHECK_INT(p[0].len, 6);
	CHECK(memcmp(p[0].data, "tok123", 6) == 0);
	const struct mp_part *f = mp_find(p, n, "fichier");
	CHECK(f != NULL);
	CHECK_STR(f->filename, "liste élèves.csv");
	CHECK_STR(f->content_type, "text/csv");
	const char want[] = "Nom;Pr\xE9nom\r\n\0bin\r\n--not-a-boundary\r\n";
	CHECK_INT(f->len, sizeof want - 1);
	CHECK(f->len == sizeof want - 1 && memcmp(f->data, want, f->len) == 0);
	CHECK(mp_find(p, n, "autre") == NULL);
	/* handlers read them from the request, parsed once by the server */
	struct req r = {.a = a, .parts = p, .nparts = n};
	CHECK(req_file(&r, "fichier") == f);
	CHECK(req_file(&r, "csrf") == NULL); /* a plain field: req_form()'s */
	CHECK(req_file(&r, "autre") == NULL);
	struct req plain = {.a = a};
	CHECK(req_file(&plain, "fichier") == NULL);
	arena_free(a);
}

TEST(multipart_preamble_and_empty_file)
{
	arena *a = arena_new();
	const char body[] = "preamble\r\n------XyZ\r\n"
			    "Content-Disposition: form-data; name=\"fichier\"; filename=\"\"\r\n\r\n"
			    "\r\n------XyZ--";
	struct mp_part *p;
	int n;
	CHECK_INT(mp_parse(a, CT, body, sizeof body - 1, &p, &n), 0);
	CHECK_INT(n, 1);
	CHECK_STR(p[0].filename, "");
	CHECK_INT(p[0].len, 0);
	arena_free(a);
}

TEST(multipart_malformed)
{
	arena *a = arena_new();
	struct mp_part *p;
	int n;
	static const char *const bad[] = {
		/* no closing delimiter */
		"------XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
		/* no Content-Disposition */
		"------XyZ\r\nContent-Type: text/plain\r\n\r\nvalue\r\n------XyZ--",
		/* not form-data */
		"------XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n------XyZ--",
		/* no name */
		"------XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n------XyZ--",
		/* header line without a colon */
		"------XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nbroken\r\n\r\nv\r\n------XyZ--",
		/* no delimiter at all */
		"hello",
		/* garbage after a delimiter */
		"------XyZxx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n------XyZ--",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = mp_parse(a, CT, bad[i], strlen(bad[i]), &p, &n);
		if (rc != CLR_EINVAL)
			fprintf(stderr, "  case %zu accepted\n", i);
		CHECK_INT(rc, CLR_EINVAL);
	}
	CHECK_INT(mp_parse(a, "text/plain", "x", 1, &p, &n), CLR_EINVAL);
	/* too many parts */
	buf b = BUF_INIT;
	for (int i = 0; i < MP_MAX_PARTS + 1; i++)
		buf_printf(&b, "------XyZ\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
	buf_adds(&b, "------XyZ--");
	CHECK_INT(mp_parse(a, CT, b.data, b.len, &p, &n), CLR_EINVAL);
	buf_free(&b);
	arena_free(a);
}
