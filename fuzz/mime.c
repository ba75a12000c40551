/* fuzz/mime.c - the MIME builder of outgoing mail (src/mail/mime.c):
 * RFC 2047 header encoding and folding (mime_header(),
 * mime_header_addr()), quoted-printable bodies (mime_qp()), base64
 * (mime_base64()), mailbox parsing (mime_parse_mailbox()), the date
 * (mime_date()) and whole messages (mime_build()).
 *
 * Input: NUL-separated pieces: subject, display name, address, text body,
 * HTML body, a Reply-To address, attachment file name, then the attachment's bytes (the
 * rest, NULs included); the first 8 bytes of the input are also read as
 * the message's date (any time_t).
 * Invariants beyond « no crash », each checked with a decoder written here
 * (base64 is libsodium's):
 *   - headers are 7-bit printable, end with CRLF, and every other CRLF is
 *     a fold (followed by a space); lines stay within 76 characters when no
 *     word is longer than 60 (within 998 always); unfolded and decoded
 *     (encoded-words joined), a header gives back its value with controls
 *     as spaces (and runs of spaces as one when it needed no encoding);
 *     every encoded-word is at most 75 characters and, for UTF-8 input,
 *     holds whole characters;
 *   - a display name comes back through its quoted-string or encoded-words;
 *   - quoted-printable: 7-bit, lines of at most 76 characters, no line
 *     ending in white space or starting with '.', and decoded it is the
 *     text with CRLF line ends;
 *   - base64: lines of 76 characters at most, decoding to the data;
 *   - mime_parse_mailbox() writes NUL-terminated strings within its
 *     buffers, the address without surrounding spaces;
 *   - a whole message is 7-bit (printable, tab, CRLF) with lines of at most
 *     998 characters, when its addresses are valid (outbox_enqueue()
 *     refuses others).
 */
#include "fuzz.h"
#include "core/buf.h"
#include "core/validate.h"
#include "mail/mime.h"
#include <sodium.h>

#define NPIECES 8

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (sodium_init() < 0)
		abort();
	setenv("TZ", "Europe/Paris", 1);
	return 0;
}

/* Header text as mime.c sees it: controls become spaces. */
static void clean(buf *c, const char *s)
{
	for (; *s; s++)
		buf_addc(c, ((unsigned char)*s < 32 || *s == 127) ? ' ' : *s);
}

/* Runs of spaces as one, none at either end. */
static void collapse(buf *o, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' && (o->len == 0 || o->data[o->len - 1] == ' '))
			continue;
		buf_addc(o, *s);
	}
	while (o->len && o->data[o->len - 1] == ' ')
		o->data[--o->len] = 0;
}

/* Checks the shape of a header h[0..n) (one header, folded) and unfolds
 * its value (after "Name:") into u. */
static void header_shape(const char *h, size_t n, int short_words, buf *u)
{
	FUZZ_CHECK(n >= 2 && h[n - 2] == '\r' && h[n - 1] == '\n');
	size_t col = 0;
	const char *colon = memchr(h, ':', n);
	FUZZ_CHECK(colon);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		if (c == '\r') {
			FUZZ_CHECK(i + 1 < n && h[i + 1] == '\n');
			FUZZ_CHECK(i + 2 == n || h[i + 2] == ' '); /* a fold */
			FUZZ_CHECK(col <= 998);
			if (short_words)
				FUZZ_CHECK(col <= MIME_LINE_MAX);
			col = 0;
			i++;
			continue;
		}
		FUZZ_CHECK(c >= 0x20 && c < 0x7f);
		col++;
		if (h + i > colon)
			buf_addc(u, (char)c);
	}
}

/* Decodes an unfolded header value: encoded-words (adjacent ones joined)
 * and plain words (separated by one space). */
static void decode_words(const char *v, buf *out, int input_utf8)
{
	const char *p = v;
	int prev_encoded = 0, first = 1;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);
		if (wl >= 12 && memcmp(p, "=?UTF-8?B?", 10) == 0 && memcmp(p + wl - 2, "?=", 2) == 0) {
			FUZZ_CHECK(wl <= 75);
			unsigned char bin[80];
			size_t bl = 0;
			FUZZ_CHECK(sodium_base642bin(bin, sizeof bin, p + 10, wl - 12, NULL, &bl, NULL,
						     sodium_base64_VARIANT_ORIGINAL) == 0);
			if (input_utf8)
				FUZZ_CHECK(fuzz_utf8_ok(bin, bl));
			if (!first && !prev_encoded)
				buf_addc(out, ' ');
			buf_add(out, bin, bl);
			prev_encoded = 1;
		} else {
			if (!first)
				buf_addc(out, ' ');
			buf_add(out, p, wl);
			prev_encoded = 0;
		}
		first = 0;
		p += wl;
	}
}

