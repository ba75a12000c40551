/* test_mime.c - the MIME builder (src/mail/mime.c): RFC 2047 header
 * encoding and folding, base64 line length, quoted-printable, multipart
 * structure; plus the worker's back-off and the
 * mail templates' .txt/.html lookup.  Every encoded form is decoded back
 * by the small independent decoders below and compared with the input.
 */
#include "test.h"
#include "core/buf.h"
#include "core/tmpl.h"
#include "core/view.h"
#include "mail/mime.h"
#include "mail/worker.h"
#include <stdlib.h>

/* ---- independent decoders -------------------------------------------------- */

static int b64val(char c)
{
	const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(t, c) : NULL;
	return p ? (int)(p - t) : -1;
}

/* Decodes base64 (ignoring CR/LF) into out; returns the length or -1. */
static long b64dec(const char *s, size_t n, unsigned char *out)
{
	long o = 0;
	int acc = 0, bits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '=')
			break;
		int v = b64val(s[i]);
		if (v < 0)
			return -1;
		acc = ((acc << 6) | v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

/* Unfolds a header block and decodes =?UTF-8?B?...?= words (whitespace
 * between adjacent encoded-words dropped, as RFC 2047 says). */
static void hdr_decode(const char *value, buf *out)
{
	buf unf = BUF_INIT;
	for (const char *p = value; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			p++;
			continue;
		}
		buf_addc(&unf, *p);
	}
	const char *p = unf.data;
	int last_was_word = 0;
	while (*p) {
		const char *sp = p;
		while (*p == ' ')
			p++;
		if (strncmp(p, "=?UTF-8?B?", 10) == 0) {
			const char *e = strstr(p + 10, "?=");
			if (!e)
				break;
			unsigned char tmp[256];
			long n = b64dec(p + 10, (size_t)(e - p - 10), tmp);
			if (!last_was_word && sp != p && out->len)
				buf_add(out, sp, (size_t)(p - sp));
			buf_add(out, tmp, (size_t)(n < 0 ? 0 : n));
			p = e + 2;
			last_was_word = 1;
		} else {
			if (sp != p && out->len)
				buf_add(out, sp, (size_t)(p - sp));
			const char *e = p;
			while (*e && *e != ' ')
				e++;
			buf_add(out, p, (size_t)(e - p));
			p = e;
			last_was_word = 0;
		}
	}
	buf_free(&unf);
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void qp_decode(const char *s, buf *out)
{
	for (const char *p = s; *p; p++) {
		if (*p == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
		} else if (*p == '=' && hexv(p[1]) >= 0 && hexv(p[2]) >= 0) {
			buf_addc(out, (char)(hexv(p[1]) * 16 + hexv(p[2])));
			p += 2;
		} else if (*p == '\r' && p[1] == '\n') {
			buf_addc(out, '\n');
			p++;
		} else {
			buf_addc(out, *p);
		}
	}
}

/* Longest line (CRLF-separated) and whether a bare LF or CR occurs. */
static size_t max_line(const char *s, int *bare)
{
	size_t m = 0, cur = 0;
	*bare = 0;
	for (const char *p = s; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n') {
			m = cur > m ? cur : m;
			cur = 0;
			p++;
		} else if (*p == '\r' || *p == '\n') {
			*bare = 1;
		} else {
			cur++;
		}
	}
	return cur > m ? cur : m;
}

/* The value part of "Name: value\r\n( value\r\n)*". */
static const char *hvalue(const char *h)
{
	const char *c = strchr(h, ':');
	return c ? c + 1 : h;
}

/* ---- base64 ---------------------------------------------------------------- */

TEST(mime_base64_vectors)
{
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const want[] = {"", "Zg==\r\n", "Zm8=\r\n", "Zm9v\r\n", "Zm9vYg==\r\n", "Zm9vYmE=\r\n",
					   "Zm9vYmFy\r\n"};
	for (int i = 0; i < 7; i++) {
		buf b = BUF_INIT;
		mime_base64(&b, (const unsigned char *)in[i], strlen(in[i]));
		CHECK_STR(b.data, want[i]);
		buf_free(&b);
	}
}

