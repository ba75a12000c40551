/* fuzz/place.c - places of birth and residence (src/domain/place.c): the
 * name syntax (place_valid_name()), the comparison key (place_fold(), over
 * text_fold()), and the postal code checks of every form (place_check(),
 * place_match(), place_communes(), place_country_name()) against the real
 * La Poste data in an in-memory SQLite database (fuzz/fuzz_db.h), asked
 * both through SQL and through the bulk import's in-memory copy
 * (place_cache_begin()).
 *
 * Input: NUL-separated pieces: postal code, commune, country code.
 * Invariants beyond « no crash »:
 *   - place_valid_name(): a name it accepts is valid UTF-8 whose ASCII
 *     characters are letters, spaces, hyphens and apostrophes, with at
 *     least one letter;
 *   - place_fold(): no ASCII capital, space or punctuation left; valid
 *     UTF-8 for valid input; the same key with hyphens written as spaces,
 *     with « Saint » written « St » (a whole word), and in ASCII capitals;
 *   - SQL and the in-memory copy give the same answers: place_match()
 *     (code and commune found), place_communes() (the same communes in the
 *     same order, sorted by name), place_country_name();
 *   - place_check(): on success with both given, the postal code is 5
 *     digits and the commune became the official name of one of that
 *     code's communes (with its INSEE code); a refusal names one field;
 *     the reply is the same with the in-memory copy.
 */
#include "fuzz.h"
#include "fuzz_db.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include "core/validate.h"
#include <ctype.h>

static db *d;

/* Both NULL, or equal strings (str_eq() is false for two NULLs). */
static int same(const char *x, const char *y)
{
	return x == y || (x && y && strcmp(x, y) == 0);
}
static long long org;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	d = fuzz_db_open(&org);
	return 0;
}

static char *replace_all(arena *a, const char *s, const char *from, const char *to)
{
	buf b = BUF_INIT;
	size_t fl = strlen(from);
	for (const char *p = s; *p;) {
		if (strncmp(p, from, fl) == 0) {
			buf_adds(&b, to);
			p += fl;
		} else {
			buf_addc(&b, *p++);
		}
	}
	char *out = arena_strdup(a, b.data);
	buf_free(&b);
	return out;
}

/* « Saint » as a whole word (between non-letters) written « St ». */
static char *saint_to_st(arena *a, const char *s)
{
	buf b = BUF_INIT;
	for (const char *p = s; *p;) {
		int start = p == s || (!isalnum((unsigned char)p[-1]) && !((unsigned char)p[-1] & 0x80));
		if (start && strncmp(p, "Saint", 5) == 0 && !isalnum((unsigned char)p[5]) && !((unsigned char)p[5] & 0x80) &&
		    p[5] != 'e') {
			buf_adds(&b, "St");
			p += 5;
		} else {
			buf_addc(&b, *p++);
		}
	}
	char *out = arena_strdup(a, b.data);
	buf_free(&b);
	return out;
}

struct answer {
	int match_rc;
	const char *name, *insee;
	int ncommunes;
	struct commune *communes;
	const char *country;
	int nerr, dberr;
	const char *cp, *city, *ins;
	struct errs e;
};