static int longest_word(const char *s)
{
	int best = 0, cur = 0;
	for (; *s; s++) {
		cur = *s == ' ' ? 0 : cur + 1;
		if (cur > best)
			best = cur;
	}
	return best;
}

static void check_subject(const char *subject)
{
	buf h = BUF_INIT, u = BUF_INIT, c = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	mime_header(&h, "Subject", subject);
	clean(&c, subject);
	int encoded = strstr(c.data, "=?") != NULL;
	for (const char *p = c.data; *p; p++)
		encoded |= (unsigned char)*p >= 0x7f;
	header_shape(h.data, h.len, encoded || longest_word(c.data) <= 60, &u);
	decode_words(u.data, &got, fuzz_utf8_ok((const unsigned char *)subject, strlen(subject)));
	if (encoded)
		buf_add(&want, c.data, c.len);
	else
		collapse(&want, c.data);
	FUZZ_CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);
	buf_free(&h);
	buf_free(&u);
	buf_free(&c);
	buf_free(&want);
	buf_free(&got);
}

static void check_addr(const char *display, const char *addr)
{
	buf h = BUF_INIT, u = BUF_INIT, c = BUF_INIT, got = BUF_INIT;
	mime_header_addr(&h, "To", display, addr);
	clean(&c, display);
	int encoded = strstr(c.data, "=?") != NULL;
	for (const char *p = c.data; *p; p++)
		encoded |= (unsigned char)*p >= 0x7f;
	size_t quoted = c.len + 2; /* the quoted-string: backslashes added */
	for (const char *p = c.data; *p; p++)
		quoted += *p == '"' || *p == '\\';
	header_shape(h.data, h.len, strlen(addr) <= 60 && (encoded || quoted <= 62), &u);
	/* the value ends with " <addr>" */
	size_t al = strlen(addr);
	FUZZ_CHECK(u.len >= al + 3 && u.data[u.len - al - 3] == ' ' && u.data[u.len - al - 2] == '<' &&
		   memcmp(u.data + u.len - al - 1, addr, al) == 0 && u.data[u.len - 1] == '>');
	u.data[u.len - al - 3] = 0;
	if (!c.len) {
		FUZZ_CHECK(u.len == al + 3);
	} else if (encoded) {
		decode_words(u.data, &got, fuzz_utf8_ok((const unsigned char *)display, strlen(display)));
		FUZZ_CHECK(got.len == c.len && memcmp(got.data, c.data, c.len) == 0);
	} else { /* " \"quoted\"" */
		const char *q = u.data;
		FUZZ_CHECK(q[0] == ' ' && q[1] == '"');
		for (q += 2; *q && *q != '"'; q++) {
			if (*q == '\\')
				q++;
			FUZZ_CHECK(*q);
			buf_addc(&got, *q);
		}
		FUZZ_CHECK(*q == '"' && q[1] == 0);
		FUZZ_CHECK(got.len == c.len && memcmp(got.data, c.data, c.len) == 0);
	}
	buf_free(&h);
	buf_free(&u);
	buf_free(&c);
	buf_free(&got);
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Checks quoted-printable q[0..n) and decodes it into out. */
static void qp_decode(const char *q, size_t n, buf *out)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)q[i];
		if (c == '\r') {
			FUZZ_CHECK(i + 1 < n && q[i + 1] == '\n');
			FUZZ_CHECK(col <= MIME_LINE_MAX);
			FUZZ_CHECK(i == 0 || col == 0 || (q[i - 1] != ' ' && q[i - 1] != '\t'));
			buf_add(out, "\r\n", 2);
			col = 0;
			i++;
			continue;
		}
		FUZZ_CHECK((c >= 0x20 && c < 0x7f) || c == '\t');
		FUZZ_CHECK(!(col == 0 && c == '.'));
		if (c == '=') {
			FUZZ_CHECK(i + 2 < n);
			if (q[i + 1] == '\r') { /* soft break */
				FUZZ_CHECK(q[i + 2] == '\n' && col + 1 <= MIME_LINE_MAX);
				col = 0;
				i += 2;
				continue;
			}
			int hi = hexv(q[i + 1]), lo = hexv(q[i + 2]);
			FUZZ_CHECK(hi >= 0 && lo >= 0);
			buf_addc(out, (char)(hi * 16 + lo));
			col += 3;
			i += 2;
			continue;
		}
		buf_addc(out, (char)c);
		col++;
	}
	FUZZ_CHECK(col == 0); /* the last line ended */
}

