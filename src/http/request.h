/* request.h - one HTTP exchange as handlers see it: the parsed request and
 * the response being built.
 *
 * Everything hanging off a struct req is arena-owned (r->a) and lives until
 * the request completes.  Handlers read input with req_query/req_form/
 * req_param (and req_file for uploads), call a domain function, then answer
 * with one of the resp_* functions; they return 0, or a negative code to
 * get the French 500 page.
 */
#ifndef CLR_REQUEST_H
#define CLR_REQUEST_H
#include <stddef.h>
#include "core/arena.h"
#include "core/buf.h"
#include "core/view.h"
#include "core/validate.h"
#include "domain/session.h"

struct kv {
	const char *key;
	const char *val;
};

struct kvs {
	struct kv *v;
	int n, cap;
};

struct mp_part; /* http/multipart.h */

#define RESP_MAX_HEADERS 12

struct req {
	arena *a;
	void *conn; /* struct MHD_Connection * */
	const char *method;
	int is_post;
	const char *raw_uri; /* as received */
	const char *path;    /* percent-decoded, valid UTF-8 */
	const char *raw_query;
	const char *ip;
	int tls;
	struct kvs query, form, cookies;
	const struct mp_part *parts; /* a multipart body's, parsed once by the server */
	int nparts;
	const char *params[4]; /* captured {x} path segments */
	int nparams;
	const char *content_type;
	buf body;                /* raw request body (POST); past SPOOL_THRESHOLD (server.c) it
				  * is spooled to an unlinked file and, at dispatch, body.data
				  * points into its read-only mapping (NUL-terminated too) */
	size_t body_limit;
	int body_too_large;
	size_t body_seen;  /* bytes of body received (spooled or not) */
	int spool_fd;      /* -1, or the unlinked temporary file holding the body */
	int spool_kind;    /* 0: none, 1: a form's spool slot, 2: an upload's */
	int spool_busy;    /* no spool slot or disk: answered 503, body dropped */
	int refuse_status; /* an upload refused on its headers (403...): body read, dropped */
	void *body_map;    /* the spool's mapping at dispatch (munmap()ed by the server) */
	size_t body_map_len;
	const struct route *route;
	db *db;               /* this thread's connection (set before any handler but static files) */
	unsigned long db_trips; /* its round trips for this request (db_trips(), logged) */
	struct session *sess; /* NULL when anonymous */
	int no_defer;         /* load the session with its own round trip (answering again) */

	struct cand_session *cand; /* a logged-in candidate (clr_cand cookie), else NULL */
	const char *csrf;     /* token to embed in this response's forms */
	const char *flash;    /* one-shot message from the previous POST */
	double t0;            /* mono_ms() at arrival */
	const char *log_note;  /* appended to the request's log line, e.g. "list=index" */
	int is_api;            /* under /api/: every answer, errors too, is JSON */
	long long api_key_id;  /* R_API routes: the id of the key that authenticated the request */
	char request_id[17];   /* sent back as X-Request-Id and logged (req=) */

	/* response */
	int status;
	const char *content_type_out;
	buf out;
	const unsigned char *out_static; /* body not owned (static files) */
	size_t out_static_len;
	const char *headers[RESP_MAX_HEADERS][2];
	int nheaders;
	int is_html;
	int responded;
};

/* Input */
const char *req_query(const struct req *r, const char *name);
const char *req_form(const struct req *r, const char *name);
/* All values of a repeated form field; returns their count. */
int req_form_all(const struct req *r, const char *name, const char ***out);
/* The file part named NAME of a multipart/form-data body (R_UPLOAD routes:
 * the server parses the body once; its plain fields are in req_form()):
 * filename, content type and bytes, which point into the body and are not
 * NUL-terminated (struct mp_part, http/multipart.h).  NULL if the body is
 * not multipart or has no part of that name with a filename. */
const struct mp_part *req_file(const struct req *r, const char *name);
/* A cookie of ours by its name ("clr_session"): over https the browser sends
 * it as "__Host-clr_session" (resp_cookie() names it so), and only that
 * name is read. */
const char *req_cookie(const struct req *r, const char *name);
const char *req_param(const struct req *r, int i);
long long req_param_id(const struct req *r, int i); /* 0 if not a positive integer */
const char *req_header(const struct req *r, const char *name);