TEST(mime_base64_lines_of_76)
{
	unsigned char data[1000], back[1000];
	for (int i = 0; i < 1000; i++)
		data[i] = (unsigned char)(i * 37 + 11);
	buf b = BUF_INIT;
	mime_base64(&b, data, sizeof data);
	int bare;
	CHECK_INT(max_line(b.data, &bare), 76);
	CHECK(!bare);
	/* every line but the last is exactly 76 characters */
	const char *p = b.data;
	int full = 0;
	while (*p) {
		const char *e = strstr(p, "\r\n");
		if (!e)
			break;
		if (e[2])
			CHECK_INT(e - p, 76);
		full++;
		p = e + 2;
	}
	CHECK_INT(full, (1000 + 56) / 57);
	CHECK_INT(b64dec(b.data, b.len, back), 1000);
	CHECK(memcmp(back, data, 1000) == 0);
	buf_free(&b);
}

/* ---- headers --------------------------------------------------------------- */

TEST(mime_header_ascii_unchanged)
{
	buf b = BUF_INIT;
	mime_header(&b, "Subject", "Votre commande CMD-0042");
	CHECK_STR(b.data, "Subject: Votre commande CMD-0042\r\n");
	buf_free(&b);
}

TEST(mime_header_ascii_folded_at_spaces)
{
	const char *s = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
			"tempor incididunt ut labore et dolore magna aliqua";
	buf b = BUF_INIT, d = BUF_INIT;
	mime_header(&b, "Subject", s);
	int bare;
	CHECK(max_line(b.data, &bare) <= 76);
	CHECK(!bare);
	CHECK(strstr(b.data, "\r\n ") != NULL); /* folded */
	hdr_decode(hvalue(b.data), &d);
	CHECK_STR(d.data, s);
	buf_free(&b);
	buf_free(&d);
}

