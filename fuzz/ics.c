/* fuzz/ics.c - the iCalendar writer of convocations (src/core/ics.c):
 * ics_write() of one event with fuzzed strings, and ics_line()/ics_text().
 *
 * Input: NUL-separated pieces: method (0-2), sequence, uid, date, time,
 * duration in minutes, summary, location, description, organizer e-mail,
 * organizer name, attendee e-mail, attendee name, stamp (seconds).
 * Invariants beyond « no crash »:
 *   - ics_write() refuses (CLR_EINVAL, nothing written) exactly: an empty
 *     uid, a date that is not a real "YYYY-MM-DD", a time that is not
 *     "HH:MM", a timed event lasting less than 1 minute or more than 7
 *     days, a REQUEST or CANCEL without both e-mails;
 *   - otherwise every line ends with CRLF and is at most 75 octets, no CR or
 *     LF elsewhere, a continuation line starts with one space and never
 *     splits a UTF-8 sequence; unfolded, every content line is
 *     NAME[;PARAMS]:VALUE, BEGIN/END pairs nest, there is one VEVENT with
 *     one UID, DTSTART and DTEND; the text is valid UTF-8 when the e-mails
 *     are (TEXT values turn invalid bytes into U+FFFD);
 *   - TEXT values decode back (unescaping \\ \; \, \n) to the input with
 *     line breaks as \n and other controls dropped;
 *   - a timed event's DTEND, read as Europe/Paris time by the C library
 *     (TZ=Europe/Paris, independent of ics.c's own arithmetic), is its
 *     DTSTART plus the duration, unless the start falls in the hour that
 *     the change of time skips or repeats.
 */
#include "fuzz.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/ics.h"
#include "core/text.h"
#include <time.h>

enum { P_METHOD, P_SEQ, P_UID, P_DATE, P_TIME, P_DUR, P_SUMMARY, P_LOCATION, P_DESC, P_ORG_MAIL, P_ORG_NAME,
       P_ATT_MAIL, P_ATT_NAME, P_STAMP, NP };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	return 0;
}

/* Unfolds out[0..n) into lines (each NUL-terminated in one malloc'd block);
 * checks the physical lines on the way. */
static int unfold(const char *s, size_t n, char **lines, int max, char **block)
{
	char *b = malloc(n + 1), *o = b;
	int k = 0;
	size_t col = 0;
	lines[k++] = b;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			FUZZ_CHECK(i + 1 < n && s[i + 1] == '\n');
			FUZZ_CHECK(col <= 75);
			if (i + 2 < n && s[i + 2] == ' ') {
				i += 2; /* continuation: CRLF SP removed */
				col = 1;
				continue;
			}
			*o++ = 0;
			if (i + 2 < n) {
				FUZZ_CHECK(k < max);
				lines[k++] = o;
			}
			i++;
			col = 0;
			continue;
		}
		FUZZ_CHECK(s[i] != '\n');
		*o++ = s[i];
		col++;
	}
	FUZZ_CHECK(n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n');
	*o = 0;
	*block = b;
	return k;
}

/* TEXT value v unescaped into out. */
static void unescape(const char *v, buf *out)
{
	for (; *v; v++) {
		if (*v == '\\') {
			v++;
			FUZZ_CHECK(*v == '\\' || *v == ';' || *v == ',' || *v == 'n');
			buf_addc(out, *v == 'n' ? '\n' : *v);
		} else {
			FUZZ_CHECK(*v != ';' && *v != ',');
			buf_addc(out, *v);
		}
	}
}

/* What a TEXT value should decode to: line breaks (CRLF, CR, LF) as \n,
 * controls but tab dropped; valid UTF-8 only (invalid input is checked
 * for validity of the output only). */
static void text_expect(const char *s, buf *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\r') {
			buf_addc(out, '\n');
			if (s[1] == '\n')
				s++;
		} else if (c == '\n') {
			buf_addc(out, '\n');
		} else if (c >= 0x20 || c == '\t') {
			if (c != 0x7f)
				buf_addc(out, (char)c);
		}
	}
}

/* The value of property NAME of the VEVENT (there once), or NULL. */
static const char *value_of(char **lines, int n, const char *name)
{
	size_t nl = strlen(name);
	const char *found = NULL;
	int in = 0;
	for (int i = 0; i < n; i++)
		if (strcmp(lines[i], "BEGIN:VEVENT") == 0)
			in = 1;
		else if (strcmp(lines[i], "END:VEVENT") == 0)
			in = 0;
		else if (in && strncmp(lines[i], name, nl) == 0 && (lines[i][nl] == ':' || lines[i][nl] == ';')) {
			FUZZ_CHECK(!found); /* once */
			found = strchr(lines[i] + nl, ':') + 1;
		}
	return found;
}

