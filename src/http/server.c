/* server.c - libmicrohttpd glue: one struct req per request, body
 * accumulation with limits, strict URI parsing, routing, authentication and
 * CSRF checks (a session for pages, an API key for R_API routes), security
 * headers, one log line per request, and a graceful stop on SIGINT/SIGTERM.
 *
 * Life of a request: uri_log() creates the req and its arena as soon as the
 * request line is read; on_request() is called once with the headers, then
 * once per body chunk, then a last time to dispatch; completed() logs and
 * frees everything.
 *
 * Connections: the server's own threads (worker_main(), one per usable
 * core) accept them and hand each to their libmicrohttpd daemon
 * (MHD_add_connection()), which they drive with MHD_run(), up to
 * CLR_MAX_CONNS at a time; past that the listening socket is not watched,
 * so that further clients wait in the kernel's listen backlog, costing
 * nothing, until a connection closes.  libmicrohttpd 0.9.75's own threads
 * stop serving the connections they hold when 128, 256... of them are ready
 * at once, which its connection limit of 512 made certain
 * (docs/DECISIONS.md, « Connections past the limit »).  A connection from an
 * address that already has CLR_MAX_CONNS_PER_IP open is answered 503 at its
 * first request and closed.
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
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
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
	unsigned char ip[16]; /* the peer's address, IPv4 in the first 4 bytes */
	int ip_counted;       /* counted in the per-address table */
	int over_ip;          /* past CLR_MAX_CONNS_PER_IP: answered 503, closed */
};

/* --- connection accounting ------------------------------------------------
 * conns_open: connections handed to libmicrohttpd and not yet closed (a
 * worker reserves a slot before accept4(), conn_notify()'s close gives it
 * back).  The per-address
 * counts live in a small hash table under a mutex, touched twice per
 * connection (open, close), never per request. */
static atomic_int conns_open;
static int max_conns = 512, max_conns_per_ip;
static int stop_fd = -1; /* eventfd written once at stop: every worker wakes */

#define IP_BUCKETS 4096
struct ip_count {
	unsigned char ip[16];
	int n;
	struct ip_count *next;
};
static struct ip_count *ip_table[IP_BUCKETS];
static pthread_mutex_t ip_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned ip_hash(const unsigned char *ip)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ ip[i]) * 16777619u;
	return h % IP_BUCKETS;
}

/* A socket address as 16 bytes (IPv4 and IPv4-mapped IPv6 in the first 4);
 * 0, or -1 for another family. */
static int ip_key(const struct sockaddr *sa, unsigned char out[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memset(out, 0, 16);
	if (sa && sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa && sa->sa_family == AF_INET6) {
		const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (memcmp(a, mapped, 12) == 0)
			memcpy(out, a + 12, 4);
		else
			memcpy(out, a, 16);
		return 0;
	}
	return -1;
}

/* Adds d (+1 or -1) to ip's count; returns the new count. */
static int ip_add(const unsigned char *ip, int d)
{
	unsigned h = ip_hash(ip);
	pthread_mutex_lock(&ip_lock);
	struct ip_count **pp = &ip_table[h], *e;
	while ((e = *pp) && memcmp(e->ip, ip, 16) != 0)
		pp = &e->next;
	if (!e && d > 0 && (e = calloc(1, sizeof *e))) {
		memcpy(e->ip, ip, 16);
		e->next = ip_table[h];
		ip_table[h] = e;
		pp = &ip_table[h];
	}
	int n = 0;
	if (e) {
		n = e->n += d;
		if (n <= 0) {
			*pp = e->next;
			free(e);
		}
	}
	pthread_mutex_unlock(&ip_lock);
	return n;
}

static void conn_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			enum MHD_ConnectionNotificationCode toe)
{
	metrics_connection(toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn_ctx *c = calloc(1, sizeof(struct conn_ctx));
		*socket_context = c;
		if (c && max_conns_per_ip > 0) {
			const union MHD_ConnectionInfo *ci =
				MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
			const struct sockaddr *sa = ci ? ci->client_addr : NULL;
			if (ip_key(sa, c->ip) == 0 && !req_addr_trusted(sa)) {
				c->ip_counted = 1;
				c->over_ip = ip_add(c->ip, 1) > max_conns_per_ip;
			}
		}
		return;
	}
	struct conn_ctx *c = *socket_context;
	if (c) {
		if (c->ip_counted)
			ip_add(c->ip, -1);
		free(c->uri);
		free(c);
		*socket_context = NULL;
	}
	/* one connection fewer: this worker watches the listening socket again
	 * on its next turn (worker_main()) */
	atomic_fetch_sub(&conns_open, 1);
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
	r->spool_fd = -1;
	atomic_fetch_add(&in_flight, 1);
	metrics_request_start();
	metrics_request_id(r->request_id);
	return r;
}

