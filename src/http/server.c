/* server.c - libmicrohttpd glue: one struct req per request, body
 * accumulation with limits, strict URI parsing, routing, authentication and
 * CSRF checks (a session for pages, an API key for R_API routes), security
 * headers, one log line per request, and a graceful stop on SIGINT/SIGTERM.
 *
 * Life of a request: uri_log() creates the req and its arena as soon as the
 * request line is read; on_request() is called once with the headers, then
 * once per body chunk, then a last time to dispatch; completed() logs and
 * frees everything.
 */
#include "http/server.h"
#include "http/routes.h"
#include "http/metrics.h"
#include "http/multipart.h"
#include "http/static.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/api_key.h"
#include "domain/session.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ANON_CSRF_COOKIE "clr_pre"

static const char CSP[] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/* The raw request URI is kept per TCP connection: uri_log() runs before
 * libmicrohttpd has parsed the request, and MHD may give up on a request
 * (for instance when its headers overflow the connection's memory pool)
 * without ever calling on_request() or completed().  Anything allocated
 * per request before on_request() would then leak; the connection context
 * is always freed when the connection closes. */
struct conn_ctx {
	char *uri;
};

static void conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	metrics_connection(toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct conn_ctx));
	} else if (*socket_context) {
		struct conn_ctx *c = *socket_context;
		free(c->uri);
		free(c);
		*socket_context = NULL;
	}
}

static struct conn_ctx *conn_ctx_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct conn_ctx *c = conn_ctx_of(conn);
	if (c) {
		free(c->uri);
		c->uri = strdup(uri ? uri : "/");
	}
	return NULL;
}

/* Requests between their first on_request() call and completed(): a
 * graceful stop waits for these, not for idle keep-alive connections. */
static atomic_int in_flight;

static struct req *req_new(struct MHD_Connection *conn)
{
	arena *a = arena_new();
	struct req *r = arena_alloc(a, sizeof *r);
	struct conn_ctx *c = conn_ctx_of(conn);
	r->a = a;
	r->conn = conn;
	r->raw_uri = arena_strdup(a, c && c->uri ? c->uri : "/");
	r->t0 = mono_ms();
	buf_init(&r->body);
	buf_init(&r->out);
	r->body_limit = FORM_BODY_LIMIT;
	atomic_fetch_add(&in_flight, 1);
	metrics_request_start();
	metrics_request_id(r->request_id);
	return r;
}

static void completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;
	if (!r)
		return;
	/* log the path without the query string (which may hold personal data) */
	const char *q = strchr(r->raw_uri, '?');
	size_t plen = q ? (size_t)(q - r->raw_uri) : strlen(r->raw_uri);
	char path[256];
	size_t k = 0;
	for (size_t i = 0; i < plen && k < sizeof path - 1; i++) {
		unsigned char c = (unsigned char)r->raw_uri[i];
		path[k++] = (c <= ' ' || c == '"' || c >= 0x7f) ? '?' : (char)c;
	}
	path[k] = 0;
	double ms = mono_ms() - r->t0;
	metrics_request_end(r, ms);
	/* who by ids only, never an e-mail or a name */
	const char *note = r->log_note ? r->log_note : "", *sp = r->log_note ? " " : "",
		   *ab = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1", *m = r->method ? r->method : "?";
	if (r->sess)
		log_info("method=%s path=%s status=%d dur_ms=%.2f%s%s db_trips=%lu req=%s user=%lld org=%lld%s", m, path,
			 r->status, ms, sp, note, r->db_trips, r->request_id, r->sess->user_id, r->sess->org_id, ab);
	else
		log_info("method=%s path=%s status=%d dur_ms=%.2f%s%s db_trips=%lu req=%s%s", m, path, r->status, ms, sp,
			 note, r->db_trips, r->request_id, ab);
	buf_free(&r->body);
	buf_free(&r->out);
	arena_free(r->a);
	*req_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

static enum MHD_Result cookie_it(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct req *r = cls;
	if (key && value)
		kvs_add(r->a, &r->cookies, arena_strdup(r->a, key), arena_strdup(r->a, value));
	return MHD_YES;
}

/* Splits raw_uri into a decoded path and a parsed query; CLR_EINVAL when
 * either is malformed. */
static int parse_uri(struct req *r)
{
	const char *u = r->raw_uri;
	const char *q = strchr(u, '?');
	size_t plen = q ? (size_t)(q - u) : strlen(u);
	if (plen == 0 || u[0] != '/')
		return CLR_EINVAL;
	char *path = url_decode(r->a, u, plen, 0);
	if (!path || strstr(path, "/../") || strchr(path, '\\'))
		return CLR_EINVAL;
	r->path = path;
	if (q) {
		r->raw_query = q + 1;
		if (kvs_parse_urlencoded(r->a, &r->query, q + 1, strlen(q + 1)))
			return CLR_EINVAL;
	}
	return 0;
}

