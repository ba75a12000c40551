/* mime.c - the MIME builder: RFC 2047 header encoding with folding, base64
 * and quoted-printable bodies, multipart structure.
 * See mime.h for what the output guarantees.
 */
#include "mail/mime.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char hexchars[] = "0123456789ABCDEF";

/* Base64 of data without line breaks. */
static void b64_raw(buf *out, const unsigned char *d, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		char q[4] = {b64chars[(v >> 18) & 63], b64chars[(v >> 12) & 63], i + 1 < n ? b64chars[(v >> 6) & 63] : '=',
			     i + 2 < n ? b64chars[v & 63] : '='};
		buf_add(out, q, 4);
	}
}

void mime_base64(buf *out, const unsigned char *data, size_t len)
{
	/* 57 input bytes = 76 output characters */
	for (size_t i = 0; i < len; i += 57) {
		b64_raw(out, data + i, len - i < 57 ? len - i : 57);
		buf_add(out, "\r\n", 2);
	}
}

/* ---- headers ------------------------------------------------------------ */

struct hdr {
	buf *b;
	size_t col;   /* characters on the current line */
	int tokens;   /* tokens written so far */
};

static void h_start(struct hdr *h, buf *b, const char *name)
{
	h->b = b;
	buf_adds(b, name);
	buf_addc(b, ':');
	h->col = strlen(name) + 1;
	h->tokens = 0;
}

static void h_fold(struct hdr *h)
{
	buf_add(h->b, "\r\n", 2);
	h->col = 0;
}

/* One unbreakable token, preceded by a space (or a fold). */
static void h_token(struct hdr *h, const char *w, size_t n)
{
	if (h->tokens && h->col + 1 + n > MIME_LINE_MAX)
		h_fold(h);
	buf_addc(h->b, ' ');
	buf_add(h->b, w, n);
	h->col += 1 + n;
	h->tokens++;
}

static void h_end(struct hdr *h)
{
	buf_add(h->b, "\r\n", 2);
}

static size_t u8len(const unsigned char *s, size_t left)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3 : (s[0] >> 3) == 30 ? 4 : 1;
	return n > left ? left : n;
}

/* s as a run of encoded-words, each sized to fit the current line. */
static void h_encoded(struct hdr *h, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t room = MIME_LINE_MAX > h->col + 1 ? MIME_LINE_MAX - h->col - 1 : 0;
		size_t maxb = room > 12 ? (room - 12) / 4 * 3 : 0;
		size_t k = 0;
		while (i + k < n) {
			size_t cl = u8len((const unsigned char *)s + i + k, n - i - k);
			if (k + cl > maxb)
				break;
			k += cl;
		}
		if (k == 0) {
			if (h->col > 0) {
				h_fold(h);
				continue;
			}
			k = u8len((const unsigned char *)s + i, n - i); /* cannot happen with 76 columns */
		}
		buf_add(h->b, " =?UTF-8?B?", 11);
		size_t before = h->b->len;
		b64_raw(h->b, (const unsigned char *)s + i, k);
		buf_add(h->b, "?=", 2);
		h->col += 1 + 12 + (h->b->len - 2 - before);
		h->tokens++;
		i += k;
	}
}

/* Header text without CR, LF or other controls (they become spaces). */
static void clean(buf *c, const char *s)
{
	for (; s && *s; s++)
		buf_addc(c, ((unsigned char)*s < 32 || *s == 127) ? ' ' : *s);
}

static int needs_encoding(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 127)
			return 1;
	return strstr(s, "=?") != NULL;
}

/* Unstructured text (Subject): words folded at spaces, or encoded-words. */
static void h_text(struct hdr *h, const char *value)
{
	buf c = BUF_INIT;
	clean(&c, value);
	if (needs_encoding(c.data)) {
		h_encoded(h, c.data, c.len);
	} else {
		const char *p = c.data;
		while (*p) {
			while (*p == ' ')
				p++;
			const char *e = p;
			while (*e && *e != ' ')
				e++;
			if (e > p)
				h_token(h, p, (size_t)(e - p));
			p = e;
		}
	}
	buf_free(&c);
}

void mime_header(buf *out, const char *name, const char *value)
{
	struct hdr h;
	h_start(&h, out, name);
	h_text(&h, value);
	h_end(&h);
}