TEST(mime_header_utf8_encoded_words_round_trip)
{
	const char *subjects[] = {
		"Message d’essai — Certification Le Robert : accents « éèàçô »",
		"Convocation à l’examen du 15 janvier 2025 au bureau de poste de Saint-Étienne-du-Rouvray "
		"— présentez-vous 30 minutes avant l’heure, muni d’une pièce d’identité",
		"é", "日本語のテスト😀 emoji et accents àâäéèêëîïôöùûüç",
	};
	for (size_t i = 0; i < sizeof subjects / sizeof *subjects; i++) {
		buf b = BUF_INIT, d = BUF_INIT;
		mime_header(&b, "Subject", subjects[i]);
		int bare;
		CHECK(max_line(b.data, &bare) <= 76);
		CHECK(!bare);
		CHECK(strncmp(b.data, "Subject: =?UTF-8?B?", 19) == 0);
		/* no 8-bit byte on the wire */
		for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
			CHECK(*p < 128);
		/* every continuation line starts with a space */
		for (const char *p = strstr(b.data, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n"))
			CHECK(p[2] == ' ');
		hdr_decode(hvalue(b.data), &d);
		CHECK_STR(d.data, subjects[i]);
		buf_free(&b);
		buf_free(&d);
	}
}

TEST(mime_header_words_never_split_a_character)
{
	/* 3-byte characters: an encoded-word boundary inside one would decode
	 * to invalid UTF-8 in each word */
	char s[400] = "";
	for (int i = 0; i < 60; i++)
		strcat(s, "€");
	buf b = BUF_INIT;
	mime_header(&b, "Subject", s);
	for (const char *p = strstr(b.data, "=?UTF-8?B?"); p; p = strstr(p + 1, "=?UTF-8?B?")) {
		const char *e = strstr(p + 10, "?=");
		unsigned char tmp[128];
		long n = b64dec(p + 10, (size_t)(e - p - 10), tmp);
		CHECK(n > 0 && n % 3 == 0);
		CHECK(e - p + 2 <= 75); /* RFC 2047: an encoded-word is at most 75 characters */
	}
	buf_free(&b);
}

TEST(mime_header_no_injection)
{
	buf b = BUF_INIT;
	mime_header(&b, "Subject", "Bonjour\r\nBcc: victime@example.test");
	CHECK(strstr(b.data, "\r\nBcc") == NULL);
	CHECK_STR(b.data, "Subject: Bonjour Bcc: victime@example.test\r\n");
	buf_reset(&b);
	mime_header_addr(&b, "To", "Jean\r\nBcc: x@y.test", "jean@example.test");
	CHECK(strstr(b.data, "\r\nBcc") == NULL);
	buf_free(&b);
}

TEST(mime_header_address_display_names)
{
	buf b = BUF_INIT, d = BUF_INIT;
	mime_header_addr(&b, "From", "Certification Le Robert", "no-reply@example.test");
	CHECK_STR(b.data, "From: \"Certification Le Robert\" <no-reply@example.test>\r\n");
	buf_reset(&b);
	mime_header_addr(&b, "To", "Dupont, \"Jean\"", "jean@example.test");
	CHECK_STR(b.data, "To: \"Dupont, \\\"Jean\\\"\" <jean@example.test>\r\n");
	buf_reset(&b);
	mime_header_addr(&b, "To", NULL, "jean@example.test");
	CHECK_STR(b.data, "To: <jean@example.test>\r\n");
	buf_reset(&b);
	mime_header_addr(&b, "To", "Zoé Lefèvre", "zoe@example.test");
	CHECK(strncmp(b.data, "To: =?UTF-8?B?", 14) == 0);
	CHECK(strstr(b.data, " <zoe@example.test>\r\n") != NULL);
	hdr_decode(hvalue(b.data), &d);
	CHECK_STR(d.data, "Zoé Lefèvre <zoe@example.test>");
	buf_free(&b);
	buf_free(&d);
}

TEST(mime_parse_mailbox_forms)
{
	char n[64], a[64];
	mime_parse_mailbox("Certification Le Robert <no-reply@x.test>", n, sizeof n, a, sizeof a);
	CHECK_STR(n, "Certification Le Robert");
	CHECK_STR(a, "no-reply@x.test");
	mime_parse_mailbox("\"Le Robert\" < ventes@x.test >", n, sizeof n, a, sizeof a);
	CHECK_STR(n, "Le Robert");
	CHECK_STR(a, "ventes@x.test");
	mime_parse_mailbox("  support@x.test ", n, sizeof n, a, sizeof a);
	CHECK_STR(n, "");
	CHECK_STR(a, "support@x.test");
}

TEST(mime_date_format)
{
	char d[40];
	mime_date(d, 0);
	/* "Thu, 01 Jan 1970 01:00:00 +0100" in Europe/Paris, whatever TZ is */
	CHECK(strlen(d) == 31);
	CHECK(strncmp(d, "Thu, 01 Jan 1970 ", 17) == 0 || strncmp(d, "Wed, 31 Dec 1969 ", 17) == 0);
	CHECK(d[26] == '+' || d[26] == '-');
	/* a time localtime_r() cannot convert: the epoch, not garbage read
	 * out of bounds (found by fuzz/mime.c) */
	mime_date(d, (time_t)0x7fffffffffffff7fLL);
	CHECK(strlen(d) == 31);
	CHECK(strncmp(d, "Thu, 01 Jan 1970 ", 17) == 0 || strncmp(d, "Wed, 31 Dec 1969 ", 17) == 0);
}

/* ---- quoted-printable -------------------------------------------------------- */

TEST(mime_qp_round_trip_and_line_length)
{
	const char *in = "Bonjour Zoé,\n\nLigne très longue : "
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "éééééééééééééééééééééééééééééééééééééé fin\n"
			 "a=b, espace finale \n.point en début de ligne\nDernière ligne sans fin";
	buf b = BUF_INIT, d = BUF_INIT;
	mime_qp(&b, in, strlen(in));
	int bare;
	CHECK(max_line(b.data, &bare) <= 76);
	CHECK(!bare);
	for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
		CHECK(*p < 128);
	CHECK(strstr(b.data, "a=3Db") != NULL);
	CHECK(strstr(b.data, "finale=20\r\n") != NULL); /* trailing space protected */
	CHECK(strstr(b.data, "\r\n=2Epoint") != NULL);  /* no line starts with '.' */
	CHECK(strstr(b.data, "\r\n.") == NULL);
	qp_decode(b.data, &d);
	/* the encoder ends the last line */
	CHECK(d.len == strlen(in) + 1 && d.data[d.len - 1] == '\n');
	d.data[--d.len] = 0;
	CHECK_STR(d.data, in);
	buf_free(&b);
	buf_free(&d);
}

TEST(mime_qp_crlf_input)
{
	buf b = BUF_INIT;
	mime_qp(&b, "un\r\ndeux\n", 9);
	CHECK_STR(b.data, "un\r\ndeux\r\n");
	buf_free(&b);
}

/* ---- whole messages ------------------------------------------------------------ */

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The boundary parameter that follows `after` in s. */
static void boundary_of(const char *s, const char *after, char *out, size_t n)
{
	const char *p = strstr(s, after);
	p = p ? strstr(p, "boundary=\"") : NULL;
	out[0] = 0;
	if (!p)
		return;
	p += 10;
	const char *e = strchr(p, '"');
	snprintf(out, n, "%.*s", (int)(e - p), p);
}

TEST(mime_build_structure)
{
	unsigned char pdf[300];
	for (int i = 0; i < 300; i++)
		pdf[i] = (unsigned char)i;
	const char *ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	struct mime_attachment att[2] = {
		{"convocation.pdf", "application/pdf", pdf, sizeof pdf},
		{"invitation.ics", "text/calendar", (const unsigned char *)ics, strlen(ics)},
	};
	struct mime_msg m = {
		.from_name = "Certification Le Robert", .from_addr = "no-reply@certification-lerobert.test",
		.to_name = "Zoé", .to_addr = "zoe@example.test", .reply_to = "support@example.test",
		.subject = "Votre convocation à l’examen", .text = "Bonjour Zoé,\n", .html = "<p>Bonjour Zoé,</p>",
		.att = att, .natt = 2, .date = 1700000000,
	};
	buf b = BUF_INIT;
	mime_build(&m, &b);
	int bare;
	CHECK(max_line(b.data, &bare) <= 76);
	CHECK(!bare);
	for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
		CHECK(*p < 128);
	const char *body = strstr(b.data, "\r\n\r\n");
	CHECK(body != NULL);
	CHECK(strstr(b.data, "MIME-Version: 1.0\r\n") != NULL);
	CHECK(strstr(b.data, "Date: Tue, 14 Nov 2023 ") != NULL);
	CHECK(strstr(b.data, "Message-ID: <") != NULL && strstr(b.data, "@certification-lerobert.test>\r\n") != NULL);
	CHECK(strstr(b.data, "Reply-To: <support@example.test>\r\n") != NULL);
	char mixed[64], alt[64];
	boundary_of(b.data, "Content-Type: multipart/mixed;", mixed, sizeof mixed);
	boundary_of(b.data, "Content-Type: multipart/alternative;", alt, sizeof alt);
	CHECK(*mixed && *alt && strcmp(mixed, alt) != 0);
	char open1[80], close1[80], open2[80], close2[80];
	snprintf(open1, sizeof open1, "\r\n--%s\r\n", mixed);
	snprintf(close1, sizeof close1, "\r\n--%s--\r\n", mixed);
	snprintf(open2, sizeof open2, "\r\n--%s\r\n", alt);
	snprintf(close2, sizeof close2, "\r\n--%s--\r\n", alt);
	CHECK_INT(count(b.data, open1), 3); /* alternative + 2 attachments */
	CHECK_INT(count(b.data, close1), 1);
	CHECK_INT(count(b.data, open2), 2); /* text + html */
	CHECK_INT(count(b.data, close2), 1);
	/* nesting: the alternative closes before the first attachment */
	CHECK(strstr(b.data, close2) < strstr(b.data, "application/pdf"));
	/* the mixed closing delimiter ends the message */
	CHECK(strcmp(b.data + b.len - strlen(close1), close1) == 0);
	CHECK(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable") != NULL);
	CHECK(strstr(b.data, "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable") != NULL);
	CHECK(strstr(b.data, "Bonjour Zo=C3=A9,") != NULL);
	CHECK(strstr(b.data, "filename=\"convocation.pdf\"") != NULL);
	/* the PDF's base64 decodes back to the bytes */
	const char *p = strstr(b.data, "filename=\"convocation.pdf\"");
	p = strstr(p, "\r\n\r\n") + 4;
	const char *e = strstr(p, "\r\n--");
	unsigned char back[400];
	CHECK_INT(b64dec(p, (size_t)(e - p), back), 300);
	CHECK(memcmp(back, pdf, 300) == 0);
	buf_free(&b);
}

TEST(mime_build_text_only)
{
	struct mime_msg m = {
		.from_addr = "a@example.test", .to_addr = "b@example.test", .subject = "Test", .text = "Salut\n",
		.date = 1700000000, .message_id = "<fixe@example.test>",
	};
	buf b = BUF_INIT;
	mime_build(&m, &b);
	CHECK(strstr(b.data, "multipart") == NULL);
	CHECK(strstr(b.data, "Message-ID: <fixe@example.test>\r\n") != NULL);
	CHECK(strstr(b.data, "From: <a@example.test>\r\n") != NULL);
	CHECK(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\n") != NULL);
	CHECK(strcmp(b.data + b.len - 9, "\r\nSalut\r\n") == 0);
	buf_free(&b);
}

TEST(mime_build_utf8_attachment_name)
{
	struct mime_attachment att = {"Convocation Zoé.pdf", "application/pdf", (const unsigned char *)"%PDF", 4};
	struct mime_msg m = {.from_addr = "a@example.test", .to_addr = "b@example.test", .subject = "x",
			     .text = "x", .att = &att, .natt = 1, .date = 1};
	buf b = BUF_INIT;
	mime_build(&m, &b);
	CHECK(strstr(b.data, "filename*=UTF-8''Convocation%20Zo%C3%A9.pdf\r\n") != NULL);
	buf_free(&b);
}

/* ---- worker and templates ------------------------------------------------------- */

TEST(mail_backoff_doubles_and_caps)
{
	CHECK_INT(mail_backoff_s(1, 30), 30);
	CHECK_INT(mail_backoff_s(2, 30), 60);
	CHECK_INT(mail_backoff_s(4, 30), 240);
	CHECK_INT(mail_backoff_s(8, 30), 3600);
	CHECK_INT(mail_backoff_s(40, 30), 3600);
	CHECK_INT(mail_backoff_s(3, 0), 0);
}

TEST(tmpl_mail_txt_and_html_share_a_name)
{
	CHECK_INT(tmpl_init(), 0);
	CHECK(tmpl_exists("mail/test.txt"));
	CHECK(tmpl_exists("mail/test.html"));
	CHECK(!tmpl_exists("mail/nope.txt"));
	arena *a = arena_new();
	view *v = view_new(a);
	view_set(v, "name", "<Zoé>");
	buf t = BUF_INIT, h = BUF_INIT;
	CHECK_INT(tmpl_render("mail/test.txt", v, &t), 0);
	CHECK_INT(tmpl_render("mail/test.html", v, &h), 0);
	CHECK(strstr(t.data, "Bonjour <Zoé>,") != NULL);   /* text: not escaped */
	CHECK(strstr(h.data, "Bonjour &lt;Zoé&gt;,") != NULL); /* HTML: escaped */
	CHECK(strstr(t.data, "<p>") == NULL);
	buf_free(&t);
	buf_free(&h);
	arena_free(a);
}
