/* test_ics.c - the iCalendar writer (src/core/ics.c): folding at 75 octets
 * without splitting UTF-8 sequences, TEXT and parameter escaping, timed
 * and all-day events, end times across midnight and daylight-saving
 * changes, cancellation, rejected input; and, when node and the npm
 * package ical.js are installed, the files read back by a real parser
 * (tests/lib/calendar.mjs), VTIMEZONE rules included.
 */
#include "test.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/ics.h"
#include <stdlib.h>
#include <unistd.h>
#include <unistr.h>

/* 1 if every line of s ends with CRLF, is at most 75 octets and is valid
 * UTF-8; the unfolded text (CRLF + space removed) goes to unfolded. */
static int lines_ok(const char *s, buf *unfolded)
{
	const char *p = s;
	while (*p) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			return 0; /* last line without CRLF */
		size_t n = (size_t)(eol - p);
		if (n > 75 || memchr(p, '\n', n) || memchr(p, '\r', n))
			return 0;
		if (u8_check((const uint8_t *)p, n))
			return 0; /* a sequence split by the fold */
		if (unfolded) {
			if (*p == ' ' && p != s)
				buf_add(unfolded, p + 1, n - 1);
			else {
				if (p != s)
					buf_addc(unfolded, '\n');
				buf_add(unfolded, p, n);
			}
		}
		p = eol + 2;
	}
	return 1;
}

/* 1 if the CRLF-separated text s has a line exactly equal to line. */
static int has_line(const char *s, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = s; (p = strstr(p, line)); p++)
		if ((p == s || p[-1] == '\n') && p[n] == '\r' && p[n + 1] == '\n')
			return 1;
	return 0;
}

static struct ics_event sample(void)
{
	return (struct ics_event){
		.method = ICS_REQUEST,
		.uid = "certification-123@certification-lerobert.com",
		.sequence = 0,
		.date = "2026-12-15",
		.time = "09:30",
		.duration_min = 105,
		.summary = "Certification Le Robert",
		.location = "La Poste Saint-Étienne Centre, 9 rue de la République, 42000 Saint-Étienne",
		.description = "Durée de l'épreuve : 1 h 45 (350 questions en 11 séries).\n"
			       "Apportez une pièce d'identité.",
		.organizer_email = "convocations@certification-lerobert.com",
		.organizer_name = "Certification Le Robert, service des convocations",
		.attendee_email = "helene.lefevre@exemple.fr",
		.attendee_name = "Hélène LEFÈVRE-D'ARTAGNAN",
		.stamp = 1796000000, /* 2026-11-30T00:53:20Z */
	};
}

TEST(ics_fold_ascii)
{
	buf b = BUF_INIT, u = BUF_INIT;
	char v[301];
	for (int i = 0; i < 300; i++)
		v[i] = (char)('a' + i % 26);
	v[300] = 0;
	ics_line(&b, "DESCRIPTION", v);
	CHECK(lines_ok(b.data, &u));
	CHECK(strncmp(b.data, "DESCRIPTION:", 12) == 0);
	/* the first line is filled to 75 octets exactly, the others too */
	CHECK(strstr(b.data, "\r\n") - b.data == 75);
	CHECK(strncmp(b.data + 77, " ", 1) == 0);
	CHECK(strstr(b.data + 77, "\r\n") - (b.data + 77) == 75);
	CHECK_INT(strncmp(u.data, "DESCRIPTION:", 12), 0);
	CHECK_STR(u.data + 12, v);
	/* a short line is not folded */
	buf_reset(&b);
	ics_line(&b, "VERSION", "2.0");
	CHECK_STR(b.data, "VERSION:2.0\r\n");
	buf_free(&b);
	buf_free(&u);
}