void mime_header_addr(buf *out, const char *name, const char *display, const char *addr)
{
	struct hdr h;
	h_start(&h, out, name);
	buf c = BUF_INIT;
	clean(&c, display);
	if (c.len && needs_encoding(c.data)) {
		h_encoded(&h, c.data, c.len);
	} else if (c.len) {
		buf q = BUF_INIT;
		buf_addc(&q, '"');
		for (const char *p = c.data; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(&q, '\\');
			buf_addc(&q, *p);
		}
		buf_addc(&q, '"');
		h_token(&h, q.data, q.len);
		buf_free(&q);
	}
	buf a = BUF_INIT;
	buf_printf(&a, "<%s>", addr);
	h_token(&h, a.data, a.len);
	buf_free(&a);
	buf_free(&c);
	h_end(&h);
}

/* ---- quoted-printable ------------------------------------------------- */

static int eol_at(const char *s, size_t i, size_t n)
{
	return i >= n || s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n');
}

void mime_qp(buf *out, const char *s, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
			i++;
			continue;
		}
		if (c == '\n') {
			buf_add(out, "\r\n", 2);
			col = 0;
			i++;
			continue;
		}
		char enc[3];
		size_t el;
		int literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && col == 0)) ||
			      ((c == ' ' || c == '\t') && !eol_at(s, i + 1, n));
		if (literal) {
			enc[0] = (char)c;
			el = 1;
		} else {
			enc[0] = '=';
			enc[1] = hexchars[c >> 4];
			enc[2] = hexchars[c & 15];
			el = 3;
		}
		if (col + el > MIME_LINE_MAX - 1) {
			buf_add(out, "=\r\n", 3);
			col = 0;
			if (c == '.') { /* now at the start of a line */
				enc[0] = '=', enc[1] = '2', enc[2] = 'E';
				el = 3;
			}
		}
		buf_add(out, enc, el);
		col += el;
		i++;
	}
	if (col > 0 || n == 0) /* end the last line */
		buf_add(out, "\r\n", 2);
}

/* ---- message ------------------------------------------------------------ */

void mime_date(char out[40], time_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	if (!localtime_r(&t, &tm)) { /* a year past INT_MAX: tm would be garbage */
		t = 0;
		localtime_r(&t, &tm);
	}
	int off = (int)(tm.tm_gmtoff / 60) % (24 * 60);
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	snprintf(out, 40, "%.3s, %02d %.3s %04d %02d:%02d:%02d %c%02d%02d", days[tm.tm_wday % 7], tm.tm_mday % 100,
		 months[tm.tm_mon % 12], (tm.tm_year + 1900) % 10000, tm.tm_hour % 24, tm.tm_min % 60, tm.tm_sec % 61, sign, off / 60, off % 60);
}

static void random_hex(char *out, size_t nbytes)
{
	unsigned char r[32];
	if (nbytes > sizeof r)
		nbytes = sizeof r;
	randombytes_buf(r, nbytes);
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hexchars[r[i] >> 4];
		out[2 * i + 1] = hexchars[r[i] & 15];
	}
	out[2 * nbytes] = 0;
}

void mime_message_id(char *out, size_t n, const char *domain)
{
	char hex[17];
	random_hex(hex, 8);
	snprintf(out, n, "<%s.%lld@%s>", hex, (long long)time(NULL), domain && *domain ? domain : "localhost");
}

static void part_text(buf *out, const char *subtype, const char *text)
{
	buf_printf(out, "Content-Type: text/%s; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
		   subtype);
	mime_qp(out, text, strlen(text));
}

/* Filename without quotes, backslashes, slashes or controls. */
static void safe_filename(buf *f, const char *name)
{
	for (const char *p = name && *name ? name : "piece-jointe"; *p; p++) {
		unsigned char c = (unsigned char)*p;
		buf_addc(f, (c < 32 || c == 127 || c == '"' || c == '\\' || c == '/') ? '_' : *p);
	}
}

