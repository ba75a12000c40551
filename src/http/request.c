/* request.c - request parsing (query, form, cookies) and response building
 * (headers, cookies, redirects, pages inside the shell, error pages, and
 * the results API's JSON answers and errors). */
#include "http/request.h"
#include "http/multipart.h"
#include "http/static.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "core/tmpl.h"
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

void kvs_add(arena *a, struct kvs *k, const char *key, const char *val)
{
	if (k->n == k->cap) {
		int cap = k->cap ? k->cap * 2 : 16;
		struct kv *n = arena_alloc(a, sizeof *n * (size_t)cap);
		if (k->n)
			memcpy(n, k->v, sizeof *n * (size_t)k->n);
		k->v = n;
		k->cap = cap;
	}
	k->v[k->n].key = key;
	k->v[k->n].val = val;
	k->n++;
}

const char *kvs_get(const struct kvs *k, const char *key)
{
	for (int i = 0; i < k->n; i++)
		if (strcmp(k->v[i].key, key) == 0)
			return k->v[i].val;
	return NULL;
}

int kvs_parse_urlencoded(arena *a, struct kvs *out, const char *s, size_t n)
{
	const char *end = s + n;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *pe = amp ? amp : end;
		if (pe > s) {
			const char *eq = memchr(s, '=', (size_t)(pe - s));
			const char *ke = eq ? eq : pe;
			char *key = url_decode(a, s, (size_t)(ke - s), 1);
			char *val = eq ? url_decode(a, eq + 1, (size_t)(pe - eq - 1), 1) : arena_strdup(a, "");
			if (!key || !val)
				return CLR_EINVAL;
			kvs_add(a, out, key, val);
		}
		s = amp ? amp + 1 : end;
	}
	return 0;
}

const char *req_query(const struct req *r, const char *name)
{
	return kvs_get(&r->query, name);
}

const char *req_form(const struct req *r, const char *name)
{
	return kvs_get(&r->form, name);
}

const struct mp_part *req_file(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nparts; i++)
		if (r->parts[i].filename && strcmp(r->parts[i].name, name) == 0)
			return &r->parts[i];
	return NULL;
}

int req_form_all(const struct req *r, const char *name, const char ***out)
{
	int n = 0;
	for (int i = 0; i < r->form.n; i++)
		if (strcmp(r->form.v[i].key, name) == 0)
			n++;
	const char **vals = arena_alloc(r->a, sizeof *vals * (size_t)(n + 1));
	n = 0;
	for (int i = 0; i < r->form.n; i++)
		if (strcmp(r->form.v[i].key, name) == 0)
			vals[n++] = r->form.v[i].val;
	*out = vals;
	return n;
}

/* Over https (r->tls) every cookie of ours is named with the __Host- prefix:
 * the browser then accepts it only with Secure, Path=/ and no Domain, so
 * neither a plain-http page nor a sibling domain can set or replace it; a
 * cookie without the prefix is not read there. */
#define COOKIE_PREFIX "__Host-"

const char *req_cookie(const struct req *r, const char *name)
{
	if (r->tls)
		return kvs_get(&r->cookies, arena_printf(r->a, COOKIE_PREFIX "%s", name));
	return kvs_get(&r->cookies, name);
}

const char *req_param(const struct req *r, int i)
{
	return i < r->nparams ? r->params[i] : NULL;
}

long long req_param_id(const struct req *r, int i)
{
	return str_id(req_param(r, i));
}

const char *req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

/* ---- client address ------------------------------------------------------
 *
 * The client is the socket's peer, unless that peer is a proxy named in
 * CLR_TRUSTED_PROXIES: then X-Forwarded-For is read from the right (each
 * trusted proxy appends the address it received the request from) and the
 * first address that is not a trusted proxy is the client.  What a client
 * writes on the left of the header is never believed. */

#define MAX_PROXIES 64

struct net {
	int v6;
	unsigned char addr[16];
	int bits;
};

static struct net proxies[MAX_PROXIES];
static int nproxies;

/* An address in text (IPv4, IPv6, [IPv6], IPv4:port) -> n with all its
 * bits; an IPv4-mapped IPv6 address is read as IPv4.  0 or -1. */
