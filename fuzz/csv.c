/* fuzz/csv.c - reading an uploaded CSV file (src/core/csv.c): the encoding
 * (csv_to_utf8(): UTF-8, UTF-8 with a BOM, or Windows-1252), the separator
 * (csv_detect_sep()), the records (csv_read() over libcsv, with its limits)
 * and writing fields back (csv_add_field()).
 *
 * Input: one byte of options (bits 0-1: separator given to csv_read(): 0
 * detect, ';', ',', tab; bits 2-4: max_records 0 (no limit) or 1 to 7),
 * then the file's bytes.
 * Invariants beyond « no crash »:
 *   - csv_to_utf8(): NULL exactly when the bytes hold a NUL; else valid
 *     UTF-8 (independent check) of the length it reports; a valid UTF-8 file
 *     comes back byte for byte (without its BOM); a Windows-1252 one is at
 *     most three bytes per byte, and encoded back to Windows-1252 it gives
 *     the file again (the five bytes Windows-1252 leaves undefined read as
 *     U+FFFD);
 *   - csv_read(): records and fields bounded (at most one record per line
 *     break plus one, at most max_records, at most 200 fields each and one
 *     per separator plus one), record numbers 1, 2, 3..., fields valid UTF-8
 *     and no longer than the text; an error comes with a French message;
 *   - records written back with csv_add_field() and read again give the same
 *     fields (a value starting with = + - @ gains its protective
 *     apostrophe); records whose fields libcsv would trim or skip (leading
 *     or trailing spaces, a lone empty field) are left out of this check.
 */
#include "fuzz.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"

/* Windows-1252 byte of code point cp, or -1. */
static int cp1252_of(unsigned cp)
{
	static const unsigned short c1[32] = {
		0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
		0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
		0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
	};
	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (int)cp;
	for (int i = 0; i < 32; i++)
		if (c1[i] == cp && cp != 0xFFFD)
			return 0x80 + i;
	return -1;
}

/* Decodes UTF-8 s[0..n) back to Windows-1252 and compares with orig. */
static void check_cp1252(const unsigned char *s, size_t n, const unsigned char *orig, size_t on)
{
	size_t i = 0, k = 0;
	while (i < n) {
		unsigned cp;
		unsigned c = s[i];
		size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : 3;
		FUZZ_CHECK(i + len <= n);
		cp = len == 1 ? c : len == 2 ? (c & 0x1F) << 6 | (s[i + 1] & 0x3F) : (c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
		FUZZ_CHECK(k < on);
		if (cp == 0xFFFD)
			FUZZ_CHECK(orig[k] == 0x81 || orig[k] == 0x8D || orig[k] == 0x8F || orig[k] == 0x90 || orig[k] == 0x9D);
		else
			FUZZ_CHECK(cp1252_of(cp) == orig[k]);
		i += len;
		k++;
	}
	FUZZ_CHECK(k == on);
}

static int trimmed(const char *f)
{
	size_t n = strlen(f);
	return !n || (f[0] != ' ' && f[0] != '\t' && f[n - 1] != ' ' && f[n - 1] != '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const char seps[] = {0, ';', ',', '\t'};
	char sep = seps[data[0] & 3];
	int max = (data[0] >> 2) & 7;
	const char *raw = (const char *)data + 1;
	size_t n = size - 1;
	arena *a = arena_new();

	enum csv_encoding enc = 0;
	size_t tl = 0;
	char *text = csv_to_utf8(a, raw, n, &enc, &tl);
	if (!text) {
		FUZZ_CHECK(memchr(raw, 0, n) != NULL);
		arena_free(a);
		return 0;
	}
	FUZZ_CHECK(!memchr(raw, 0, n));
	FUZZ_CHECK(strlen(text) == tl);
	FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)text, tl));
	int bom = n >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0;
	const char *body = raw + (bom ? 3 : 0);
	size_t bn = n - (bom ? 3 : 0);
	if (enc == CSV_CP1252) {
		FUZZ_CHECK(!fuzz_utf8_ok((const unsigned char *)body, bn));
		FUZZ_CHECK(tl <= 3 * bn);
		check_cp1252((const unsigned char *)text, tl, (const unsigned char *)body, bn);
	} else {
		FUZZ_CHECK(enc == (bom ? CSV_UTF8_BOM : CSV_UTF8));
		FUZZ_CHECK(tl == bn && memcmp(text, body, bn) == 0);
	}

	struct csv_table t;
	int rc = csv_read(a, text, tl, sep, max, &t);
	FUZZ_CHECK(t.sep == ';' || t.sep == ',' || t.sep == sep);
	if (!sep)
		FUZZ_CHECK(t.sep == csv_detect_sep(text, tl));
	if (rc) {
		FUZZ_CHECK(rc == CLR_EINVAL && t.error && *t.error);
		arena_free(a);
		return 0;
	}
	size_t breaks = 0, seps_in = 0;
	for (size_t i = 0; i < tl; i++) {
		breaks += text[i] == '\n' || text[i] == '\r';
		seps_in += text[i] == t.sep;
	}
	FUZZ_CHECK(t.n >= 0 && (size_t)t.n <= breaks + 1);
	if (max)
		FUZZ_CHECK(t.n <= max);
	for (int i = 0; i < t.n; i++) {
		const struct csv_record *r = &t.recs[i];
		FUZZ_CHECK(r->line == i + 1);
		FUZZ_CHECK(r->nfields >= 1 && r->nfields <= 200 && (size_t)r->nfields <= seps_in + 1);
		for (int k = 0; k < r->nfields; k++) {
			FUZZ_CHECK(r->fields[k] && strlen(r->fields[k]) <= tl);
			FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)r->fields[k], strlen(r->fields[k])));
		}
	}

	/* written back and read again */
	buf out = BUF_INIT;
	int *kept = malloc(sizeof *kept * (size_t)(t.n + 1));
	int nkept = 0;
	for (int i = 0; i < t.n; i++) {
		const struct csv_record *r = &t.recs[i];
		int ok = !(r->nfields == 1 && !*r->fields[0]);
		for (int k = 0; k < r->nfields && ok; k++)
			ok = trimmed(r->fields[k]);
		if (!ok)
			continue;
		kept[nkept++] = i;
		for (int k = 0; k < r->nfields; k++) {
			if (k)
				buf_addc(&out, t.sep);
			csv_add_field(&out, r->fields[k], t.sep);
		}
		buf_adds(&out, "\r\n");
	}
	struct csv_table t2;
	FUZZ_CHECK(csv_read(a, out.data, out.len, t.sep, 0, &t2) == 0);
	FUZZ_CHECK(t2.n == nkept);
	for (int j = 0; j < nkept; j++) {
		const struct csv_record *r = &t.recs[kept[j]], *r2 = &t2.recs[j];
		FUZZ_CHECK(r2->nfields == r->nfields);
		for (int k = 0; k < r->nfields; k++) {
			const char *f = r->fields[k], *f2 = r2->fields[k];
			if (*f && strchr("=+-@", *f))
				FUZZ_CHECK(f2[0] == '\'' && strcmp(f2 + 1, f) == 0);
			else
				FUZZ_CHECK(strcmp(f2, f) == 0);
		}
	}
	free(kept);
	buf_free(&out);
	arena_free(a);
	return 0;
}