TEST(ics_fold_utf8_boundaries)
{
	/* 2-, 3- and 4-octet sequences, shifted by 0 to 3 ASCII octets so that
	 * the 75th octet falls in every position of a sequence */
	const char *seqs[] = {"é", "€", "\xF0\x9D\x84\x9E" /* U+1D11E */};
	for (int s = 0; s < 3; s++)
		for (int shift = 0; shift < 4; shift++) {
			buf v = BUF_INIT, b = BUF_INIT, u = BUF_INIT;
			for (int i = 0; i < shift; i++)
				buf_addc(&v, 'x');
			for (int i = 0; i < 80; i++)
				buf_adds(&v, seqs[s]);
			ics_line(&b, "SUMMARY", v.data);
			CHECK(lines_ok(b.data, &u));
			CHECK_STR(u.data + 8, v.data);
			buf_free(&v);
			buf_free(&b);
			buf_free(&u);
		}
	/* an escape sequence stays on one line */
	buf b = BUF_INIT, v = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_adds(&v, "\\;");
	ics_line(&b, "X", v.data);
	CHECK(lines_ok(b.data, NULL));
	for (const char *p = b.data; (p = strstr(p, "\r\n ")); p += 3)
		CHECK(p[3] == '\\' && p[-1] == ';');
	buf_free(&b);
	buf_free(&v);
}

TEST(ics_text_escaping)
{
	buf b = BUF_INIT;
	ics_text(&b, "a\\b;c,d\ne\r\nf\rg\th\x01i:j");
	CHECK_STR(b.data, "a\\\\b\\;c\\,d\\ne\\nf\\ng\th" "i:j");
	buf_reset(&b);
	ics_text(&b, "L'été « à » 1 h 45 \xff fin"); /* invalid byte -> U+FFFD */
	CHECK_STR(b.data, "L'été « à » 1 h 45 \xEF\xBF\xBD fin");
	buf_reset(&b);
	ics_text(&b, NULL);
	CHECK_STR(b.data, "");
	buf_free(&b);
}