static int addr_parse(const char *s, size_t len, struct net *n)
{
	char text[64];
	if (len && s[0] == '[') { /* [v6] or [v6]:port */
		const char *close = memchr(s, ']', len);
		if (!close)
			return -1;
		s++;
		len = (size_t)(close - s);
	}
	if (len == 0 || len >= sizeof text)
		return -1;
	memcpy(text, s, len);
	text[len] = 0;
	char *colon = strchr(text, ':');
	if (colon && !strchr(colon + 1, ':') && strchr(text, '.'))
		*colon = 0; /* a.b.c.d:port */
	memset(n, 0, sizeof *n);
	if (inet_pton(AF_INET, text, n->addr) == 1) {
		n->bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, text, n->addr) != 1)
		return -1;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(n->addr, mapped, 12) == 0) {
		memmove(n->addr, n->addr + 12, 4);
		memset(n->addr + 4, 0, 12);
		n->bits = 32;
		return 0;
	}
	n->v6 = 1;
	n->bits = 128;
	return 0;
}

static int in_net(const struct net *a, const struct net *net)
{
	if (a->v6 != net->v6)
		return 0;
	int full = net->bits / 8, rest = net->bits % 8;
	if (memcmp(a->addr, net->addr, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a->addr[full] ^ net->addr[full]) & (0xff << (8 - rest))) == 0;
}

static int trusted(const struct net *a)
{
	for (int i = 0; i < nproxies; i++)
		if (in_net(a, &proxies[i]))
			return 1;
	return 0;
}

int req_trusted_proxies_init(char *err, size_t errlen)
{
	nproxies = 0;
	const char *s = getenv("CLR_TRUSTED_PROXIES");
	while (s && *s) {
		size_t skip = strspn(s, ", \t"), len;
		s += skip;
		if (!*s)
			break;
		len = strcspn(s, ", \t");
		struct net n;
		const char *slash = memchr(s, '/', len);
		size_t alen = slash ? (size_t)(slash - s) : len;
		int ok = alen && s[0] != '[' && addr_parse(s, alen, &n) == 0 && nproxies < MAX_PROXIES;
		if (ok && slash) {
			char *end;
			long bits = strtol(slash + 1, &end, 10);
			ok = end == s + len && slash + 1 < end && bits >= 0 && bits <= n.bits;
			n.bits = (int)bits;
		}
		if (!ok) {
			snprintf(err, errlen, "CLR_TRUSTED_PROXIES: « %.*s » is not an address or a CIDR block (max %d)",
				 (int)(len > 100 ? 100 : len), s, MAX_PROXIES);
			nproxies = 0;
			return CLR_EINVAL;
		}
		proxies[nproxies++] = n;
		s += len;
	}
	return 0;
}

static void net_str(const struct net *n, char *out, size_t len)
{
	if (!inet_ntop(n->v6 ? AF_INET6 : AF_INET, n->addr, out, (socklen_t)len))
		snprintf(out, len, "?");
}

struct xff {
	buf all; /* every X-Forwarded-For header, in order, joined by ',' */
};

static enum MHD_Result xff_it(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct xff *x = cls;
	if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) {
		if (x->all.len)
			buf_addc(&x->all, ',');
		buf_adds(&x->all, value);
	}
	return MHD_YES;
}

int req_addr_trusted(const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN] = "";
	struct net n;
	if (!nproxies || !sa)
		return 0;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
	return *host && addr_parse(host, strlen(host), &n) == 0 && trusted(&n);
}