/* --- request bodies ---------------------------------------------------------
 * A body is kept in memory up to SPOOL_THRESHOLD; past it, it goes to an
 * unlinked temporary file (O_TMPFILE, else mkstemp() + unlink(), mode 0600)
 * in CLR_UPLOAD_DIR, else TMPDIR, else /var/tmp, so that a connection holds
 * at most 64 KiB of body however large its upload.  At dispatch the file is
 * mapped read-only and r->body points into it.  Spool files are counted:
 * SPOOL_MAX for the uploads of logged-in users (R_UPLOAD routes), as many
 * again for everything else (forms up to 1 MiB), so that descriptors and
 * disk stay bounded; past them the request is answered 503. */
#define SPOOL_THRESHOLD (64 * 1024)
#define SPOOL_MAX 64
static atomic_int spools[3]; /* by spool_kind: [1] forms, [2] uploads */

static int spool_open(void)
{
	const char *dir = getenv("CLR_UPLOAD_DIR");
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/var/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != ENOENT))
		return fd;
	char path[4096];
	snprintf(path, sizeof path, "%s/clr-body-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC); /* mode 0600 */
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One chunk of body: kept, spooled, or (past the limit, or when spooling is
 * refused) dropped with the reason recorded. */
static void body_add(struct req *r, const char *data, size_t n)
{
	if (r->body_too_large || r->spool_busy || r->refuse_status) {
		if (r->refuse_status && (r->body_seen += n) > r->body_limit)
			r->body_too_large = 1;
		return;
	}
	if (r->body_seen + n > r->body_limit) {
		r->body_too_large = 1;
		return;
	}
	r->body_seen += n;
	if (r->spool_fd < 0 && r->body.len + n <= SPOOL_THRESHOLD) {
		buf_add(&r->body, data, n);
		return;
	}
	if (r->spool_fd < 0) {
		int kind = r->body_limit == UPLOAD_BODY_LIMIT ? 2 : 1;
		if (atomic_fetch_add(&spools[kind], 1) >= SPOOL_MAX) {
			atomic_fetch_sub(&spools[kind], 1);
			r->spool_busy = 1;
			return;
		}
		r->spool_kind = kind;
		r->spool_fd = spool_open();
		if (r->spool_fd < 0 || write_all(r->spool_fd, r->body.data, r->body.len) != 0) {
			log_warn("msg=\"cannot spool a request body\" errno=%d", errno);
			r->spool_busy = 1;
			return;
		}
		buf_free(&r->body);
		buf_init(&r->body);
	}
	if (write_all(r->spool_fd, data, n) != 0) {
		log_warn("msg=\"cannot spool a request body\" errno=%d", errno);
		r->spool_busy = 1;
	}
}

/* At dispatch: a spooled body mapped, NUL-terminated like a buf, as r->body. */
static int body_map(struct req *r)
{
	if (r->spool_fd < 0)
		return 0;
	if (write_all(r->spool_fd, "", 1) != 0)
		return -1;
	void *m = mmap(NULL, r->body_seen + 1, PROT_READ, MAP_PRIVATE, r->spool_fd, 0);
	if (m == MAP_FAILED)
		return -1;
	r->body_map = m;
	r->body_map_len = r->body_seen + 1;
	r->body.data = m;
	r->body.len = r->body_seen;
	r->body.cap = 0;
	return 0;
}

static void body_free(struct req *r)
{
	if (r->body_map) {
		munmap(r->body_map, r->body_map_len);
		r->body_map = NULL;
		buf_init(&r->body); /* it pointed into the mapping */
	}
	if (r->spool_fd >= 0) {
		close(r->spool_fd);
		r->spool_fd = -1;
	}
	if (r->spool_kind) {
		atomic_fetch_sub(&spools[r->spool_kind], 1);
		r->spool_kind = 0;
	}
	buf_free(&r->body);
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
	body_free(r);
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
	if (r->sess)
		return 0; /* an upload's, checked on its headers (upload_check()) */
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
	if (r->refuse_status) {
		resp_error(r, r->refuse_status);
		return;
	}
	if (r->body_too_large) {
		resp_error(r, 413);
		return;
	}
	if (r->spool_busy || body_map(r) != 0) {
		resp_busy(r,
			  "Trop d’envois de fichiers en cours sur le serveur : réessayez dans quelques instants. "
			  "Rien n’a été enregistré.",
			  10);
		return;
	}
	if (!r->cookies.n) /* an upload's were read with its headers */
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

/* An upload (multipart to an R_UPLOAD route), on its headers: 0 when a
 * logged-in user of the route's role sends it (r->sess set), else the
 * status to answer at once: 403 (as dispatch() answers a POST without
 * session or of the wrong role), 503 when the database cannot say. */
static int upload_check(struct req *r, const struct route *rt)
{
	MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_COOKIE_KIND, cookie_it, r);
	const char *tok = req_cookie(r, SESSION_COOKIE);
	if (!tok || strlen(tok) != TOKEN_LEN)
		return 403;
	r->db = db_thread();
	if (!r->db)
		return 503;
	struct session *s = arena_alloc(r->a, sizeof *s);
	int rc = session_load(r->db, r->a, tok, s);
	if (rc == CLR_ENOTFOUND)
		return 403;
	if (rc)
		return rc == CLR_EUNAVAIL ? 503 : 500;
	int role = s->is_staff ? R_STAFF : s->is_proctor ? R_PROCTOR : R_ADMIN;
	if (!(rt->flags & (R_USER | role))) /* as dispatch() decides */
		return 403;
	r->sess = s;
	return 0;
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
		struct conn_ctx *cc = conn_ctx_of(conn);
		int asset = url && strncmp(url, "/static/", 8) == 0 && !r->is_post;
		if (cc && cc->over_ip && asset) {
			/* the refusal page's stylesheet (served from memory): answered
			 * as usual, then the connection is closed all the same */
			resp_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
			r->log_note = "conns_per_ip=asset";
		} else if (cc && cc->over_ip) { /* past CLR_MAX_CONNS_PER_IP: answered at once, then closed */
			r->is_api = url && strncmp(url, "/api/", 5) == 0;
			r->log_note = "refused=conns_per_ip";
			resp_busy(r,
				  "Trop de connexions ouvertes depuis votre adresse : fermez les onglets inutiles ou "
				  "patientez quelques secondes, puis réessayez.",
				  2);
			resp_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
			r->body_too_large = 1; /* nothing more is read or dispatched */
			return send_response(r);
		}
		/* under /api/ every answer is JSON; an R_API route's body is small */
		r->is_api = url && strncmp(url, "/api/", 5) == 0;
		int known;
		const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
		int multipart = ct && strncasecmp(ct, "multipart/form-data", 19) == 0;
		const struct route *rt = url && (r->is_api || (r->is_post && multipart)) /* GETs skip this */
						 ? route_match(NULL, r->is_post ? "POST" : "GET", url, &known)
						 : NULL;
		if (rt && (rt->flags & R_API)) {
			r->body_limit = API_BODY_LIMIT;
		} else if (r->is_post && multipart && rt && (rt->flags & R_UPLOAD)) {
			/* the upload limit only for a logged-in user of the route's
			 * role, checked now: anyone else is answered before the body */
			int status = upload_check(r, rt);
			const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (status && (!cl || strtoull(cl, NULL, 10) > FORM_BODY_LIMIT)) {
				/* answered before the body, and the connection closed
				 * (a client still sending may see it reset) */
				resp_error(r, status);
				r->body_too_large = 1; /* answered: the body is not read */
				return send_response(r);
			}
			if (status)
				r->refuse_status = status; /* up to 1 MiB read and dropped, then answered */
			else
				r->body_limit = UPLOAD_BODY_LIMIT;
		}
		const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > r->body_limit) {
			r->body_too_large = 1;
			resp_error(r, 413);
			return send_response(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		body_add(r, upload_data, *upload_data_size);
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

/* Raises the soft limit of open files to the hard one; returns the soft
 * limit now in force. */
static long raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t want = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
		struct rlimit nl = {want, rl.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
			rl.rlim_cur = want;
	}
	return rl.rlim_cur == RLIM_INFINITY ? 1048576 : (long)rl.rlim_cur;
}

/* What one held connection costs: libmicrohttpd's 128 KiB pool, touched
 * whole (it is zeroed between requests), and its bookkeeping. */
#define CONN_BYTES (160L * 1024)
/* File descriptors kept for everything but client sockets: database
 * connections, spooled uploads (UPLOAD_SPOOL_MAX), templates, logs. */
#define FD_RESERVE 256

/* The default connection limit: what the file-descriptor limit allows,
 * and what an eighth of the machine's memory holds at CONN_BYTES each. */
static int default_max_conns(long nofile)
{
	long by_fd = nofile - FD_RESERVE;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	long by_mem = pages > 0 && psize > 0 ? (long)((double)pages * (double)psize / 8 / CONN_BYTES) : 4096;
	long n = by_fd < by_mem ? by_fd : by_mem;
	if (n > 65536)
		n = 65536;
	return n < 16 ? 16 : (int)n;
}

/* --- workers ---------------------------------------------------------------
 * One thread per usable core, each with its own libmicrohttpd daemon driven
 * from outside (MHD_run(), never blocking inside libmicrohttpd) and the
 * shared listening socket.  A worker waits in poll() on its daemon's epoll
 * descriptor, on the listening socket while fewer than max_conns
 * connections are open, and on stop_fd.  Why not libmicrohttpd's own
 * threads: docs/DECISIONS.md, « Connections past the limit ». */
struct worker {
	struct MHD_Daemon *d;
	int epfd;
	pthread_t th;
};

static int listen_fd = -1;
static atomic_int stopping;

/* Takes up to 16 connections while the limit allows (a slot is reserved
 * before accept4(), so the workers together never pass max_conns).
 * accept4() failing for lack of descriptors or memory pauses 100 ms rather
 * than spin on a socket that stays readable. */
static void accept_some(struct worker *w)
{
	for (int i = 0; i < 16; i++) {
		if (atomic_fetch_add(&conns_open, 1) >= max_conns) {
			atomic_fetch_sub(&conns_open, 1);
			return;
		}
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			atomic_fetch_sub(&conns_open, 1);
			if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
				static atomic_int warned;
				if (!atomic_exchange(&warned, 1))
					log_warn("msg=\"cannot accept: out of file descriptors or memory\" open=%d max_conns=%d "
						 "errno=%d",
						 atomic_load(&conns_open), max_conns, e);
				usleep(100 * 1000);
			}
			return; /* EAGAIN: nothing left (another worker took it) */
		}
		/* conn_notify() gives the slot back when the connection closes;
		 * on failure libmicrohttpd has closed the socket without notifying */
		if (MHD_add_connection(w->d, fd, (struct sockaddr *)&ss, sl) != MHD_YES)
			atomic_fetch_sub(&conns_open, 1);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	double stop_at = 0;
	for (;;) {
		int stop = atomic_load(&stopping);
		if (stop) {
			if (!stop_at)
				stop_at = mono_ms();
			/* requests in flight are finished, up to 10 s */
			if (atomic_load(&in_flight) == 0 || mono_ms() - stop_at > 10000)
				break;
		}
		int full = atomic_load(&conns_open) >= max_conns;
		struct pollfd p[3] = {
			{.fd = w->epfd, .events = POLLIN},
			{.fd = stop ? -1 : stop_fd, .events = POLLIN},
			{.fd = stop || full ? -1 : listen_fd, .events = POLLIN}, /* -1: not watched */
		};
		MHD_UNSIGNED_LONG_LONG to = 0;
		int timeout = MHD_get_timeout(w->d, &to) == MHD_YES ? (to > 60000 ? 60000 : (int)to) : 60000;
		if (stop && timeout > 10)
			timeout = 10;
		if (full && timeout > 1000)
			timeout = 1000; /* a connection closed by another worker frees a slot */
		int n = poll(p, 3, timeout);
		if (n < 0 && errno != EINTR) {
			log_error("msg=\"worker: poll failed\" errno=%d", errno);
			break;
		}
		if (n > 0 && (p[2].revents & POLLIN))
			accept_some(w);
		MHD_run(w->d);
	}
	return NULL;
}

static int listen_socket(const struct sockaddr *sa, socklen_t len, int v6)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on); /* as MHD_OPTION_LISTENING_ADDRESS_REUSE did */
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	/* the backlog: as deep as net.core.somaxconn allows (the kernel caps it) */
	if (bind(fd, sa, len) != 0 || listen(fd, 65535) != 0) {
		close(fd);
		return -1;
	}
	return fd;
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

	long nofile = raise_nofile();
	max_conns = o->max_conns > 0 ? o->max_conns : default_max_conns(nofile);
	if (max_conns > nofile - FD_RESERVE && nofile > FD_RESERVE + 16) {
		log_warn("msg=\"connection limit above the file-descriptor limit\" max_conns=%d nofile=%ld", max_conns,
			 nofile);
		max_conns = (int)(nofile - FD_RESERVE);
	}
	max_conns_per_ip = o->max_conns_per_ip >= 0 ? o->max_conns_per_ip : 0;
	atomic_store(&conns_open, 0);

	/* Block the stop signals in every thread; the main thread waits for
	 * them with sigwait(). */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	int lfd = listen_socket((struct sockaddr *)&ss, v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), v6);
	if (lfd < 0) {
		log_error("msg=\"cannot listen\" addr=%s port=%d errno=%d", o->listen, o->port, errno);
		return CLR_ESYS;
	}
	stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (stop_fd < 0) {
		close(lfd);
		return CLR_ESYS;
	}
	listen_fd = lfd;
	atomic_store(&stopping, 0);

	/* libmicrohttpd's own limit is kept out of reach: the workers enforce ours */
	struct worker *ws = calloc((size_t)threads, sizeof *ws);
	int started = 0, rc = 0;
	for (int i = 0; ws && i < threads; i++) {
		ws[i].d = MHD_start_daemon(
			MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET | (v6 ? MHD_USE_IPv6 : 0), 0, NULL,
			NULL, on_request, NULL,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout_s > 0 ? o->timeout_s : 30),
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)(nofile > 0 ? nofile : 65536),
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), /* MHD zeroes it between requests: keep it small */
			MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
			MHD_OPTION_NOTIFY_CONNECTION, conn_notify, NULL,
			MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			MHD_OPTION_END);
		const union MHD_DaemonInfo *di = ws[i].d ? MHD_get_daemon_info(ws[i].d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
		if (!di || pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
			if (ws[i].d)
				MHD_stop_daemon(ws[i].d);
			rc = CLR_ESYS;
			break;
		}
		ws[i].epfd = di->epoll_fd;
		started++;
	}
	if (!ws)
		rc = CLR_ESYS;
	if (rc == 0) {
		log_info("msg=\"listening\" url=http://%s%s%s:%d/ threads=%d max_conns=%d max_conns_per_ip=%d "
			 "nofile=%ld",
			 v6 ? "[" : "", o->listen, v6 ? "]" : "", o->port, threads, max_conns, max_conns_per_ip, nofile);
		int sig = 0;
		sigwait(&set, &sig);
		log_info("msg=\"stopping\" signal=%d", sig);
	} else
		log_error("msg=\"cannot start the HTTP daemon\" addr=%s port=%d", o->listen, o->port);
	/* no new connection; the requests in flight are finished (worker_main) */
	atomic_store(&stopping, 1);
	uint64_t one = 1;
	if (write(stop_fd, &one, sizeof one) < 0)
		log_warn("msg=\"cannot wake the workers\" errno=%d", errno);
	for (int i = 0; i < started; i++)
		pthread_join(ws[i].th, NULL);
	close(lfd);
	listen_fd = -1;
	for (int i = 0; i < started; i++)
		MHD_stop_daemon(ws[i].d);
	free(ws);
	close(stop_fd);
	stop_fd = -1;
	if (rc == 0)
		log_info("msg=\"stopped\"");
	return rc;

bad_addr:
	log_error("msg=\"invalid listen address\" addr=%s", o->listen);
	return CLR_EINVAL;
}