/* Parsing (request.c) - return 0 or CLR_EINVAL (malformed). */
int kvs_parse_urlencoded(arena *a, struct kvs *out, const char *s, size_t n);
void kvs_add(arena *a, struct kvs *k, const char *key, const char *val);
const char *kvs_get(const struct kvs *k, const char *key);

/* Response */
/* Forgets everything of the response built so far (status, headers,
 * cookies, body), to answer again. */
void resp_reset(struct req *r);
void resp_header(struct req *r, const char *name, const char *value);
/* Set-Cookie NAME=VALUE; Path=/; HttpOnly; SameSite=Lax, and over https
 * (behind CLR_BEHIND_TLS) the name prefixed with __Host- and Secure;
 * max_age < 0: a browser-session cookie, 0: deleted. */
void resp_cookie(struct req *r, const char *name, const char *value, int max_age);
/* 303 See Other; `flash` (may be NULL) is shown once on the next page. */
int resp_redirect(struct req *r, const char *location, const char *flash);
int resp_text(struct req *r, int status, const char *content_type, const char *body);
/* 200 with data[0..n) as a file to save (Content-Disposition: attachment;
 * filename, ASCII), not cached (personal data). */
int resp_download(struct req *r, const char *content_type, const char *filename, const void *data, size_t n);
/* Renders template `tmpl` inside the shell chosen by the session
 * (administrator, staff or public) with view v. */
int resp_page(struct req *r, int status, const char *tmpl, view *v);
/* The same inside another shell: `layout` (the candidate's space:
 * "candidate/layout"). */
int resp_page_in(struct req *r, int status, const char *layout, const char *tmpl, view *v);
/* Renders template `tmpl` alone (an HTML fragment: live list updates). */
int resp_part(struct req *r, int status, const char *tmpl, view *v);
/* French error page for 400, 403, 404, 405, 413, 429, 500 (under /api/:
 * the JSON error of resp_api_error() instead). */
int resp_error(struct req *r, int status);
/* 503 « Service momentanément indisponible » with Retry-After: RETRY_S and
 * the French page saying msg (under /api/: the JSON error « surcharge »):
 * the server's answers to more than it takes (too many connections from an
 * address, uploads past their budget), as opposed to resp_error(r, 503),
 * whose page speaks of the database. */
int resp_busy(struct req *r, const char *msg, int retry_s);
/* JSON answer (the results API): json is the whole body, UTF-8; sent with
 * Cache-Control: no-store. */
int resp_json(struct req *r, int status, const char *json);
/* The API's error body {"error": code, "message": msg}: code a stable
 * machine word, msg French (French typography is applied here). */
int resp_api_error(struct req *r, int status, const char *code, const char *msg);
/* A view pre-filled with what every page needs (csrf, session, flash). */
view *page_view(struct req *r, const char *title);
/* Puts a form's submitted values and its errors into v: for each field f,
 * "f" = submitted value (if none: its value in v, else "") and "f_error" =
 * message; "has_errors" if any.  e may be NULL: a form not submitted yet. */
void view_form(view *v, const struct req *r, const char *const *fields, const struct errs *e);
/* Sets each of fields to "": a form shown empty beside the one submitted. */
void view_blank(view *v, const char *const *fields);

/* Client address and the connection's security, as the server saw them:
 * r->ip is the socket's peer or, when that peer is a trusted proxy, the
 * rightmost address of X-Forwarded-For that is not a trusted proxy. */
void req_client_info(struct req *r);
/* Reads the trusted proxies from CLR_TRUSTED_PROXIES (addresses or CIDR
 * blocks, IPv4 or IPv6, separated by commas or spaces; none by default).
 * Call once before the server's threads start.  0, or CLR_EINVAL with a
 * message in err. */
int req_trusted_proxies_init(char *err, size_t errlen);
/* 1 when sa (a socket's peer, AF_INET or AF_INET6) is one of
 * CLR_TRUSTED_PROXIES: its connections carry many clients. */
struct sockaddr;
int req_addr_trusted(const struct sockaddr *sa);
/* Whether the address IP is one of LIST (addresses or CIDR blocks, IPv4 or
 * IPv6, separated by commas or spaces): 1 or 0; -1 when LIST is malformed. */
int req_ip_in(const char *ip, const char *list);

#endif