static long long local_seconds(int y, int mo, int d, int h, int mi, int s, int *ok)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
			.tm_sec = s, .tm_isdst = -1};
	time_t t = mktime(&tm);
	*ok = tm.tm_hour == h && tm.tm_min == mi; /* not in a skipped hour */
	return (long long)t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p[NP];
	fuzz_split(data, size, '\0', NP, p);
	struct ics_event e = {
		.method = (enum ics_method)(atoi(p[P_METHOD]) % 3 < 0 ? 0 : atoi(p[P_METHOD]) % 3),
		.uid = p[P_UID], .sequence = atoi(p[P_SEQ]), .date = p[P_DATE], .time = p[P_TIME],
		.duration_min = atoi(p[P_DUR]), .summary = p[P_SUMMARY], .location = p[P_LOCATION],
		.description = p[P_DESC], .organizer_email = p[P_ORG_MAIL], .organizer_name = p[P_ORG_NAME],
		.attendee_email = p[P_ATT_MAIL], .attendee_name = p[P_ATT_NAME],
		.stamp = strtoll(p[P_STAMP], NULL, 10),
	};
	/* DTSTAMP beyond what gmtime_r() converts is the caller's bug (now_s()) */
	if (e.stamp < -62135596800LL || e.stamp > 253402300799LL)
		e.stamp = 0;

	buf out = BUF_INIT;
	int rc = ics_write(&out, &e);
	int y, m, d;
	int timed = *e.time != 0;
	char hm[6];
	int valid = *e.uid && strlen(e.date) == 10 && e.date[4] == '-' && e.date[7] == '-' && date_parse(e.date, &y, &m, &d);
	if (timed)
		valid = valid && strlen(e.time) == 5 && e.time[2] == ':' && strspn(e.time, "0123456789:") == 5 &&
			time_parse(e.time, hm) >= 0 && e.duration_min >= 1 && e.duration_min <= 7 * 24 * 60;
	if (e.method != ICS_PUBLISH)
		valid = valid && *e.organizer_email && *e.attendee_email;
	FUZZ_CHECK((rc == 0) == valid);
	if (rc) {
		FUZZ_CHECK(rc == CLR_EINVAL && out.len == 0);
		buf_free(&out);
		free(p[0]);
		return 0;
	}

	char *lines[512], *block;
	int n = unfold(out.data, out.len, lines, 512, &block);
	int depth = 0;
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(strchr(lines[i], ':'));
		if (str_starts(lines[i], "BEGIN:"))
			depth++;
		else if (str_starts(lines[i], "END:"))
			FUZZ_CHECK(--depth >= 0);
	}
	FUZZ_CHECK(depth == 0);
	FUZZ_CHECK(str_starts(lines[0], "BEGIN:VCALENDAR") && strcmp(lines[n - 1], "END:VCALENDAR") == 0);
	/* valid UTF-8 when the e-mails are, and folding never splits a sequence:
	 * the lines unfolded are valid, so must the folded text be */
	int lines_ok = 1;
	for (int i = 0; i < n; i++)
		lines_ok &= fuzz_utf8_ok((const unsigned char *)lines[i], strlen(lines[i]));
	if (fuzz_utf8_ok((const unsigned char *)e.organizer_email, strlen(e.organizer_email)) &&
	    fuzz_utf8_ok((const unsigned char *)e.attendee_email, strlen(e.attendee_email)))
		FUZZ_CHECK(lines_ok);
	if (lines_ok)
		FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)out.data, out.len));

	/* TEXT values */
	static const int text_fields[] = {P_UID, P_SUMMARY, P_LOCATION, P_DESC};
	static const char *const text_names[] = {"UID", "SUMMARY", "LOCATION", "DESCRIPTION"};
	for (int k = 0; k < 4; k++) {
		const char *in = p[text_fields[k]];
		const char *v = value_of(lines, n, text_names[k]);
		FUZZ_CHECK((v != NULL) == (*in != 0));
		if (!v || !fuzz_utf8_ok((const unsigned char *)in, strlen(in)))
			continue;
		buf got = BUF_INIT, want = BUF_INIT;
		unescape(v, &got);
		text_expect(in, &want);
		FUZZ_CHECK(strcmp(got.data, want.data) == 0);
		buf_free(&got);
		buf_free(&want);
	}

	/* DTEND = DTSTART + duration, by the C library's Europe/Paris */
	const char *ds = value_of(lines, n, "DTSTART"), *de = value_of(lines, n, "DTEND");
	FUZZ_CHECK(ds && de);
	if (timed && y >= 1996 && y <= 2037) {
		int sy, smo, sd, sh, smi, ss, ey, emo, ed, eh, emi, es, ok1, ok2;
		FUZZ_CHECK(sscanf(ds, "%4d%2d%2dT%2d%2d%2d", &sy, &smo, &sd, &sh, &smi, &ss) == 6);
		FUZZ_CHECK(sscanf(de, "%4d%2d%2dT%2d%2d%2d", &ey, &emo, &ed, &eh, &emi, &es) == 6);
		long long t0 = local_seconds(sy, smo, sd, sh, smi, ss, &ok1);
		long long t1 = local_seconds(ey, emo, ed, eh, emi, es, &ok2);
		/* the start or end in the hour the clocks skip or repeat is read
		 * differently by calendar clients: left out */
		struct tm a0, a1;
		time_t tt0 = (time_t)t0, tt1 = (time_t)t1, b0 = tt0 - 3600, b1 = tt1 - 3600;
		localtime_r(&tt0, &a0);
		localtime_r(&tt1, &a1);
		struct tm c0, c1;
		localtime_r(&b0, &c0);
		localtime_r(&b1, &c1);
		int near_change = a0.tm_isdst != c0.tm_isdst || a1.tm_isdst != c1.tm_isdst;
		tt0 += 3600;
		tt1 += 3600;
		localtime_r(&tt0, &c0);
		localtime_r(&tt1, &c1);
		near_change |= a0.tm_isdst != c0.tm_isdst || a1.tm_isdst != c1.tm_isdst;
		if (ok1 && ok2 && !near_change)
			FUZZ_CHECK(t1 - t0 == e.duration_min * 60LL);
	}

	free(block);
	buf_free(&out);
	free(p[0]);
	return 0;
}