static void part_attachment(buf *out, const struct mime_attachment *a)
{
	buf f = BUF_INIT;
	safe_filename(&f, a->filename);
	const char *ct = a->content_type && *a->content_type ? a->content_type : "application/octet-stream";
	buf c = BUF_INIT;
	clean(&c, ct);
	if (!needs_encoding(f.data)) {
		buf_printf(out, "Content-Type: %s;\r\n name=\"%s\"\r\n", c.data, f.data);
		buf_printf(out, "Content-Disposition: attachment;\r\n filename=\"%s\"\r\n", f.data);
	} else {
		/* RFC 2231 (parameter value continuations are not needed: names
		 * are short, and SMTP allows lines of 998 characters) */
		buf_printf(out, "Content-Type: %s\r\n", c.data);
		buf_adds(out, "Content-Disposition: attachment;\r\n filename*=UTF-8''");
		for (const unsigned char *p = (const unsigned char *)f.data; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    strchr("-._~", *p))
				buf_addc(out, (char)*p);
			else
				buf_printf(out, "%%%02X", *p);
		}
		buf_adds(out, "\r\n");
	}
	buf_adds(out, "Content-Transfer-Encoding: base64\r\n\r\n");
	mime_base64(out, a->data, a->len);
	buf_free(&f);
	buf_free(&c);
}

static void new_boundary(char out[48], int level)
{
	char hex[25];
	random_hex(hex, 12);
	snprintf(out, 48, "=_clr_%s_%d", hex, level);
}

/* The body entity: text/plain alone or multipart/alternative. */
static void body_entity(buf *out, const struct mime_msg *m)
{
	if (!m->html || !*m->html) {
		part_text(out, "plain", m->text ? m->text : "");
		return;
	}
	char b[48];
	new_boundary(b, 2);
	buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", b);
	buf_printf(out, "--%s\r\n", b);
	part_text(out, "plain", m->text ? m->text : "");
	buf_printf(out, "--%s\r\n", b);
	part_text(out, "html", m->html);
	buf_printf(out, "--%s--\r\n", b);
}

void mime_build(const struct mime_msg *m, buf *out)
{
	char date[40], mid[160];
	mime_date(date, m->date);
	buf_printf(out, "Date: %s\r\n", date);
	mime_header_addr(out, "From", m->from_name, m->from_addr);
	mime_header_addr(out, "To", m->to_name, m->to_addr);
	if (m->reply_to && *m->reply_to)
		mime_header_addr(out, "Reply-To", NULL, m->reply_to);
	mime_header(out, "Subject", m->subject ? m->subject : "");
	if (m->message_id) {
		snprintf(mid, sizeof mid, "%s", m->message_id);
	} else {
		const char *at = m->from_addr ? strrchr(m->from_addr, '@') : NULL;
		mime_message_id(mid, sizeof mid, at ? at + 1 : NULL);
	}
	buf_printf(out, "Message-ID: %s\r\n", mid);
	buf_adds(out, "MIME-Version: 1.0\r\n");
	if (m->natt <= 0) {
		body_entity(out, m);
		return;
	}
	char b[48];
	new_boundary(b, 1);
	buf_printf(out, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n", b);
	buf_adds(out, "This is a multi-part message in MIME format.\r\n");
	buf_printf(out, "--%s\r\n", b);
	body_entity(out, m);
	for (int i = 0; i < m->natt; i++) {
		buf_printf(out, "--%s\r\n", b);
		part_attachment(out, &m->att[i]);
	}
	buf_printf(out, "--%s--\r\n", b);
}

void mime_parse_mailbox(const char *s, char *name, size_t nn, char *addr, size_t na)
{
	name[0] = addr[0] = 0;
	if (!s)
		return;
	const char *lt = strrchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		const char *b = s, *e = lt;
		while (b < e && (*b == ' ' || *b == '"'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '"'))
			e--;
		snprintf(name, nn, "%.*s", (int)(e - b), b);
		const char *ab = lt + 1;
		while (ab < gt && *ab == ' ')
			ab++;
		const char *ae = gt;
		while (ae > ab && ae[-1] == ' ')
			ae--;
		snprintf(addr, na, "%.*s", (int)(ae - ab), ab);
	} else {
		while (*s == ' ')
			s++;
		snprintf(addr, na, "%s", s);
		size_t n = strlen(addr);
		while (n && addr[n - 1] == ' ')
			addr[--n] = 0;
	}
}
