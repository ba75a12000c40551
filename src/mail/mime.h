/* mime.h - builds complete RFC 5322 / MIME messages as bytes.
 *
 * The outbox stores each message fully built at enqueue time, so the
 * builder writes into a buf rather than into a libcurl handle (see
 * docs/DECISIONS.md).  What it produces is 7-bit clean with CRLF line ends
 * and no line over 76 characters:
 *   - headers: UTF-8 text as RFC 2047 encoded-words ("=?UTF-8?B?...?="),
 *     folded at 76 columns; display names quoted or encoded;
 *   - Date (RFC 5322, local time with offset), Message-ID, MIME-Version;
 *   - text/plain alone, or multipart/alternative (text/plain + text/html),
 *     wrapped in multipart/mixed when there are attachments; text parts
 *     are UTF-8 quoted-printable, attachments base64 in 76-char lines.
 *
 * All output goes to caller-owned bufs; nothing else is allocated.
 */
#ifndef CLR_MIME_H
#define CLR_MIME_H
#include <stddef.h>
#include <time.h>
#include "core/buf.h"

#define MIME_LINE_MAX 76

struct mime_attachment {
	const char *filename;     /* UTF-8; RFC 2231-encoded when not ASCII */
	const char *content_type; /* "application/pdf"; default application/octet-stream */
	const unsigned char *data;
	size_t len;
};

struct mime_msg {
	const char *from_name, *from_addr; /* from_name may be NULL/"" */
	const char *to_name, *to_addr;
	const char *reply_to;              /* address, may be NULL */
	const char *subject;               /* UTF-8 */
	const char *text;                  /* UTF-8, \n or \r\n line ends; required */
	const char *html;                  /* may be NULL */
	const struct mime_attachment *att;
	int natt;
	time_t date;
	const char *message_id;            /* "<x@y>"; generated when NULL */
};

/* Appends the whole message to out. */
void mime_build(const struct mime_msg *m, buf *out);

/* Building blocks (exposed for the unit tests). */
/* "Name: value\r\n", value encoded per RFC 2047 if needed and folded. */
void mime_header(buf *out, const char *name, const char *value);
/* "Name: display <addr>\r\n" (display quoted or encoded; may be NULL). */
void mime_header_addr(buf *out, const char *name, const char *display, const char *addr);
/* Base64 in lines of 76 characters, each ended by CRLF. */
void mime_base64(buf *out, const unsigned char *data, size_t len);
/* Quoted-printable (RFC 2045), CRLF line ends, lines <= 76 characters. */
void mime_qp(buf *out, const char *text, size_t len);
/* "Tue, 05 Nov 2024 14:03:00 +0100" */
void mime_date(char out[40], time_t t);
/* "<16 hex digits.epoch@domain>" */
void mime_message_id(char *out, size_t n, const char *domain);

/* Splits "Name <addr>" or "addr" into its parts (arena-free: writes into
 * the caller's arrays, truncating). */
void mime_parse_mailbox(const char *s, char *name, size_t nn, char *addr, size_t na);

#endif
