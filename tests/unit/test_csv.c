/* test_csv.c - the CSV reader of the bulk import (core/csv.c): encodings
 * (UTF-8 with and without BOM, Windows-1252), separators, quotes, line
 * breaks inside quotes, errors; and field quoting for the exports. */
#include "test.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include <string.h>

static int parse(arena *a, const char *raw, size_t n, struct csv_table *t, enum csv_encoding *enc)
{
	size_t len;
	char *text = csv_to_utf8(a, raw, n, enc, &len);
	if (!text)
		return -100;
	return csv_read(a, text, len, 0, 0, t);
}

TEST(csv_utf8_bom_and_semicolons)
{
	arena *a = arena_new();
	const char raw[] = "\xEF\xBB\xBFNom;Pr\xC3\xA9nom\r\nLef\xC3\xA8vre;H\xC3\xA9l\xC3\xA8ne\r\n";
	struct csv_table t;
	enum csv_encoding enc;
	CHECK_INT(parse(a, raw, sizeof raw - 1, &t, &enc), 0);
	CHECK_INT(enc, CSV_UTF8_BOM);
	CHECK_INT(t.sep, ';');
	CHECK_INT(t.n, 2);
	CHECK_STR(t.recs[0].fields[0], "Nom"); /* the BOM is gone */
	CHECK_STR(t.recs[0].fields[1], "Prénom");
	CHECK_STR(t.recs[1].fields[0], "Lefèvre");
	CHECK_INT(t.recs[1].line, 2);
	arena_free(a);
}

TEST(csv_utf8_without_bom_commas)
{
	arena *a = arena_new();
	const char raw[] = "Nom,Pr\xC3\xA9nom\nDupont,\xC3\x89lodie\n";
	struct csv_table t;
	enum csv_encoding enc;
	CHECK_INT(parse(a, raw, sizeof raw - 1, &t, &enc), 0);
	CHECK_INT(enc, CSV_UTF8);
	CHECK_INT(t.sep, ',');
	CHECK_INT(t.n, 2);
	CHECK_STR(t.recs[1].fields[1], "Élodie");
	arena_free(a);
}

TEST(csv_windows_1252)
{
	arena *a = arena_new();
	/* « Hélène Lefèvre; Œuvre – 10 € » as Excel writes it on Windows */
	const char raw[] = "Pr\xE9nom;Nom;Note\r\nH\xE9l\xE8ne;Lef\xE8vre;\x8Cuvre \x96 10 \x80\r\n";
	struct csv_table t;
	enum csv_encoding enc;
	CHECK_INT(parse(a, raw, sizeof raw - 1, &t, &enc), 0);
	CHECK_INT(enc, CSV_CP1252);
	CHECK_STR(t.recs[0].fields[0], "Prénom");
	CHECK_STR(t.recs[1].fields[0], "Hélène");
	CHECK_STR(t.recs[1].fields[1], "Lefèvre");
	CHECK_STR(t.recs[1].fields[2], "Œuvre – 10 €");
	arena_free(a);
}

TEST(csv_quotes_and_line_breaks)
{
	arena *a = arena_new();
	const char raw[] = "Nom;Adresse;Note\r\n"
			   "\"Dupont; Durand\";\"12 rue des Lilas\r\nBâtiment B\";\"dit \"\"Jojo\"\"\"\r\n"
			   "\r\n" /* an empty line is skipped */
			   "Martin;;\r\n";
	struct csv_table t;
	enum csv_encoding enc;
	CHECK_INT(parse(a, raw, sizeof raw - 1, &t, &enc), 0);
	CHECK_INT(t.sep, ';'); /* the ';' inside quotes does not count */
	CHECK_INT(t.n, 3);
	CHECK_STR(t.recs[1].fields[0], "Dupont; Durand");
	CHECK_STR(t.recs[1].fields[1], "12 rue des Lilas\r\nBâtiment B");
	CHECK_STR(t.recs[1].fields[2], "dit \"Jojo\"");
	CHECK_INT(t.recs[2].nfields, 3);
	CHECK_STR(t.recs[2].fields[0], "Martin");
	CHECK_STR(t.recs[2].fields[2], "");
	CHECK_INT(t.recs[2].line, 3);
	arena_free(a);
}

TEST(csv_errors)
{
	arena *a = arena_new();
	struct csv_table t;
	enum csv_encoding enc;
	const char open_quote[] = "Nom;Prénom\r\n\"Dupont;Jean\r\n";
	CHECK_INT(parse(a, open_quote, sizeof open_quote - 1, &t, &enc), CLR_EINVAL);
	CHECK(t.error && strstr(t.error, "guillemet"));
	const char nul[] = "Nom\0;x\n";
	CHECK_INT(parse(a, nul, sizeof nul - 1, &t, &enc), -100);
	const char many[] = "a\nb\nc\nd\n";
	size_t len;
	char *text = csv_to_utf8(a, many, sizeof many - 1, &enc, &len);
	CHECK_INT(csv_read(a, text, len, ';', 3, &t), CLR_EINVAL);
	CHECK(t.error && strstr(t.error, "plus de 2 lignes"));
	arena_free(a);
}

TEST(csv_separator_detection)
{
	CHECK_INT(csv_detect_sep("a;b;c\n1,5;2,5;3\n", 16), ';');
	CHECK_INT(csv_detect_sep("a,b,c\n", 6), ',');
	CHECK_INT(csv_detect_sep("\"a;b\",c,d\n", 10), ',');
	CHECK_INT(csv_detect_sep("a\n", 2), ';');
}

TEST(csv_field_quoting)
{
	buf b = BUF_INIT;
	csv_add_field(&b, "simple", ';');
	buf_addc(&b, '|');
	csv_add_field(&b, "a;b", ';');
	buf_addc(&b, '|');
	csv_add_field(&b, "dit \"Jo\"", ';');
	buf_addc(&b, '|');
	csv_add_field(&b, "=SOMME(A1)", ';');
	buf_addc(&b, '|');
	csv_add_field(&b, "a,b", ';');
	CHECK_STR(b.data, "simple|\"a;b\"|\"dit \"\"Jo\"\"\"|\"'=SOMME(A1)\"|a,b");
	buf_free(&b);
}