/* The text as it should come back: CRLF line ends, a final one. */
static void qp_expect(const char *s, size_t n, buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (s[i] == '\n')
			buf_add(out, "\r\n", 2);
		else
			buf_addc(out, s[i]);
	}
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0 || n == 0)
		buf_add(out, "\r\n", 2);
}

static void check_qp(const char *text)
{
	size_t n = strlen(text);
	buf q = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	buf_adds(&q, "Subject: x\r\n\r\n");
	size_t hl = q.len;
	mime_qp(&q, text, n);
	qp_decode(q.data + hl, q.len - hl, &got);
	qp_expect(text, n, &want);
	FUZZ_CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);

	buf_free(&q);
	buf_free(&got);
	buf_free(&want);
}

static void check_base64(const unsigned char *d, size_t n)
{
	buf b = BUF_INIT;
	mime_base64(&b, d, n);
	size_t col = 0;
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == '\r') {
			FUZZ_CHECK(b.data[i + 1] == '\n' && col <= MIME_LINE_MAX);
			col = 0;
			i++;
		} else {
			col++;
		}
	}
	unsigned char *bin = malloc(n + 1);
	size_t bl = 0;
	FUZZ_CHECK(sodium_base642bin(bin, n + 1, b.data, b.len, "\r\n", &bl, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
	FUZZ_CHECK(bl == n && (n == 0 || memcmp(bin, d, n) == 0));
	free(bin);
	buf_free(&b);
}

static void check_message(const struct mime_msg *m, int strict)
{
	buf out = BUF_INIT;
	mime_build(m, &out);
	size_t col = 0;
	for (size_t i = 0; strict && i < out.len; i++) {
		unsigned char c = (unsigned char)out.data[i];
		if (c == '\r' && i + 1 < out.len && out.data[i + 1] == '\n') {
			FUZZ_CHECK(col <= 998);
			col = 0;
			i++;
			continue;
		}
		FUZZ_CHECK((c >= 0x20 && c < 0x7f) || c == '\t');
		col++;
	}
	FUZZ_CHECK(col == 0);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p[NPIECES];
	fuzz_split(data, size, '\0', NPIECES, p);
	size_t attl = size - (size_t)(p[NPIECES - 1] - p[0]);
	if (p[NPIECES - 1] == p[0] + size)
		attl = 0;
	const char *subject = p[0], *display = p[1], *addr = p[2], *text = p[3], *html = p[4], *reply = p[5],
		   *fname = p[6];
	const unsigned char *att = (const unsigned char *)p[7];
	const char *good_addr = valid_email(addr) ? addr : "candidat@exemple.fr";

	check_subject(subject);
	check_addr(display, good_addr);
	check_qp(text);
	check_qp(html);
	check_base64(att, attl);

	char name[16], maddr[24];
	mime_parse_mailbox(subject, name, sizeof name, maddr, sizeof maddr);
	FUZZ_CHECK(memchr(name, 0, sizeof name) && memchr(maddr, 0, sizeof maddr));
	size_t ml = strlen(maddr);
	if (ml && ml < sizeof maddr - 1)
		FUZZ_CHECK(maddr[0] != ' ' && maddr[ml - 1] != ' ');

	time_t t = 0;
	memcpy(&t, data, size < sizeof t ? size : sizeof t);
	char date[40];
	mime_date(date, t);
	FUZZ_CHECK(memchr(date, 0, sizeof date));

	static const char *const types[] = {"application/pdf", "text/calendar; charset=UTF-8; method=REQUEST", "", NULL};
	struct mime_attachment a = {fname, types[size % 4], att, attl};
	struct mime_msg m = {
		.from_name = "Certification Le Robert", .from_addr = "ne-pas-repondre@certification-lerobert.com",
		.to_name = display, .to_addr = good_addr, .reply_to = valid_email(reply) ? reply : NULL,
		.subject = subject, .text = text, .html = html, .att = &a, .natt = size % 3 == 0, .date = t,
		.message_id = size % 5 == 0 ? "<fuzz@exemple.fr>" : NULL,
	};
	check_message(&m, 1);
	m.to_addr = addr; /* not validated: no crash */
	m.html = NULL;
	check_message(&m, 0);

	free(p[0]);
	return 0;
}