void req_client_info(struct req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info((struct MHD_Connection *)r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct net client;
	int known = 0;
	memset(&client, 0, sizeof client);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		char host[INET6_ADDRSTRLEN] = "";
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
		known = *host && addr_parse(host, strlen(host), &client) == 0;
	}
	if (known && nproxies && trusted(&client)) {
		struct xff x = {BUF_INIT};
		MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, xff_it, &x);
		const char *s = x.all.data ? x.all.data : "";
		size_t end = x.all.len;
		while (end > 0) { /* from the right: the nearest hop first */
			size_t start = end;
			while (start > 0 && s[start - 1] != ',')
				start--;
			size_t b = start, e = end;
			while (b < e && (s[b] == ' ' || s[b] == '\t'))
				b++;
			while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
				e--;
			struct net hop;
			if (addr_parse(s + b, e - b, &hop) != 0)
				break; /* not an address: the last hop we could read stays the client */
			client = hop;
			if (!trusted(&hop))
				break;
			end = start ? start - 1 : 0;
		}
		buf_free(&x.all);
	}
	char host[INET6_ADDRSTRLEN] = "?";
	if (known)
		net_str(&client, host, sizeof host);
	r->ip = arena_strdup(r->a, host);
	/* Behind a TLS-terminating proxy that we trust (CLR_BEHIND_TLS=1), the
	 * proxy says so with X-Forwarded-Proto. */
	const char *proto = req_header(r, "X-Forwarded-Proto");
	const char *trust = getenv("CLR_BEHIND_TLS");
	r->tls = trust && *trust == '1' && proto && strcasecmp(proto, "https") == 0;
}

void resp_reset(struct req *r)
{
	r->status = 0;
	r->content_type_out = NULL;
	buf_reset(&r->out);
	r->out_static = NULL;
	r->out_static_len = 0;
	r->nheaders = 0;
	r->is_html = 0;
	r->responded = 0;
	r->log_note = NULL;
}

void resp_header(struct req *r, const char *name, const char *value)
{
	if (r->nheaders >= RESP_MAX_HEADERS) {
		log_error("msg=\"too many response headers\" path=%s", r->path);
		return;
	}
	r->headers[r->nheaders][0] = name;
	r->headers[r->nheaders][1] = value;
	r->nheaders++;
}

void resp_cookie(struct req *r, const char *name, const char *value, int max_age)
{
	char *c = arena_printf(r->a, "%s%s=%s; Path=/; HttpOnly; SameSite=Lax%s", r->tls ? COOKIE_PREFIX : "", name, value,
			       r->tls ? "; Secure" : "");
	if (max_age >= 0)
		c = arena_printf(r->a, "%s; Max-Age=%d", c, max_age);
	resp_header(r, "Set-Cookie", c);
}

int resp_redirect(struct req *r, const char *location, const char *flash)
{
	r->status = 303;
	resp_header(r, "Location", location);
	if (flash)
		resp_cookie(r, "clr_flash", url_encode(r->a, flash), 120);
	r->content_type_out = "text/plain; charset=utf-8";
	buf_reset(&r->out);
	r->responded = 1;
	return 0;
}

int resp_download(struct req *r, const char *content_type, const char *filename, const void *data, size_t n)
{
	r->status = 200;
	r->content_type_out = content_type;
	buf_reset(&r->out);
	buf_add(&r->out, data, n);
	resp_header(r, "Content-Disposition", arena_printf(r->a, "attachment; filename=\"%s\"", filename));
	resp_header(r, "Cache-Control", "no-store");
	r->responded = 1;
	return 0;
}

int resp_text(struct req *r, int status, const char *content_type, const char *body)
{
	r->status = status;
	r->content_type_out = content_type;
	buf_reset(&r->out);
	buf_adds(&r->out, body);
	r->responded = 1;
	return 0;
}

view *page_view(struct req *r, const char *title)
{
	view *v = view_new(r->a);
	view_set(v, "title", title);
	view_set(v, "csrf", r->csrf ? r->csrf : "");
	view_set(v, "css_url", static_url("app.css"));
	view_set(v, "js_url", static_url("app.js"));
	view_set(v, "logo_url", static_url("logo.svg"));
	if (r->sess) {
		view_set_bool(v, r->sess->is_staff ? "is_staff" : r->sess->is_proctor ? "is_proctor" : "is_admin", 1);
		view_set(v, "user_name", r->sess->user_name);
		view_set(v, "user_email", r->sess->user_email);
		if (r->sess->org_name)
			view_set(v, "org_name", r->sess->org_name);
	}
	const char *flash = req_cookie(r, "clr_flash");
	if (flash && *flash) {
		char *msg = url_decode(r->a, flash, strlen(flash), 0), *typo;
		if (msg && utf8_len(msg) <= 200 && (typo = fr_typography(msg))) { /* no-break spaces before : ; ! ? */
			view_set(v, "flash", arena_strdup(r->a, typo));
			free(typo);
		}
		resp_cookie(r, "clr_flash", "", 0);
	}
	return v;
}