static void ask(arena *a, const char *cp, const char *city, const char *country, int required, struct answer *an)
{
	struct commune c;
	an->match_rc = place_match(d, a, cp, city, &c);
	an->name = c.name;
	an->insee = c.insee;
	FUZZ_CHECK(place_communes(d, a, cp, &an->communes, &an->ncommunes) == 0);
	an->country = place_country_name(d, a, country);
	memset(&an->e, 0, sizeof an->e);
	an->cp = cp;
	an->city = city;
	an->ins = NULL;
	an->dberr = 0;
	place_check(d, a, "cp", "city", &an->cp, &an->city, &an->ins, required, &an->e, &an->dberr);
	an->nerr = an->e.n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p[3];
	fuzz_split(data, size, '\0', 3, p);
	arena *a = arena_new();
	const char *cp = str_trim(a, p[0], 0), *country = p[2];
	const char *city = utf8_valid(p[1], strlen(p[1])) ? str_trim(a, p[1], 1) : "";
	const char *raw = p[1];
	int valid8 = fuzz_utf8_ok((const unsigned char *)raw, strlen(raw));

	/* the name syntax */
	if (place_valid_name(raw)) {
		FUZZ_CHECK(valid8 && *raw);
		int letters = 0;
		for (const char *q = raw; *q; q++) {
			unsigned char c = (unsigned char)*q;
			if (c < 0x80)
				FUZZ_CHECK(isalpha(c) || c == ' ' || c == '-' || c == '\'');
			letters += c < 0x80 && isalpha(c);
			letters += c >= 0xC0; /* a lead byte: maybe a letter */
		}
		FUZZ_CHECK(letters > 0);
	}

	/* the comparison key */
	if (valid8) {
		const char *k = place_fold(a, raw);
		FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)k, strlen(k)));
		for (const char *q = k; *q; q++)
			FUZZ_CHECK(((unsigned char)*q & 0x80) || islower((unsigned char)*q) || isdigit((unsigned char)*q));
		FUZZ_CHECK(strcmp(place_fold(a, replace_all(a, raw, "-", " ")), k) == 0);
		FUZZ_CHECK(strcmp(place_fold(a, saint_to_st(a, raw)), k) == 0);
		char *up = arena_strdup(a, raw);
		for (char *q = up; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		FUZZ_CHECK(strcmp(place_fold(a, up), k) == 0);
	}

	/* postal codes: SQL, then the in-memory copy */
	int required = size & 1;
	struct answer sql, mem;
	ask(a, cp, city, country, required, &sql);
	FUZZ_CHECK(place_cache_begin(d) == 0);
	ask(a, cp, city, country, required, &mem); /* its strings live until place_cache_end() */

	FUZZ_CHECK(sql.match_rc == mem.match_rc);
	FUZZ_CHECK(sql.match_rc == 0 || sql.match_rc == CLR_ENOTFOUND || sql.match_rc == CLR_EINVAL);
	if (sql.match_rc == 0)
		FUZZ_CHECK(same(sql.name, mem.name) && same(sql.insee, mem.insee));
	FUZZ_CHECK(sql.ncommunes == mem.ncommunes);
	for (int i = 0; i < sql.ncommunes; i++) {
		FUZZ_CHECK(same(sql.communes[i].name, mem.communes[i].name));
		FUZZ_CHECK(same(sql.communes[i].insee, mem.communes[i].insee));
		if (i)
			FUZZ_CHECK(strcmp(sql.communes[i - 1].name, sql.communes[i].name) <= 0);
	}
	FUZZ_CHECK(same(sql.country, mem.country));

	FUZZ_CHECK(sql.dberr == 0 && mem.dberr == 0);
	FUZZ_CHECK(sql.nerr == mem.nerr && sql.nerr <= 1);
	FUZZ_CHECK(same(sql.city, mem.city) && same(sql.ins, mem.ins));
	if (sql.nerr) {
		FUZZ_CHECK(strcmp(sql.e.e[0].field, mem.e.e[0].field) == 0 && strcmp(sql.e.e[0].msg, mem.e.e[0].msg) == 0);
		FUZZ_CHECK(utf8_valid(sql.e.e[0].msg, strlen(sql.e.e[0].msg)));
	} else if (*cp && *city) {
		FUZZ_CHECK(strlen(cp) == 5 && strspn(cp, "0123456789") == 5);
		int found = 0;
		for (int i = 0; i < sql.ncommunes; i++)
			found |= strcmp(sql.communes[i].name, sql.city) == 0 && str_eq(sql.communes[i].insee, sql.ins);
		FUZZ_CHECK(found);
	}

	place_cache_end();
	arena_free(a);
	free(p[0]);
	return 0;
}