TEST(ics_timed_event)
{
	struct ics_event e = sample();
	buf b = BUF_INIT, u = BUF_INIT;
	CHECK_INT(ics_write(&b, &e), 0);
	CHECK(lines_ok(b.data, &u));
	CHECK(strncmp(b.data, "BEGIN:VCALENDAR\r\n", 17) == 0);
	CHECK(has_line(b.data, "PRODID:-//Certification Le Robert//Plateforme administrateur//FR"));
	CHECK(has_line(b.data, "VERSION:2.0"));
	CHECK(has_line(b.data, "CALSCALE:GREGORIAN"));
	CHECK(has_line(b.data, "METHOD:REQUEST"));
	CHECK(has_line(b.data, "TZID:Europe/Paris"));
	CHECK(has_line(b.data, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
	CHECK(has_line(b.data, "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"));
	CHECK(has_line(b.data, "UID:certification-123@certification-lerobert.com"));
	CHECK(has_line(b.data, "SEQUENCE:0"));
	CHECK(has_line(b.data, "DTSTAMP:20261130T005320Z"));
	CHECK(has_line(b.data, "DTSTART;TZID=Europe/Paris:20261215T093000"));
	CHECK(has_line(b.data, "DTEND;TZID=Europe/Paris:20261215T111500"));
	CHECK(has_line(b.data, "STATUS:CONFIRMED"));
	CHECK(strstr(u.data, "\nLOCATION:La Poste Saint-Étienne Centre\\, 9 rue de la République\\, 42000 Saint-Étienne\n"));
	CHECK(strstr(u.data, "\nDESCRIPTION:Durée de l'épreuve : 1 h 45 (350 questions en 11 séries).\\nApportez"));
	CHECK(strstr(u.data, "\nORGANIZER;CN=\"Certification Le Robert, service des convocations\":"
			     "mailto:convocations@certification-lerobert.com\n"));
	CHECK(strstr(u.data, "\nATTENDEE;CN=Hélène LEFÈVRE-D'ARTAGNAN;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
			     "RSVP=FALSE:mailto:helene.lefevre@exemple.fr\n"));
	/* the structure: one VTIMEZONE before one VEVENT, both closed */
	const char *tz = strstr(b.data, "BEGIN:VTIMEZONE"), *ev = strstr(b.data, "BEGIN:VEVENT");
	CHECK(tz && ev && tz < ev && strstr(tz, "END:VTIMEZONE") < ev);
	CHECK(b.len > 15 && strcmp(b.data + b.len - 15, "END:VCALENDAR\r\n") == 0);

	/* same input, same bytes */
	buf c = BUF_INIT;
	CHECK_INT(ics_write(&c, &e), 0);
	CHECK(c.len == b.len && memcmp(c.data, b.data, b.len) == 0);
	buf_free(&c);
	buf_free(&b);
	buf_free(&u);
}

/* DTEND of an event starting at date/time for minutes. */
static void dtend(buf *b, const char *date, const char *time, int minutes)
{
	struct ics_event e = sample();
	e.date = date;
	e.time = time;
	e.duration_min = minutes;
	buf_reset(b);
	ics_write(b, &e);
}

TEST(ics_end_across_midnight_and_dst)
{
	buf b = BUF_INIT;
	dtend(&b, "2026-12-15", "23:30", 105);
	CHECK(has_line(b.data, "DTEND;TZID=Europe/Paris:20261216T011500"));
	dtend(&b, "2026-12-31", "23:00", 120);
	CHECK(has_line(b.data, "DTEND;TZID=Europe/Paris:20270101T010000"));
	dtend(&b, "2028-02-28", "22:30", 180); /* leap year */
	CHECK(has_line(b.data, "DTEND;TZID=Europe/Paris:20280229T013000"));
	/* 29 March 2026, 02:00 -> 03:00: one hour of exam ends at 03:30 */
	dtend(&b, "2026-03-29", "01:30", 60);
	CHECK(has_line(b.data, "DTEND;TZID=Europe/Paris:20260329T033000"));
	/* 25 October 2026, 03:00 -> 02:00: 01:30 + 2 h ends at 02:30 (winter) */
	dtend(&b, "2026-10-25", "01:30", 120);
	CHECK(has_line(b.data, "DTEND;TZID=Europe/Paris:20261025T023000"));
	dtend(&b, "2026-07-07", "09:30", 105);
	CHECK(has_line(b.data, "DTEND;TZID=Europe/Paris:20260707T111500"));
	buf_free(&b);
}

TEST(ics_all_day)
{
	struct ics_event e = sample();
	e.method = ICS_PUBLISH;
	e.time = NULL;
	e.date = "2027-02-28";
	buf b = BUF_INIT;
	CHECK_INT(ics_write(&b, &e), 0);
	CHECK(lines_ok(b.data, NULL));
	CHECK(has_line(b.data, "METHOD:PUBLISH"));
	CHECK(has_line(b.data, "DTSTART;VALUE=DATE:20270228"));
	CHECK(has_line(b.data, "DTEND;VALUE=DATE:20270301"));
	CHECK(!strstr(b.data, "VTIMEZONE"));
	CHECK(!strstr(b.data, "TZID"));
	CHECK(has_line(b.data, "ATTENDEE;CN=Hélène LEFÈVRE-D'ARTAGNAN:mailto:helene.lefevre@exemple.fr"));
	e.time = "";
	buf_reset(&b);
	CHECK_INT(ics_write(&b, &e), 0);
	CHECK(has_line(b.data, "DTSTART;VALUE=DATE:20270228"));
	buf_free(&b);
}

TEST(ics_cancel)
{
	struct ics_event e = sample();
	e.method = ICS_CANCEL;
	e.sequence = 2;
	buf b = BUF_INIT;
	CHECK_INT(ics_write(&b, &e), 0);
	CHECK(has_line(b.data, "METHOD:CANCEL"));
	CHECK(has_line(b.data, "STATUS:CANCELLED"));
	CHECK(has_line(b.data, "SEQUENCE:2"));
	CHECK(has_line(b.data, "UID:certification-123@certification-lerobert.com"));
	CHECK(!strstr(b.data, "STATUS:CONFIRMED"));
	CHECK_STR(ics_method_name(ICS_CANCEL), "CANCEL");
	CHECK_STR(ics_method_name(ICS_REQUEST), "REQUEST");
	CHECK_STR(ics_method_name(ICS_PUBLISH), "PUBLISH");
	buf_free(&b);
}

TEST(ics_param_quoting)
{
	struct ics_event e = sample();
	e.attendee_name = "Jean \"Jo\" Dupont";
	e.organizer_name = "Le Robert: examens";
	buf b = BUF_INIT, u = BUF_INIT;
	CHECK_INT(ics_write(&b, &e), 0);
	CHECK(lines_ok(b.data, &u));
	CHECK(strstr(u.data, "\nATTENDEE;CN=Jean 'Jo' Dupont;"));
	CHECK(strstr(u.data, "\nORGANIZER;CN=\"Le Robert: examens\":mailto:"));
	buf_free(&b);
	buf_free(&u);
}

TEST(ics_rejects_bad_input)
{
	buf b = BUF_INIT;
	buf_adds(&b, "keep");
	struct ics_event e;
	e = sample(), e.date = "2026-02-30";
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	e = sample(), e.date = "15/12/2026";
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	e = sample(), e.date = NULL;
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	e = sample(), e.time = "9:30";
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	e = sample(), e.time = "24:00";
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	e = sample(), e.duration_min = 0;
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	e = sample(), e.uid = "";
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	e = sample(), e.attendee_email = NULL;
	CHECK_INT(ics_write(&b, &e), CLR_EINVAL);
	CHECK_STR(b.data, "keep");
	buf_free(&b);
}

/* ---- read back by ical.js ------------------------------------------------- */

/* Runs tests/lib/calendar.mjs on the calendar text; its JSON into out.
 * 0, or -1 (message on stderr). */
static int parse_with_icaljs(const char *dir, const char *name, const char *text, buf *out)
{
	char path[256], cmd[512];
	snprintf(path, sizeof path, "%s/%s.ics", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "node tests/lib/calendar.mjs --check '%s' 2>&1", path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(out, chunk, n);
	int rc = pclose(p);
	unlink(path);
	if (rc != 0) {
		fprintf(stderr, "  calendar.mjs on %s: %s\n", name, out->data);
		return -1;
	}
	return 0;
}

TEST(ics_read_back_by_icaljs)
{
	if (access("tests/lib/calendar.mjs", R_OK) != 0 || access("node_modules/ical.js/package.json", R_OK) != 0 ||
	    system("node --version >/dev/null 2>&1") != 0) {
		test_skip("node or node_modules/ical.js missing (run from the project root after npm install)");
		return;
	}
	char dir[] = "/tmp/clr-ics-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	buf ics = BUF_INIT, js = BUF_INIT;

	/* winter: 09:30 in Paris is 08:30 UTC */
	struct ics_event e = sample();
	e.summary = "Convocation ; « Certification », 1 h 45 \\ fin";
	CHECK_INT(ics_write(&ics, &e), 0);
	CHECK_INT(parse_with_icaljs(dir, "winter", ics.data, &js), 0);
	CHECK(strstr(js.data, "\"method\": \"REQUEST\""));
	CHECK(strstr(js.data, "\"timezones\": [\n  \"Europe/Paris\"\n ]"));
	CHECK(strstr(js.data, "\"uid\": \"certification-123@certification-lerobert.com\""));
	CHECK(strstr(js.data, "\"sequence\": 0"));
	CHECK(strstr(js.data, "\"status\": \"CONFIRMED\""));
	CHECK(strstr(js.data, "\"summary\": \"Convocation ; « Certification », 1 h 45 \\\\ fin\""));
	CHECK(strstr(js.data, "\"location\": \"La Poste Saint-Étienne Centre, 9 rue de la République, 42000 Saint-Étienne\""));
	CHECK(strstr(js.data, "\"description\": \"Durée de l'épreuve : 1 h 45 (350 questions en 11 séries).\\nApportez"));
	CHECK(strstr(js.data, "\"start\": \"2026-12-15T09:30:00\""));
	CHECK(strstr(js.data, "\"end\": \"2026-12-15T11:15:00\""));
	CHECK(strstr(js.data, "\"startUtc\": \"2026-12-15T08:30:00Z\""));
	CHECK(strstr(js.data, "\"endUtc\": \"2026-12-15T10:15:00Z\""));
	CHECK(strstr(js.data, "\"tzid\": \"Europe/Paris\""));
	CHECK(strstr(js.data, "\"cn\": \"Hélène LEFÈVRE-D'ARTAGNAN\""));
	CHECK(strstr(js.data, "\"cn\": \"Certification Le Robert, service des convocations\""));
	CHECK(strstr(js.data, "\"email\": \"helene.lefevre@exemple.fr\""));

	/* summer: 09:30 in Paris is 07:30 UTC (the DAYLIGHT rule applies) */
	buf_reset(&ics);
	buf_reset(&js);
	e = sample();
	e.date = "2026-07-07";
	CHECK_INT(ics_write(&ics, &e), 0);
	CHECK_INT(parse_with_icaljs(dir, "summer", ics.data, &js), 0);
	CHECK(strstr(js.data, "\"startUtc\": \"2026-07-07T07:30:00Z\""));

	/* the night the clocks go forward: 01:30 CET + 1 h = 03:30 CEST */
	buf_reset(&ics);
	buf_reset(&js);
	e = sample();
	e.date = "2026-03-29";
	e.time = "01:30";
	e.duration_min = 60;
	CHECK_INT(ics_write(&ics, &e), 0);
	CHECK_INT(parse_with_icaljs(dir, "dst", ics.data, &js), 0);
	CHECK(strstr(js.data, "\"startUtc\": \"2026-03-29T00:30:00Z\""));
	CHECK(strstr(js.data, "\"endUtc\": \"2026-03-29T01:30:00Z\""));

	/* all day */
	buf_reset(&ics);
	buf_reset(&js);
	e = sample();
	e.method = ICS_PUBLISH;
	e.time = NULL;
	CHECK_INT(ics_write(&ics, &e), 0);
	CHECK_INT(parse_with_icaljs(dir, "allday", ics.data, &js), 0);
	CHECK(strstr(js.data, "\"method\": \"PUBLISH\""));
	CHECK(strstr(js.data, "\"start\": \"2026-12-15\""));
	CHECK(strstr(js.data, "\"end\": \"2026-12-16\""));
	CHECK(strstr(js.data, "\"allDay\": true"));

	/* cancel */
	buf_reset(&ics);
	buf_reset(&js);
	e = sample();
	e.method = ICS_CANCEL;
	e.sequence = 1;
	CHECK_INT(ics_write(&ics, &e), 0);
	CHECK_INT(parse_with_icaljs(dir, "cancel", ics.data, &js), 0);
	CHECK(strstr(js.data, "\"method\": \"CANCEL\""));
	CHECK(strstr(js.data, "\"status\": \"CANCELLED\""));
	CHECK(strstr(js.data, "\"sequence\": 1"));

	/* a long folded description with accents survives the round trip */
	buf_reset(&ics);
	buf_reset(&js);
	e = sample();
	e.description = "Élève présenté à l'épreuve ; « très » long, très long, très long, très long, très long, "
			"très long, très long, très long, très long, très long, très long, très long texte.";
	CHECK_INT(ics_write(&ics, &e), 0);
	CHECK_INT(parse_with_icaljs(dir, "folded", ics.data, &js), 0);
	CHECK(strstr(js.data, "\"description\": \"Élève présenté à l'épreuve ; « très » long, très long, très long, "
			      "très long, très long, très long, très long, très long, très long, très long, très "
			      "long, très long texte.\""));

	rmdir(dir);
	buf_free(&ics);
	buf_free(&js);
}
