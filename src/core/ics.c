/* ics.c - the iCalendar writer (see ics.h): content-line folding at 75
 * octets between UTF-8 sequences, TEXT and parameter escaping, the
 * Europe/Paris VTIMEZONE, and the Europe/Paris offset arithmetic that turns
 * a local start plus a duration into a local end. */
#include "core/ics.h"
#include "core/err.h"
#include "core/text.h"
#include <ctype.h>
#include <string.h>
#include <time.h>
#include <unistr.h>

#define ICS_LINE_MAX 75 /* octets per physical line, CRLF excluded (RFC 5545 3.1) */

const char *ics_method_name(enum ics_method m)
{
	switch (m) {
	case ICS_REQUEST:
		return "REQUEST";
	case ICS_CANCEL:
		return "CANCEL";
	case ICS_PUBLISH:
		break;
	}
	return "PUBLISH";
}

/* ---- content lines ------------------------------------------------------ */

/* Octets of the unit starting at s that must stay on one line: a UTF-8
 * sequence (a malformed one counts as single bytes) or a backslash escape. */
static size_t unit_len(const unsigned char *s, size_t left)
{
	if (s[0] == '\\' && left > 1)
		return 2;
	size_t n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3 : (s[0] >> 3) == 30 ? 4 : 1;
	if (n > left)
		return 1;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

static void fold(buf *out, const char *s, size_t n, size_t *col)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t u = unit_len(p + i, n - i);
		if (*col + u > ICS_LINE_MAX) {
			buf_add(out, "\r\n ", 3);
			*col = 1;
		}
		buf_add(out, s + i, u);
		*col += u;
		i += u;
	}
}

void ics_line(buf *out, const char *name, const char *value)
{
	size_t col = 0;
	fold(out, name, strlen(name), &col);
	fold(out, ":", 1, &col);
	fold(out, value, strlen(value), &col);
	buf_add(out, "\r\n", 2);
}

void ics_text(buf *out, const char *s)
{
	if (!s)
		return;
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	while (n) {
		ucs4_t c;
		int len = u8_mbtouc(&c, p, n);
		if (c == '\\' || c == ';' || c == ',') {
			buf_addc(out, '\\');
			buf_addc(out, (char)c);
		} else if (c == '\r' || c == '\n') {
			buf_add(out, "\\n", 2);
			if (c == '\r' && n > 1 && p[1] == '\n')
				len = 2;
		} else if (c == 0xFFFD && !(len == 3 && memcmp(p, "\xEF\xBF\xBD", 3) == 0)) {
			buf_add(out, "\xEF\xBF\xBD", 3); /* malformed input */
		} else if ((c >= 0x20 || c == '\t') && c != 0x7F) {
			buf_add(out, p, (size_t)len);
		} /* else: a control character, which TEXT cannot carry */
		p += len;
		n -= (size_t)len;
	}
}

/* A parameter value (RFC 5545 3.2): controls dropped, DQUOTE (which a
 * quoted-string cannot hold) turned into an apostrophe, quoted when it
 * holds ; : or , (which paramtext cannot). */
static void param_value(buf *out, const char *s)
{
	buf v = BUF_INIT;
	int quote = 0;
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	while (n) {
		ucs4_t c;
		int len = u8_mbtouc(&c, p, n);
		if (c == '"')
			buf_addc(&v, '\'');
		else if (c == 0xFFFD && !(len == 3 && memcmp(p, "\xEF\xBF\xBD", 3) == 0))
			buf_add(&v, "\xEF\xBF\xBD", 3);
		else if (c == '\t' || c == '\r' || c == '\n')
			buf_addc(&v, ' ');
		else if (c >= 0x20 && c != 0x7F)
			buf_add(&v, p, (size_t)len);
		/* other controls: dropped */
		quote |= c == ';' || c == ':' || c == ',';
		p += len;
		n -= (size_t)len;
	}
	if (quote)
		buf_addc(out, '"');
	buf_add(out, v.data, v.len);
	if (quote)
		buf_addc(out, '"');
	buf_free(&v);
}

/* "mailto:ADDRESS" with controls and spaces left out. */
static void cal_address(buf *out, const char *email)
{
	buf_adds(out, "mailto:");
	for (const unsigned char *p = (const unsigned char *)email; *p; p++)
		if (*p > 0x20 && *p != 0x7F)
			buf_addc(out, (char)*p);
}