static void add_security_headers(struct req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	if (r->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (r->is_html) {
		MHD_add_response_header(resp, "Content-Security-Policy", CSP);
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	}
}

static enum MHD_Result send_response(struct req *r)
{
	struct MHD_Response *resp;
	if (r->out_static)
		resp = MHD_create_response_from_buffer(r->out_static_len, (void *)r->out_static,
						       MHD_RESPMEM_PERSISTENT);
	else { /* the page's buffer is handed over, not copied; MHD free()s it */
		size_t len;
		char *body = buf_detach(&r->out, &len);
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			free(body);
	}
	if (!resp)
		return MHD_NO;
	if (r->content_type_out)
		MHD_add_response_header(resp, "Content-Type", r->content_type_out);
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
	add_security_headers(r, resp);
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	if (!r->status)
		r->status = 500;
	enum MHD_Result ret = MHD_queue_response((struct MHD_Connection *)r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The anonymous CSRF token lives in a cookie (double submit); a logged-in
 * user's is stored with the session. */
static void setup_csrf(struct req *r)
{
	if (r->cand && r->route && (r->route->flags & R_CANDIDATE)) { /* the candidate's space */
		r->csrf = r->cand->csrf;
		return;
	}
	if (r->sess) {
		r->csrf = r->sess->csrf;
		return;
	}
	const char *pre = req_cookie(r, ANON_CSRF_COOKIE);
	if (pre && strlen(pre) == TOKEN_LEN) {
		r->csrf = pre;
		return;
	}
	char *tok = arena_alloc(r->a, TOKEN_LEN + 1);
	token_new(tok);
	r->csrf = tok;
	if (!r->is_post)
		resp_cookie(r, ANON_CSRF_COOKIE, tok, -1);
}

static int load_session(struct req *r)
{
	r->db = db_thread();
	if (!r->db)
		return CLR_EUNAVAIL;
	if (!r->is_post)
		db_read_begin(r->db); /* the request's reads from one snapshot, until db_read_end() below */
	const char *tok = req_cookie(r, SESSION_COOKIE);
	if (!tok || strlen(tok) != TOKEN_LEN)
		return 0;
	db *d = r->db;
	struct session *s = arena_alloc(r->a, sizeof *s);
	/* a read by a session this thread knows: no round trip of its own, its
	 * row read again with the page's first statement (session_settle()
	 * after the handler, in run_route()) */
	int rc = r->is_post || r->no_defer ? CLR_ENOTFOUND : session_load_deferred(d, r->a, tok, s);
	if (rc == CLR_ENOTFOUND)
		rc = session_load(d, r->a, tok, s);
	if (rc == 0)
		r->sess = s;
	else if (rc != CLR_ENOTFOUND)
		return rc;
	return 0;
}

/* A candidate's session (session.h): its own cookie, its own table. */
static int load_cand_session(struct req *r)
{
	const char *tok = req_cookie(r, CAND_SESSION_COOKIE);
	if (!tok || strlen(tok) != TOKEN_LEN)
		return 0;
	struct cand_session *s = arena_alloc(r->a, sizeof *s);
	int rc = cand_session_load(r->db, r->a, tok, s);
	if (rc == 0)
		r->cand = s;
	else if (rc != CLR_ENOTFOUND)
		return rc;
	return 0;
}

/* After the handler: its answer, or the error page its code calls for. */
static void handled(struct req *r, int rc)
{
	if (rc == 0 && r->responded)
		return;
	if (r->db && db_in_tx(r->db))
		db_rollback(r->db);
	if (rc == CLR_ESTALE && r->sess && r->sess->deferred)
		return; /* the session was not as assumed: run_route() answers again */
	/* "no such object (or not this organisation's)" and "not allowed"
	 * are answers, not failures: handlers just return the code */
	if (rc == CLR_ENOTFOUND || rc == CLR_EFORBIDDEN) {
		resp_error(r, rc == CLR_ENOTFOUND ? 404 : 403);
		return;
	}
	log_error("msg=\"handler failed\" path=%s rc=%d (%s)", r->path, rc, clr_strerror(rc));
	resp_error(r, rc == CLR_EUNAVAIL ? 503 : 500); /* 503: storage unreachable, full or read-only (db.h) */
}

/* The key of "Authorization: Bearer KEY" (scheme in any case), or NULL. */
static const char *bearer(struct req *r)
{
	const char *h = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
		return NULL;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	size_t n = strlen(h);
	while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	return n ? arena_strndup(r->a, h, n) : NULL;
}

/* R_API routes: the API key checked (by its hash, api_key.h), its id in
 * r->api_key_id and in the log line (never the key itself), then the
 * handler.  No session cookie is read and no CSRF token is asked: nothing
 * here acts with a browser's credentials. */
static void api_dispatch(struct req *r, const struct route *rt)
{
	r->db = db_thread();
	if (!r->db) {
		resp_error(r, 500);
		return;
	}
	enum api_key_check st;
	long long id;
	int rc = api_key_check(r->db, r->a, bearer(r), &st, &id);
	if (rc) {
		log_error("msg=\"api key check failed\" rc=%d (%s)", rc, clr_strerror(rc));
		resp_error(r, 500);
		return;
	}
	r->log_note = id ? arena_printf(r->a, "api_key=%lld", id) : "api_key=none";
	if (st != API_KEY_OK) {
		if (st == API_KEY_MISSING)
			resp_api_error(r, 401, "cle_absente",
				       "Clé d'API absente : envoyez l'en-tête « Authorization: Bearer <clé> » avec la clé "
				       "donnée par le service Certification Le Robert.");
		else if (st == API_KEY_REVOKED)
			resp_api_error(r, 401, "cle_revoquee",
				       "Cette clé d'API a été révoquée : demandez une nouvelle clé au service Certification "
				       "Le Robert.");
		else
			resp_api_error(r, 401, "cle_invalide",
				       "Clé d'API invalide : vérifiez la clé envoyée dans l'en-tête Authorization.");
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"clr-api\"");
		return;
	}
	r->api_key_id = id;
	handled(r, rt->fn(r));
}

static void run_route(struct req *r, const struct route *rt);
static void authorise_and_handle(struct req *r, const struct route *rt);

static void dispatch(struct req *r)
{
	if (parse_uri(r)) {
		resp_error(r, 400);
		return;
	}
	if (r->body_too_large) {
		resp_error(r, 413);
		return;
	}
	MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_COOKIE_KIND, cookie_it, r);
	r->content_type = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (r->is_post && r->content_type && !r->is_api &&
	    strncasecmp(r->content_type, "application/x-www-form-urlencoded", 33) == 0 &&
	    kvs_parse_urlencoded(r->a, &r->form, r->body.data, r->body.len)) {
		resp_error(r, 400);
		return;
	}
	int path_known = 0;
	const char *method = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;
	const struct route *rt = route_match(r, method, r->path, &path_known);
	if (!rt) {
		resp_error(r, path_known ? 405 : 404);
		return;
	}
	r->route = rt;
	if (rt->flags & R_API) {
		api_dispatch(r, rt); /* no session, no CSRF, no form: the key, then the handler */
		return;
	}
	if (r->is_post && r->content_type && strncasecmp(r->content_type, "multipart/form-data", 19) == 0) {
		/* uploads: parsed once here; the plain fields (csrf...) go to
		 * r->form, the handler reads the files with req_file() */
		struct mp_part *parts;
		int np;
		if (!(rt->flags & R_UPLOAD)) {
			resp_error(r, r->body.len > FORM_BODY_LIMIT ? 413 : 400);
			return;
		}
		if (mp_parse(r->a, r->content_type, r->body.data, r->body.len, &parts, &np)) {
			resp_error(r, 400);
			return;
		}
		for (int i = 0; i < np; i++)
			if (!parts[i].filename && parts[i].len < 4096 && utf8_valid(parts[i].data, parts[i].len))
				kvs_add(r->a, &r->form, parts[i].name, arena_strndup(r->a, parts[i].data, parts[i].len));
		r->parts = parts;
		r->nparts = np;
	}
	if (rt->fn && (rt->flags & R_ROLES) == 0 && strncmp(r->path, "/static/", 8) == 0) {
		handled(r, rt->fn(r)); /* static assets: no session, no database */
		return;
	}
	run_route(r, rt);
}

/* The route's answer with the session loaded: authorisation, CSRF, the
 * handler.  When the session was answered from this thread's memory and
 * its row, read again with the handler's first statement, says otherwise
 * (logged out, expired, its user changed), the answer is thrown away and
 * given again after a plain session_load(). */
static void run_route(struct req *r, const struct route *rt)
{
	int rc = load_session(r);
	if (rc == 0)
		rc = load_cand_session(r);
	if (rc) {
		handled(r, rc);
		return;
	}
	authorise_and_handle(r, rt);
	if (r->sess && r->sess->deferred && session_settle(r->db, r->a, r->sess) < 0) {
		if (r->db && db_in_tx(r->db))
			db_rollback(r->db);
		resp_reset(r);
		r->sess = NULL;
		r->no_defer = 1;
		rc = load_session(r);
		if (rc) {
			handled(r, rc);
			return;
		}
		authorise_and_handle(r, rt);
	}
}

static void authorise_and_handle(struct req *r, const struct route *rt)
{
	setup_csrf(r);
	if (rt->flags & R_CANDIDATE) { /* the candidate's space: a candidate's session, nothing else */
		if (!r->cand) {
			if (r->is_post) {
				resp_error(r, 403);
			} else {
				const char *back = r->raw_query ? arena_printf(r->a, "%s?%s", r->path, r->raw_query) : r->path;
				resp_redirect(r, arena_printf(r->a, "/candidat/connexion?suite=%s", url_encode(r->a, back)),
					      NULL);
			}
			return;
		}
	}
	if (rt->flags & R_ROLES) {
		if (!r->sess) {
			if (r->is_post) {
				resp_error(r, 403);
			} else {
				const char *back = r->raw_query ? arena_printf(r->a, "%s?%s", r->path, r->raw_query) : r->path;
				resp_redirect(r, arena_printf(r->a, "/connexion?suite=%s", url_encode(r->a, back)), NULL);
			}
			return;
		}
		int role = r->sess->is_staff ? R_STAFF : r->sess->is_proctor ? R_PROCTOR : R_ADMIN;
		if (!(rt->flags & (R_USER | role))) { /* the one place where roles are enforced (routes.h) */
			resp_error(r, 403);
			return;
		}
	}
	if (r->is_post && !(rt->flags & R_NOCSRF)) {
		const char *sent = req_form(r, "csrf");
		if (!sent)
			sent = req_header(r, "X-CSRF-Token");
		if (!secure_eq(sent, r->csrf)) {
			log_warn("msg=\"csrf refused\" path=%s", r->path);
			resp_error(r, 403);
			return;
		}
	}
	handled(r, rt->fn(r));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	struct req *r = *req_cls;
	if (!r) { /* first call: headers only */
		r = *req_cls = req_new(conn);
		r->method = arena_strdup(r->a, method);
		r->is_post = strcmp(method, "POST") == 0;
		req_client_info(r);
		const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0)
			r->body_limit = UPLOAD_BODY_LIMIT;
		/* under /api/ every answer is JSON; an R_API route's body is small */
		r->is_api = url && strncmp(url, "/api/", 5) == 0;
		int known;
		const struct route *rt = r->is_api ? route_match(NULL, r->is_post ? "POST" : "GET", url, &known) : NULL;
		if (rt && (rt->flags & R_API))
			r->body_limit = API_BODY_LIMIT;
		const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > r->body_limit) {
			r->body_too_large = 1;
			resp_error(r, 413);
			return send_response(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (r->body.len + *upload_data_size > r->body_limit)
			r->body_too_large = 1;
		else
			buf_add(&r->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->responded && r->body_too_large)
		return MHD_YES; /* already answered 413 */
	unsigned long trips0 = db_thread_trips();
	dispatch(r);
	if (r->db) {
		db_read_end(r->db);
		r->db_trips = db_trips(r->db) - trips0;
	}
	return send_response(r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	log_warn("msg=\"mhd: %s\"", msg);
}

/* The cores this process may run on (its CPU affinity, as `nproc` counts
 * them), not the machine's: two worker threads pinned to one core
 * (`taskset -c 0`, a container's cpuset) only take turns on it and lengthen
 * every request's wait (docs/PERFORMANCE.md, change 17). */
static int usable_cores(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

int server_run(const struct server_opts *o)
{
	static_init();
	int threads = o->threads > 0 ? o->threads : usable_cores();
	if (threads < 1)
		threads = 1;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	int v6 = strchr(o->listen, ':') != NULL;
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET6, o->listen, &s6->sin6_addr) != 1)
			goto bad_addr;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET, o->listen, &s4->sin_addr) != 1)
			goto bad_addr;
	}

	/* Block the stop signals in every thread; the main thread waits for
	 * them with sigwait(). */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			(v6 ? MHD_USE_IPv6 : 0),
		(uint16_t)o->port, NULL, NULL, on_request, NULL,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout_s > 0 ? o->timeout_s : 30),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_conns > 0 ? o->max_conns : 512),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), /* MHD zeroes it between requests: keep it small */
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
		MHD_OPTION_NOTIFY_CONNECTION, conn_notify, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
		MHD_OPTION_END);
	if (!d) {
		log_error("msg=\"cannot listen\" addr=%s port=%d", o->listen, o->port);
		return CLR_ESYS;
	}
	log_info("msg=\"listening\" url=http://%s%s%s:%d/ threads=%d", v6 ? "[" : "", o->listen, v6 ? "]" : "",
		 o->port, threads);

	int sig = 0;
	sigwait(&set, &sig);
	log_info("msg=\"stopping\" signal=%d", sig);
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	for (int i = 0; i < 1000 && atomic_load(&in_flight) > 0; i++) /* up to 10 s for requests in flight */
		usleep(10 * 1000);
	MHD_stop_daemon(d);
	log_info("msg=\"stopped\"");
	return 0;

bad_addr:
	log_error("msg=\"invalid listen address\" addr=%s", o->listen);
	return CLR_EINVAL;
}