void view_form(view *v, const struct req *r, const char *const *fields, const struct errs *e)
{
	arena *a = r->a;
	for (int i = 0; fields[i]; i++) {
		const char *val = req_form(r, fields[i]);
		if (val)
			view_set(v, fields[i], val);
		else if (!view_get(v, fields[i]))
			view_set(v, fields[i], "");
		const char *msg = e ? errs_get(e, fields[i]) : NULL;
		if (msg)
			view_set(v, arena_printf(a, "%s_error", fields[i]), msg);
	}
	if (e && e->n) {
		view_set_bool(v, "has_errors", 1);
		const char *general = errs_get(e, "");
		if (general)
			view_set(v, "form_error", general);
		view_setf(v, "error_count", "%d", e->n);
	}
}

void view_blank(view *v, const char *const *fields)
{
	for (int i = 0; fields[i]; i++)
		view_set(v, fields[i], "");
}

/* Room reserved for a page at once: most are 5-20 KB (the candidate list
 * 15 KB), which would otherwise take ten reallocs of the output. */
#define PAGE_SIZE_HINT (16 * 1024)

/* Renders TMPL with V straight into the response body: no intermediate
 * buffer and no copy of it (docs/PERFORMANCE.md, run 7).  HTML: sent with
 * the Content-Security-Policy and Cache-Control: no-store (server.c). */
static int render_body(struct req *r, int status, const char *tmpl, view *v)
{
	buf_reset(&r->out);
	buf_grow(&r->out, PAGE_SIZE_HINT);
	int rc = tmpl_render(tmpl, v, &r->out);
	if (rc) {
		buf_reset(&r->out);
		return rc;
	}
	r->status = status;
	r->content_type_out = "text/html; charset=utf-8";
	r->is_html = 1;
	r->responded = 1;
	return 0;
}

int resp_page_in(struct req *r, int status, const char *layout, const char *tmpl, view *v)
{
	view_set_tmpl(v, "content", tmpl);
	return render_body(r, status, layout, v);
}

int resp_page(struct req *r, int status, const char *tmpl, view *v)
{
	view_set_tmpl(v, "content", tmpl); /* the layout renders tmpl where it says {{content}} */
	return render_body(r, status, "layout", v);
}

int resp_part(struct req *r, int status, const char *tmpl, view *v)
{
	return render_body(r, status, tmpl, v); /* a fragment of a page: not cached either */
}

int resp_json(struct req *r, int status, const char *json)
{
	r->status = status;
	r->content_type_out = "application/json; charset=utf-8";
	r->is_html = 0;
	buf_reset(&r->out);
	buf_adds(&r->out, json);
	buf_addc(&r->out, '\n');
	resp_header(r, "Cache-Control", "no-store");
	r->responded = 1;
	return 0;
}

int resp_api_error(struct req *r, int status, const char *code, const char *msg)
{
	char *typo = fr_typography(msg); /* no-break spaces before : ; ! ? and inside « » */
	json_t *o = json_pack("{s:s, s:s}", "error", code, "message", typo ? typo : msg);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (text)
		resp_json(r, status, text);
	else /* not valid UTF-8 (never: our own messages), or out of memory */
		resp_json(r, status, "{\"error\":\"erreur_interne\",\"message\":\"Erreur interne.\"}");
	free(text);
	json_decref(o);
	free(typo);
	return 0;
}

