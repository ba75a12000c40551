/* fuzz/request.c - what the server makes of a request before any handler
 * runs: the request target (server.c's parse_uri(): percent-decoded path,
 * query string), the routing (route_match()), the cookies (server.c's
 * cookie_it() behind a Cookie header split as libmicrohttpd does), the
 * flash message read back from its cookie into every page (page_view(),
 * then the French error page rendered with it), a urlencoded form body
 * (kvs_parse_urlencoded(), req_form_all(), view_form()), the return
 * address of the login redirect, and the request's log line (completed()).
 * server.c is included, not linked, to reach its static functions.
 *
 * Input: the request line ("GET /candidats?q=x HTTP/1.1"), a line feed, the
 * Cookie header's value, a line feed, then the body.
 * Invariants beyond « no crash »:
 *   - a URI that parse_uri() accepts has a path starting with '/', valid
 *     UTF-8 without controls (utf8_valid()), without "/../" or '\';
 *   - every query and form key and value is valid UTF-8 (utf8_valid()),
 *     and there are no more of them than '&'-separated pieces;
 *   - a matched route captures at most 4 parameters, each a non-empty
 *     segment of the path without '/';
 *   - the login redirect's « suite » parameter decodes back to the path and
 *     query it was made from;
 *   - the flash message shown is valid UTF-8 of at most 200 characters (plus
 *     no-break spaces), the cookie is cleared, and the error page shows it
 *     HTML-escaped in its box.
 */
#include "fuzz.h"
#include "../src/http/server.c"
#include "core/tmpl.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_quiet(1);
	static_init();
	if (tmpl_init() != 0)
		abort();
	return 0;
}

static void check_kvs(const struct kvs *k, const char *src, size_t n)
{
	size_t pieces = 1;
	for (size_t i = 0; i < n; i++)
		pieces += src[i] == '&';
	FUZZ_CHECK((size_t)k->n <= pieces);
	for (int i = 0; i < k->n; i++) {
		FUZZ_CHECK(utf8_valid(k->v[i].key, strlen(k->v[i].key)));
		FUZZ_CHECK(utf8_valid(k->v[i].val, strlen(k->v[i].val)));
	}
}

/* The Cookie header cut into name=value pairs, as libmicrohttpd 0.9.75 does
 * it (pairs separated by ';', spaces around them dropped, a value may be
 * quoted), each handed to server.c's cookie_it(). */