/* ---- Europe/Paris time -------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static long long floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Day number of the last Sunday of month m (March or October: 31 days). */
static long long last_sunday(int y, int m)
{
	long long last = days_from_civil(y, m, 31);
	long long wday = ((last + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */
	return last - wday;
}

/* UTC offset of Europe/Paris at UTC time u: summer time from the last
 * Sunday of March to the last Sunday of October, 01:00 UTC both. */
static int paris_offset(long long u)
{
	int y, m, d;
	civil_from_days(floor_div(u, 86400), &y, &m, &d);
	long long start = last_sunday(y, 3) * 86400 + 3600, end = last_sunday(y, 10) * 86400 + 3600;
	return u >= start && u < end ? 7200 : 3600;
}

/* Local wall-clock seconds (as if UTC) -> UTC.  The autumn's repeated hour
 * is read as summer time (its first occurrence); the spring's missing hour
 * as winter time (02:30 means 03:30 summer time), as calendar clients do. */
static long long paris_to_utc(long long local)
{
	if (paris_offset(local - 7200) == 7200)
		return local - 7200;
	return local - 3600;
}

/* ---- the calendar ------------------------------------------------------- */

static const char vtimezone[] =
	"BEGIN:VTIMEZONE\r\n"
	"TZID:Europe/Paris\r\n"
	"X-LIC-LOCATION:Europe/Paris\r\n"
	"BEGIN:DAYLIGHT\r\n"
	"TZOFFSETFROM:+0100\r\n"
	"TZOFFSETTO:+0200\r\n"
	"TZNAME:CEST\r\n"
	"DTSTART:19700329T020000\r\n"
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
	"END:DAYLIGHT\r\n"
	"BEGIN:STANDARD\r\n"
	"TZOFFSETFROM:+0200\r\n"
	"TZOFFSETTO:+0100\r\n"
	"TZNAME:CET\r\n"
	"DTSTART:19701025T030000\r\n"
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	"END:STANDARD\r\n"
	"END:VTIMEZONE\r\n";

static int strict_date(const char *s, int *y, int *m, int *d)
{
	return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && date_parse(s, y, m, d);
}

static int strict_time(const char *s)
{
	char norm[6];
	if (!s || strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	return time_parse(s, norm);
}

/* NAME:VALUE with VALUE escaped as TEXT; nothing when s is NULL or "". */
static void text_prop(buf *out, buf *scratch, const char *name, const char *s)
{
	if (str_empty(s))
		return;
	buf_reset(scratch);
	ics_text(scratch, s);
	ics_line(out, name, scratch->data);
}

/* ORGANIZER or ATTENDEE with its CN and extra parameters. */
static void address_prop(buf *out, buf *name, buf *value, const char *prop, const char *cn, const char *extra,
			 const char *email)
{
	buf_reset(name);
	buf_adds(name, prop);
	if (!str_empty(cn)) {
		buf_adds(name, ";CN=");
		param_value(name, cn);
	}
	if (extra)
		buf_adds(name, extra);
	buf_reset(value);
	cal_address(value, email);
	ics_line(out, name->data, value->data);
}

int ics_write(buf *out, const struct ics_event *e)
{
	int y, m, d, minutes = -1;
	int timed = !str_empty(e->time);
	if (str_empty(e->uid) || !strict_date(e->date, &y, &m, &d))
		return CLR_EINVAL;
	if (timed && ((minutes = strict_time(e->time)) < 0 || e->duration_min < 1 || e->duration_min > 7 * 24 * 60))
		return CLR_EINVAL;
	if (e->method != ICS_PUBLISH && (str_empty(e->organizer_email) || str_empty(e->attendee_email)))
		return CLR_EINVAL; /* iTIP (RFC 5546): REQUEST and CANCEL name both */

	buf s = BUF_INIT, t = BUF_INIT;
	ics_line(out, "BEGIN", "VCALENDAR");
	ics_line(out, "PRODID", "-//Certification Le Robert//Plateforme administrateur//FR");
	ics_line(out, "VERSION", "2.0");
	ics_line(out, "CALSCALE", "GREGORIAN");
	ics_line(out, "METHOD", ics_method_name(e->method));
	if (timed)
		buf_add(out, vtimezone, sizeof vtimezone - 1);
	ics_line(out, "BEGIN", "VEVENT");
	text_prop(out, &s, "UID", e->uid);
	buf_reset(&s);
	buf_printf(&s, "%d", e->sequence < 0 ? 0 : e->sequence);
	ics_line(out, "SEQUENCE", s.data);

	time_t stamp = (time_t)e->stamp;
	struct tm tm;
	gmtime_r(&stamp, &tm);
	buf_reset(&s);
	buf_printf(&s, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		   tm.tm_min, tm.tm_sec);
	ics_line(out, "DTSTAMP", s.data);

	long long day = days_from_civil(y, m, d);
	if (timed) {
		long long start_local = day * 86400 + minutes * 60LL;
		long long end_utc = paris_to_utc(start_local) + e->duration_min * 60LL;
		long long end_local = end_utc + paris_offset(end_utc);
		int ey, em, ed;
		civil_from_days(floor_div(end_local, 86400), &ey, &em, &ed);
		long long sod = end_local - floor_div(end_local, 86400) * 86400;
		buf_reset(&s);
		buf_printf(&s, "%04d%02d%02dT%02d%02d00", y, m, d, minutes / 60, minutes % 60);
		ics_line(out, "DTSTART;TZID=Europe/Paris", s.data);
		buf_reset(&s);
		buf_printf(&s, "%04d%02d%02dT%02d%02d%02d", ey, em, ed, (int)(sod / 3600), (int)(sod / 60 % 60),
			   (int)(sod % 60));
		ics_line(out, "DTEND;TZID=Europe/Paris", s.data);
	} else {
		int ey, em, ed;
		civil_from_days(day + 1, &ey, &em, &ed);
		buf_reset(&s);
		buf_printf(&s, "%04d%02d%02d", y, m, d);
		ics_line(out, "DTSTART;VALUE=DATE", s.data);
		buf_reset(&s);
		buf_printf(&s, "%04d%02d%02d", ey, em, ed);
		ics_line(out, "DTEND;VALUE=DATE", s.data);
	}
	text_prop(out, &s, "SUMMARY", e->summary);
	text_prop(out, &s, "LOCATION", e->location);
	text_prop(out, &s, "DESCRIPTION", e->description);
	if (!str_empty(e->organizer_email))
		address_prop(out, &s, &t, "ORGANIZER", e->organizer_name, NULL, e->organizer_email);
	if (!str_empty(e->attendee_email))
		address_prop(out, &s, &t, "ATTENDEE", e->attendee_name,
			     e->method == ICS_PUBLISH ? NULL
						      : ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE",
			     e->attendee_email);
	ics_line(out, "STATUS", e->method == ICS_CANCEL ? "CANCELLED" : "CONFIRMED");
	ics_line(out, "TRANSP", "OPAQUE");
	ics_line(out, "END", "VEVENT");
	ics_line(out, "END", "VCALENDAR");
	buf_free(&s);
	buf_free(&t);
	return 0;
}
