/* fuzz/date.c - what typed dates, times and the other one-line fields of
 * the forms go through (src/core/text.c, src/core/validate.c):
 * date_parse(), date_to_iso(), date_iso_fr(), date_long_fr(), time_parse(),
 * valid_email(), valid_phone().
 *
 * Input: the text of one field (up to its first NUL).
 * Invariants beyond « no crash »:
 *   - a date that date_parse() accepts is a real calendar date (year 1000 to
 *     9999, month 1-12, day within the month, 29 February of leap years
 *     only), typed with digits and its two separators only (« jj/mm/aaaa »,
 *     « j/m/aaaa » or ISO « aaaa-mm-jj »: no sign, no space);
 *   - it round-trips: date_to_iso() gives "YYYY-MM-DD", which date_parse()
 *     reads as the same date and date_to_iso() leaves as is;
 *     date_iso_fr() of it is "jj/mm/aaaa", read back as the same date;
 *     date_long_fr() names its day number, month and year;
 *   - date_parse() and date_to_iso() agree on what is a date;
 *   - a time that time_parse() accepts is typed with digits and one of
 *     ':' 'h' 'H' only, is written back "HH:MM", 00:00 to 23:59, which
 *     time_parse() reads as the same minute;
 *   - valid_email(): one '@', 3 to 254 bytes, ASCII only;
 *     valid_phone(): 8 to 15 digits, only digits and + . - ( ) space.
 */
#include "fuzz.h"
#include "core/arena.h"
#include "core/text.h"
#include "core/validate.h"
#include <ctype.h>

static int days_in(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return md[m - 1] + (m == 2 && leap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	arena *a = arena_new();

	int y = 0, m = 0, d = 0;
	char iso[11];
	int ok = date_parse(s, &y, &m, &d);
	FUZZ_CHECK(ok == date_to_iso(s, iso));
	if (ok) {
		FUZZ_CHECK(y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m));
		FUZZ_CHECK(strspn(s, "0123456789/") == strlen(s) || strspn(s, "0123456789-") == strlen(s));
		FUZZ_CHECK(strlen(iso) == 10 && iso[4] == '-' && iso[7] == '-');
		int y2, m2, d2;
		FUZZ_CHECK(date_parse(iso, &y2, &m2, &d2) && y2 == y && m2 == m && d2 == d);
		char iso2[11];
		FUZZ_CHECK(date_to_iso(iso, iso2) && strcmp(iso, iso2) == 0);
		const char *fr = date_iso_fr(a, iso);
		FUZZ_CHECK(strlen(fr) == 10 && fr[2] == '/' && fr[5] == '/');
		FUZZ_CHECK(date_parse(fr, &y2, &m2, &d2) && y2 == y && m2 == m && d2 == d);
		const char *lng = date_long_fr(a, iso);
		char want[16];
		snprintf(want, sizeof want, " %d", y);
		FUZZ_CHECK(strstr(lng, want) != NULL);
		snprintf(want, sizeof want, " %d", d);
		FUZZ_CHECK(strstr(lng, want) != NULL);
	} else {
		/* text that is no ISO date is shown as typed */
		FUZZ_CHECK(strcmp(date_iso_fr(a, s), s) == 0 || (strlen(s) == 10 && s[4] == '-' && s[7] == '-'));
	}

	char hm[6];
	int min = time_parse(s, hm);
	FUZZ_CHECK(min >= -1 && min < 24 * 60);
	if (min >= 0) {
		FUZZ_CHECK(strspn(s, "0123456789:hH") == strlen(s));
		FUZZ_CHECK(strlen(hm) == 5 && hm[2] == ':' && isdigit((unsigned char)hm[0]) && isdigit((unsigned char)hm[1]) &&
			   isdigit((unsigned char)hm[3]) && isdigit((unsigned char)hm[4]));
		FUZZ_CHECK(min == ((hm[0] - '0') * 10 + hm[1] - '0') * 60 + (hm[3] - '0') * 10 + hm[4] - '0');
		char hm2[6];
		FUZZ_CHECK(time_parse(hm, hm2) == min && strcmp(hm, hm2) == 0);
	}

	if (valid_email(s)) {
		size_t n = strlen(s);
		FUZZ_CHECK(n >= 3 && n <= 254);
		const char *at = strchr(s, '@');
		FUZZ_CHECK(at && !strchr(at + 1, '@'));
		for (const char *p = s; *p; p++)
			FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
	}
	if (valid_phone(s)) {
		int digits = 0;
		for (const char *p = s; *p; p++) {
			FUZZ_CHECK(isdigit((unsigned char)*p) || strchr("+.-() ", *p));
			digits += isdigit((unsigned char)*p) != 0;
		}
		FUZZ_CHECK(digits >= 8 && digits <= 15);
	}

	arena_free(a);
	free(s);
	return 0;
}
