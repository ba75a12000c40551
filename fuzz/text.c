/* fuzz/text.c - the string utilities every form and page goes through
 * (src/core/text.c): url_decode() and url_encode(), str_clean() and
 * str_trim(), fr_typography(), text_fold(), like_contains(), str_id(),
 * utf8_valid()/utf8_len(), and the number formatting (int_fmt(),
 * money_fmt(), ll_fmt()) of a 64-bit value taken from the input.
 *
 * Input: the first byte chooses plus_space for url_decode(); the rest is the
 * text (the C-string functions see it up to its first NUL).
 * Invariants beyond « no crash »:
 *   - url_decode(): NULL, or a string that utf8_valid() accepts, no longer
 *     than the input, which is well-formed UTF-8 by an independent check,
 *     and which url_encode() then url_decode() give back unchanged;
 *   - utf8_valid() agrees with the independent UTF-8 check on text without
 *     controls;
 *   - str_clean(): NULL exactly when utf8_valid() refuses, else no leading,
 *     trailing or doubled space and no tab or line break left;
 *   - fr_typography(): only spaces change: with every U+00A0 and U+202F
 *     turned back into a space, input and output are equal;
 *   - text_fold() of valid UTF-8: valid UTF-8, no leading/trailing/doubled
 *     space, no ASCII capital, and folding it again changes nothing;
 *   - like_contains(): '%' + the text with \ % _ escaped + '%';
 *   - str_id(): positive exactly for 1 to 18 digits, and written back in
 *     decimal it is the text without its leading zeros;
 *   - int_fmt()/money_fmt() give back the digits of the value.
 */
#include "fuzz.h"
#include "core/arena.h"
#include "core/text.h"
#include <ctype.h>

static int no_controls(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0 || c == 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			return 0;
	}
	return 1;
}

/* s with every U+00A0 and U+202F replaced by a space (malloc'd). */
static char *unbreak(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	for (size_t i = 0; i < n;) {
		if (i + 1 < n && memcmp(s + i, "\xc2\xa0", 2) == 0) {
			*o++ = ' ';
			i += 2;
		} else if (i + 2 < n && memcmp(s + i, "\xe2\x80\xaf", 3) == 0) {
			*o++ = ' ';
			i += 3;
		} else {
			*o++ = s[i++];
		}
	}
	*o = 0;
	return out;
}

/* The decimal digits of s, in order. */
static void digits_of(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (; *s && k + 1 < n; s++)
		if (*s >= '0' && *s <= '9')
			out[k++] = *s;
	out[k] = 0;
}

static void check_spaces(const char *s)
{
	size_t n = strlen(s);
	if (!n)
		return;
	FUZZ_CHECK(s[0] != ' ' && s[n - 1] != ' ');
	FUZZ_CHECK(!strstr(s, "  "));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int plus = data[0] & 1;
	const char *raw = (const char *)data + 1;
	size_t n = size - 1;
	char *s = fuzz_strndup(data + 1, n); /* as a C string: up to its first NUL */
	size_t sl = strlen(s);
	arena *a = arena_new();

	/* url_decode / url_encode */
	char *dec = url_decode(a, raw, n, plus);
	if (dec) {
		size_t dl = strlen(dec);
		FUZZ_CHECK(dl <= n);
		FUZZ_CHECK(utf8_valid(dec, dl));
		FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)dec, dl));
		char *enc = url_encode(a, dec);
		for (const char *p = enc; *p; p++)
			FUZZ_CHECK(isalnum((unsigned char)*p) || strchr("-_.~%", *p));
		char *back = url_decode(a, enc, strlen(enc), 0);
		FUZZ_CHECK(back && strcmp(back, dec) == 0);
		FUZZ_CHECK(utf8_len(dec) <= dl);
	}

	/* utf8_valid against the independent check */
	int valid = utf8_valid(s, sl);
	if (no_controls(s, sl))
		FUZZ_CHECK(valid == fuzz_utf8_ok((const unsigned char *)s, sl));
	else
		FUZZ_CHECK(!valid);

	/* str_clean / str_trim */
	const char *clean = str_clean(a, s);
	FUZZ_CHECK((clean == NULL) == !valid);
	if (clean) {
		check_spaces(clean);
		FUZZ_CHECK(!strpbrk(clean, "\t\r\n\v\f"));
		FUZZ_CHECK(strlen(clean) <= sl);
	}
	const char *trim = str_trim(a, s, 0);
	FUZZ_CHECK(strlen(trim) <= sl && strstr(s, trim));

	/* fr_typography: only spaces change */
	char *typo = fr_typography(s);
	FUZZ_CHECK(typo);
	FUZZ_CHECK(strlen(typo) <= 2 * sl);
	char *u1 = unbreak(s), *u2 = unbreak(typo);
	FUZZ_CHECK(strcmp(u1, u2) == 0);
	if (valid)
		FUZZ_CHECK(utf8_valid(typo, strlen(typo)));
	free(u1);
	free(u2);
	free(typo);

	/* text_fold */
	if (valid) {
		const char *f = text_fold(a, s);
		size_t fl = strlen(f);
		FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)f, fl));
		check_spaces(f);
		for (const char *p = f; *p; p++)
			FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'));
		FUZZ_CHECK(strcmp(text_fold(a, f), f) == 0);
	}

	/* like_contains */
	const char *like = like_contains(a, s);
	size_t ll = strlen(like);
	FUZZ_CHECK(ll >= 2 && like[0] == '%' && like[ll - 1] == '%');
	for (size_t i = 1, k = 0; i + 1 < ll; i++, k++) {
		if (like[i] == '\\') {
			i++;
			FUZZ_CHECK(i + 1 < ll && strchr("\\%_", like[i]));
		} else {
			FUZZ_CHECK(like[i] != '%' && like[i] != '_');
		}
		FUZZ_CHECK(k < sl && s[k] == like[i]);
	}

	/* str_id */
	long long id = str_id(s);
	int all_digits = sl >= 1 && sl <= 18 && strspn(s, "0123456789") == sl;
	FUZZ_CHECK((id > 0) == (all_digits && strspn(s, "0") < sl));
	if (id > 0) {
		const char *nz = s + strspn(s, "0");
		FUZZ_CHECK(strcmp(ll_fmt(a, "", id), nz) == 0);
	}

	/* numbers */
	long long v = 0;
	memcpy(&v, data, size < sizeof v ? size : sizeof v);
	char want[32], got[64];
	snprintf(want, sizeof want, "%lld", v);
	FUZZ_CHECK(strcmp(ll_fmt(a, "", v), want) == 0);
	digits_of(int_fmt(a, v), got, sizeof got);
	digits_of(want, want, sizeof want);
	FUZZ_CHECK(strcmp(got, want) == 0);
	const char *money = money_fmt(a, v);
	FUZZ_CHECK(strstr(money, "\xc2\xa0\xe2\x82\xac") && (v >= 0) == (money[0] != '-'));

	arena_free(a);
	free(s);
	return 0;
}