static void cookies(struct req *r, char *h)
{
	char *p = h;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (!*p)
			break;
		char *end = strchr(p, ';');
		if (end)
			*end = 0;
		char *eq = strchr(p, '=');
		if (eq) {
			*eq = 0;
			char *v = eq + 1;
			size_t vl = strlen(v);
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				v[--vl] = 0;
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				v[vl - 1] = 0;
				v++;
			}
			cookie_it(r, MHD_COOKIE_KIND, p, v);
		} else {
			cookie_it(r, MHD_COOKIE_KIND, p, NULL);
		}
		if (!end)
			break;
		p = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[3];
	fuzz_split(data, size, '\n', 3, part);
	const char *body = part[2];
	size_t bl = size - (size_t)(part[2] - part[0]);
	if (part[2] == part[0] + size) /* fewer than three pieces */
		bl = 0;

	/* the request line: METHOD SP request-target SP version */
	char *line = part[0];
	char *sp = strchr(line, ' ');
	const char *method = "GET", *uri = line;
	if (sp) {
		*sp = 0;
		method = line;
		uri = sp + 1;
		char *sp2 = strchr(sp + 1, ' ');
		if (sp2)
			*sp2 = 0;
	}
	if (strlen(uri) > 8192) { /* libmicrohttpd's connection memory would refuse it */
		free(part[0]);
		return 0;
	}

	arena *a = arena_new();
	struct req *r = arena_alloc(a, sizeof *r);
	r->a = a;
	r->method = arena_strdup(a, method);
	r->is_post = strcmp(method, "POST") == 0;
	r->raw_uri = arena_strdup(a, *uri ? uri : "/");
	buf_init(&r->body);
	buf_init(&r->out);
	atomic_fetch_add(&in_flight, 1);

	if (parse_uri(r) == 0) {
		const char *path = r->path;
		FUZZ_CHECK(path[0] == '/');
		FUZZ_CHECK(utf8_valid(path, strlen(path)));
		FUZZ_CHECK(!strstr(path, "/../") && !strchr(path, '\\'));
		if (r->raw_query)
			check_kvs(&r->query, r->raw_query, strlen(r->raw_query));
		else
			FUZZ_CHECK(r->query.n == 0);

		int known = 0;
		const struct route *rt = route_match(r, strcmp(method, "HEAD") == 0 ? "GET" : method, path, &known);
		if (rt) {
			FUZZ_CHECK(r->nparams >= 0 && r->nparams <= 4);
			for (int i = 0; i < r->nparams; i++) {
				const char *p = req_param(r, i);
				FUZZ_CHECK(*p && !strchr(p, '/') && strstr(path, p));
				(void)req_param_id(r, i);
			}
		}

		/* the login redirect of a protected page, and its way back */
		const char *back = r->raw_query ? arena_printf(a, "%s?%s", r->path, r->raw_query) : r->path;
		const char *loc = arena_printf(a, "/connexion?suite=%s", url_encode(a, back));
		struct kvs q = {0};
		const char *qs = strchr(loc, '?') + 1;
		if (utf8_valid(back, strlen(back))) {
			FUZZ_CHECK(kvs_parse_urlencoded(a, &q, qs, strlen(qs)) == 0);
			FUZZ_CHECK(q.n == 1 && strcmp(kvs_get(&q, "suite"), back) == 0);
		}
	}

	/* cookies, and the flash message of every page */
	cookies(r, part[1]);
	for (int i = 0; i < r->cookies.n; i++)
		FUZZ_CHECK(r->cookies.v[i].key && r->cookies.v[i].val);
	const char *flash = req_cookie(r, "clr_flash");
	view *v = page_view(r, "Page introuvable");
	const struct vval *shown = view_get(v, "flash");
	if (shown) {
		FUZZ_CHECK(flash && *flash);
		FUZZ_CHECK(utf8_valid(shown->s, strlen(shown->s)));
		FUZZ_CHECK(utf8_len(shown->s) <= 200);
	}
	if (flash && *flash) {
		int cleared = 0;
		for (int i = 0; i < r->nheaders; i++)
			cleared |= strcmp(r->headers[i][0], "Set-Cookie") == 0 && str_starts(r->headers[i][1], "clr_flash=;");
		FUZZ_CHECK(cleared);
	}
	r->path = r->path ? r->path : "/";
	resp_error(r, 404);
	FUZZ_CHECK(r->status == 404 && r->out.len > 0);
	if (shown) { /* shown escaped in its box */
		buf want = BUF_INIT;
		buf_adds(&want, "role=\"status\">");
		buf_add_html(&want, shown->s);
		buf_adds(&want, "</div>");
		FUZZ_CHECK(strstr(r->out.data, want.data));
		buf_free(&want);
	}

	/* a urlencoded form body */
	if (kvs_parse_urlencoded(a, &r->form, body, bl) == 0) {
		check_kvs(&r->form, body, bl);
		const char **vals;
		int n = req_form_all(r, "csrf", &vals), want = 0;
		for (int i = 0; i < r->form.n; i++)
			want += strcmp(r->form.v[i].key, "csrf") == 0;
		FUZZ_CHECK(n == want);
		if (n)
			FUZZ_CHECK(vals[0] == req_form(r, "csrf"));
		static const char *const fields[] = {"email", "password", "last_name", "first_name", "birth_date", NULL};
		view *fv = view_new(a);
		view_form(fv, r, fields, NULL);
		for (int i = 0; fields[i]; i++)
			FUZZ_CHECK(view_get(fv, fields[i]) != NULL);
	} else {
		r->form.n = 0;
	}

	/* the log line; frees the request */
	completed(NULL, NULL, (void **)&r, MHD_REQUEST_TERMINATED_COMPLETED_OK);
	FUZZ_CHECK(r == NULL);
	free(part[0]);
	return 0;
}
