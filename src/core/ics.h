/* ics.h - iCalendar (RFC 5545) writer for one event: the `.ics` attached to
 * convocation and self-proctoring notices.
 *
 * The output is one VCALENDAR (PRODID, VERSION:2.0, CALSCALE:GREGORIAN,
 * METHOD) holding a VTIMEZONE for Europe/Paris (timed events only: an
 * all-day event refers to no time zone) and one VEVENT.  Times are
 * local Europe/Paris wall-clock times (DTSTART/DTEND;TZID=Europe/Paris), or
 * whole days (VALUE=DATE) when no time is given.  Guarantees:
 *   - every line ends with CRLF and is at most 75 octets long (continuation
 *     lines start with one space), folded between UTF-8 sequences only;
 *   - TEXT values escape \ ; , and line breaks (any of CRLF, CR, LF becomes
 *     \n); other control characters are dropped, invalid UTF-8 becomes
 *     U+FFFD;
 *   - CN parameters are quoted when they contain ; : or , (a double quote,
 *     which RFC 5545 cannot carry, becomes an apostrophe);
 *   - the same event gives the same bytes (DTSTAMP is the caller's `stamp`).
 *
 * The VTIMEZONE states the EU rule in force since 1996 (last Sunday of
 * March 02:00 -> +0200, last Sunday of October 03:00 -> +0100) with
 * RRULEs, as Google Calendar and Outlook write it; it is hand-written, not
 * read from tzdata, so it is exact for events from 1996 on and must be
 * updated if France changes its rule.  Why this file is hand-written rather
 * than libical: docs/DECISIONS.md.
 */
#ifndef CLR_ICS_H
#define CLR_ICS_H
#include "core/buf.h"

enum ics_method {
	ICS_PUBLISH, /* information only: no reply expected */
	ICS_REQUEST, /* an invitation (the convocation): clients offer to add it */
	ICS_CANCEL,  /* withdraws the event of the same UID (STATUS:CANCELLED) */
};

struct ics_event {
	enum ics_method method;
	/* Stable per certification, e.g. "certification-123@certification-lerobert.com". */
	const char *uid;
	/* 0 at creation, +1 at each reschedule; a CANCEL carries the next one. */
	int sequence;
	const char *date;     /* "YYYY-MM-DD", Europe/Paris */
	const char *time;     /* "HH:MM" local; NULL or "" = an all-day event */
	int duration_min;     /* timed events: > 0 (105 for the exam); all-day: ignored (one day) */
	const char *summary, *location, *description; /* UTF-8, may be NULL */
	const char *organizer_email, *organizer_name; /* may be NULL */
	const char *attendee_email, *attendee_name;   /* may be NULL */
	long long stamp;      /* DTSTAMP, seconds since the epoch (UTC) */
};

/* Appends the calendar to out.  0, or CLR_EINVAL (nothing appended) when
 * uid is empty, date is not a real "YYYY-MM-DD", time is not "HH:MM", or a
 * timed event's duration is not between 1 minute and 7 days. */
int ics_write(buf *out, const struct ics_event *e);

/* "PUBLISH", "REQUEST", "CANCEL": also the `method` parameter of the
 * attachment's Content-Type (text/calendar; charset=UTF-8; method=...). */
const char *ics_method_name(enum ics_method m);

/* Lower-level pieces, exposed for tests and for other iCalendar writers. */
/* Appends one content line NAME (with its parameters) ":" VALUE, folded, CRLF. */
void ics_line(buf *out, const char *name, const char *value);
/* Appends s escaped as an RFC 5545 TEXT value (NULL = nothing). */
void ics_text(buf *out, const char *s);

#endif