/* Under /api/: the JSON errors of the pages below. */
static int api_error(struct req *r, int status)
{
	static const struct {
		int status;
		const char *code, *msg;
	} errs[] = {
		{400, "requete_invalide", "La requête est mal formée."},
		{403, "acces_refuse", "Accès refusé."},
		{404, "introuvable", "Cette adresse n'existe pas dans l'API : voir docs/API.md (POST /api/v1/results)."},
		{405, "methode_non_autorisee", "Cette adresse n'accepte pas cette méthode : envoyez un POST."},
		{413, "taille_depassee", "Le corps de la requête dépasse 64 Kio."},
		{429, "trop_de_requetes", "Trop de requêtes en peu de temps : réessayez dans un instant."},
		{500, "erreur_interne", "Une erreur inattendue s'est produite. Elle a été enregistrée ; réessayez dans un instant."},
	};
	int k = (int)(sizeof errs / sizeof *errs) - 1;
	for (size_t i = 0; i < sizeof errs / sizeof *errs; i++)
		if (errs[i].status == status)
			k = (int)i;
	r->nheaders = 0;
	return resp_api_error(r, errs[k].status, errs[k].code, errs[k].msg);
}

int resp_busy(struct req *r, const char *msg, int retry_s)
{
	r->nheaders = 0;
	if (r->is_api)
		resp_api_error(r, 503, "surcharge", msg);
	else {
		view *v = page_view(r, "Service momentanément indisponible");
		view_set(v, "status", "503");
		view_set(v, "message", msg);
		if (resp_page(r, 503, "error", v) != 0)
			resp_text(r, 503, "text/plain; charset=utf-8", msg);
	}
	char s[16];
	snprintf(s, sizeof s, "%d", retry_s > 0 ? retry_s : 1);
	resp_header(r, "Retry-After", arena_strdup(r->a, s));
	return 0;
}

int resp_error(struct req *r, int status)
{
	if (r->is_api)
		return api_error(r, status);
	static const struct {
		int status;
		const char *title, *msg;
	} pages[] = {
		{400, "Requête invalide", "La requête envoyée par votre navigateur est mal formée. Revenez à la page précédente et réessayez."},
		{403, "Accès refusé", "Vous n’avez pas accès à cette page, ou le formulaire a expiré (jeton de sécurité invalide). Rechargez la page et réessayez."},
		{404, "Page introuvable", "La page demandée n’existe pas ou n’est plus disponible."},
		{405, "Méthode non autorisée", "Cette adresse n’accepte pas ce type de requête."},
		{413, "Envoi trop volumineux", "Les données envoyées dépassent la taille autorisée."},
		{429, "Trop de requêtes", "Trop de tentatives en peu de temps. Patientez quelques minutes puis réessayez."},
		{500, "Erreur interne", "Une erreur inattendue s’est produite. Elle a été enregistrée ; réessayez dans un instant."},
		{503, "Service momentanément indisponible",
		 "Le service est momentanément indisponible : la base de données ne répond pas ou ne peut rien enregistrer pour l’instant. "
		 "Réessayez dans quelques instants. Si vous validiez un formulaire, vérifiez avant de le renvoyer qu’il n’a pas déjà été pris en compte."},
	};
	int k = 0;
	for (size_t i = 0; i < sizeof pages / sizeof *pages; i++)
		if (pages[i].status == status)
			k = (int)i;
	view *v = page_view(r, pages[k].title);
	view_setf(v, "status", "%d", status);
	view_set(v, "message", pages[k].msg);
	r->nheaders = 0;
	if (status == 503)
		resp_header(r, "Retry-After", "5");
	if (resp_page(r, pages[k].status, "error", v) != 0) {
		/* the templates themselves failed: answer plain text */
		resp_text(r, pages[k].status, "text/plain; charset=utf-8", pages[k].title);
	}
	return 0;
}

int req_ip_in(const char *ip, const char *list)
{
	struct net a;
	if (!ip || addr_parse(ip, strlen(ip), &a) != 0)
		return 0;
	const char *s = list;
	while (s && *s) {
		s += strspn(s, ", \t");
		if (!*s)
			break;
		size_t len = strcspn(s, ", \t");
		struct net n;
		const char *slash = memchr(s, '/', len);
		size_t alen = slash ? (size_t)(slash - s) : len;
		int ok = alen && addr_parse(s, alen, &n) == 0;
		if (ok && slash) {
			char *end;
			long bits = strtol(slash + 1, &end, 10);
			ok = end == s + len && slash + 1 < end && bits >= 0 && bits <= n.bits;
			n.bits = (int)bits;
		}
		if (!ok)
			return -1;
		if (in_net(&a, &n))
			return 1;
		s += len;
	}
	return 0;
}
