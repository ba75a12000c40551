/* test_session_docs.c - the proctoring documents of a self-proctored session
 * (src/pdf/session_docs.c), read back with pdftotext/pdfinfo: accented
 * names « NOM Prénom », codes « ABCD-EFGH-JKMN », each of 500 candidates
 * exactly once and in order across pages, the header row on every page,
 * « Page N sur M », the French labels of the boxes, the blank forms
 * (n == 0), the page counts (a scratch sheet per candidate), and the
 * rejected inputs (out unchanged).
 *
 * The 500-candidate tests print the time of one render after a warm-up
 * (speed is reported, never asserted: DESIGN.md section 5).
 * CLR_PDF_KEEP=DIR keeps the PDFs (pdf_read.h).
 */
#include "test.h"
#include "pdf_read.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include "pdf/session_docs.h"
#include <glib.h>
#include <stdlib.h>

#define N500 500

/* 500 candidates: accented last names made unique by a number
 * (« LEFÈVRE-0001 »), every 10th first name long enough to wrap, and codes
 * in the platform's alphabet, unique by their last group. */
struct fixture {
	struct session_doc_row rows[N500];
	char last[N500][48], first[N500][64], birth[N500][16], code[N500][15];
};

static const char *const lasts[] = {"Lefèvre", "Béranger", "Chéreau", "Dubœuf", "Élie", "Gaël-Ménard", "Hébert", "Ouédraogo"};
static const char *const firsts[] = {"Hélène", "Zoé", "François", "Anaïs", "Loïc", "Maëlle", "Jérôme", "Cécile"};
static const char alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; /* 31 characters */

static void code_of(int i, char out[15])
{
	unsigned v = (unsigned)i * 7919u + 12345u;
	for (int k = 0; k < 14; k++) {
		if (k == 4 || k == 9) {
			out[k] = '-';
			continue;
		}
		out[k] = alphabet[(v >> (k % 5)) % 31];
		v = v * 1103515245u + 12345u;
	}
	/* the last group: i in base 31, so every code differs */
	out[11] = alphabet[(i / 961) % 31];
	out[12] = alphabet[(i / 31) % 31];
	out[13] = alphabet[i % 31];
	out[14] = 0;
}

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof *f);
	for (int i = 0; i < N500; i++) {
		snprintf(f->last[i], sizeof f->last[i], "%s-%04d", lasts[i % 8], i + 1);
		snprintf(f->first[i], sizeof f->first[i], "%s%s", firsts[i % 8],
			 i % 10 == 9 ? " Marie-Thérèse Joséphine Éléonore" : "");
		snprintf(f->birth[i], sizeof f->birth[i], "19%02d-%02d-%02d", 60 + i % 40, 1 + i % 12, 1 + i % 28);
		code_of(i, f->code[i]);
		f->rows[i] = (struct session_doc_row){
			.civility = i % 2 ? "Monsieur" : "Madame",
			.last_name = f->last[i],
			.first_name = f->first[i],
			.birth_date = f->birth[i],
			.code = f->code[i],
		};
	}
	/* the first row is the one the checks read in full */
	f->rows[0].last_name = "Lefèvre-d'Artagnan";
	f->rows[0].first_name = "Hélène";
	f->rows[0].birth_date = "1990-07-14";
	f->rows[0].code = "ABCD-EFGH-JKMN";
	return f;
}

static struct session_doc session(const struct fixture *f, int n)
{
	return (struct session_doc){
		.org_name = "Lycée Honoré-d'Urfé & associés <Saint-Étienne>",
		.product_label = "Partenaire / centre agréé",
		.date = "2026-12-15",
		.time = "09:30",
		.place = "Salle B204 (bâtiment « Les Tilleuls »)",
		.reference = "Session n° 42",
		.rows = n ? f->rows : NULL,
		.n = n,
		.issued_at = 1796000000,
	};
}

/* The name a row shows: « LEFÈVRE-0001 Hélène ». */
static void shown_name(const struct fixture *f, int i, char *out, size_t n)
{
	if (i == 0)
		snprintf(out, n, "LEFÈVRE-D'ARTAGNAN Hélène");
	else {
		char *up = g_utf8_strup(f->last[i], -1);
		snprintf(out, n, "%s %s", up, firsts[i % 8]);
		g_free(up);
	}
}

typedef int (*doc_fn)(buf *, const struct session_doc *);

/* Mean ms of 3 renders after a warm-up one. */
static double time_render(doc_fn fn, const struct session_doc *d, size_t *bytes)
{
	buf b = BUF_INIT;
	fn(&b, d); /* warm-up: font map, glyph caches */
	*bytes = b.len;
	buf_free(&b);
	const int n = 3;
	double t0 = mono_ms();
	for (int i = 0; i < n; i++) {
		buf c = BUF_INIT;
		fn(&c, d);
		buf_free(&c);
	}
	return (mono_ms() - t0) / n;
}

/* Splits pdftotext's output into pages (on \f) in place; their count. */
static int pages_of(char *txt, char **pages, int max)
{
	int n = 0;
	char *p = txt;
	while (n < max) {
		char *ff = strchr(p, '\f');
		if (!ff)
			break;
		*ff = 0;
		pages[n++] = p;
		p = ff + 1;
	}
	return n;
}

/* The checks every document passes: each page has the Le Robert header and
 * « Page N sur M » (header_row: and the table's header row, when the page
 * holds a table row); every candidate exactly once, in order. */
static void check_pages(int *failed_, const struct fixture *f, int n, char *txt, int pages, const char *header_row,
			int names_per_page_max)
{
	const char *last = txt;
	for (int i = 0; i < n; i++) {
		char name[128];
		shown_name(f, i, name, sizeof name);
		if (count_of(txt, name) != 1) {
			fprintf(stderr, "  candidate %d (%s) seen %d times\n", i + 1, name, count_of(txt, name));
			CHECK(0);
			continue;
		}
		const char *at = strstr(txt, name);
		CHECK(at > last || i == 0);
		last = at;
	}
	static char *pg[N500 + 8];
	int np = pages_of(txt, pg, N500 + 8);
	CHECK_INT(np, pages);
	for (int p = 0; p < np; p++) {
		char foot[48];
		snprintf(foot, sizeof foot, "Page %d sur %d", p + 1, pages);
		CHECK(strstr(pg[p], foot) != NULL);
		CHECK(strstr(pg[p], "Certification Le Robert") != NULL);
		int rows_here = count_of(pg[p], "-0") + count_of(pg[p], "D'ARTAGNAN"); /* « LEFÈVRE-0001 » ... */
		if (header_row && rows_here)
			CHECK(strstr(pg[p], header_row) != NULL);
		if (names_per_page_max)
			CHECK(rows_here <= names_per_page_max);
	}
}

TEST(pdf_session_codes_500)
{
	fonts_released_at_exit();
	struct fixture *f = fixture_new();
	struct session_doc d = session(f, N500);
	buf pdf = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_codes(&pdf, &d), 0);
	size_t bytes;
	double ms = time_render(pdf_codes, &d, &bytes);
	printf("  codes, 500 candidates: %.1f ms per render (%zu bytes)\n", ms, bytes);

	char path[256];
	CHECK_INT(pdf_save(&pdf, "codes500", path), 0);
	if (!have_poppler()) {
		test_skip("pdftotext/pdfinfo missing (Debian package poppler-utils)");
	} else {
		CHECK_INT(pdf_run("pdfinfo", path, &txt), 0);
		int pages = info_pages(txt.data);
		CHECK(pages > 10 && pages < 40);
		CHECK(info_is(txt.data, "Title", "Codes d'activation"));
		CHECK(info_is(txt.data, "Subject", "Codes d'activation · session du mardi 15 décembre 2026 à 09:30"));
		CHECK(info_is(txt.data, "Keywords", "Session n° 42"));
		CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
		const char *t = txt.data;
		CHECK(strstr(t, "Codes d'activation"));
		CHECK(strstr(t, "Session n° 42 · Document confidentiel"));
		CHECK(strstr(t, "Lycée Honoré-d'Urfé & associés <Saint-Étienne>"));
		CHECK(strstr(t, "mardi 15 décembre 2026 à 09:30"));
		CHECK(strstr(t, "Salle B204 (bâtiment « Les Tilleuls »)"));
		CHECK(strstr(t, "500 candidats"));
		CHECK(strstr(t, "édité le 30/11/2026"));
		CHECK(strstr(t, "Consignes pour le surveillant"));
		CHECK(strstr(t, "Remettez à chaque candidat son propre code au début de l'épreuve"));
		CHECK(strstr(t, "du jour de l'examen (mardi 15 décembre 2026) et"));
		CHECK(strstr(t, "Gardez cette liste hors de la vue des candidats"));
		CHECK(strstr(t, "Signature du candidat"));
		/* the first row in full, on one line */
		CHECK(strstr(t, "LEFÈVRE-D'ARTAGNAN Hélène") && strstr(t, "14/07/1990") && strstr(t, "ABCD-EFGH-JKMN"));
		const char *row = strstr(t, "LEFÈVRE-D'ARTAGNAN Hélène");
		const char *eol = row ? strchr(row, '\n') : NULL;
		const char *code = row ? strstr(row, "ABCD-EFGH-JKMN") : NULL;
		CHECK(code && eol && code < eol && strstr(row, "14/07/1990") < code);
		/* every code once, in the candidates' order */
		const char *last = t;
		for (int i = 0; i < N500; i++) {
			const char *c = f->rows[i].code;
			CHECK_INT(count_of(t, c), 1);
			const char *at = strstr(t, c);
			CHECK(at && at > last);
			if (at)
				last = at;
		}
		CHECK(!strstr(t, "sans code d'activation"));
		check_pages(failed_, f, N500, txt.data, pages, "Nom et prénom", 0);
	}
	pdf_drop(path);
	buf_free(&pdf);
	buf_free(&txt);
	free(f);
}

TEST(pdf_session_surveillance_500)
{
	fonts_released_at_exit();
	struct fixture *f = fixture_new();
	struct session_doc d = session(f, N500);
	buf pdf = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_surveillance(&pdf, &d), 0);
	size_t bytes;
	double ms = time_render(pdf_surveillance, &d, &bytes);
	printf("  surveillance, 500 candidates: %.1f ms per render (%zu bytes)\n", ms, bytes);

	char path[256];
	CHECK_INT(pdf_save(&pdf, "surveillance500", path), 0);
	if (!have_poppler()) {
		test_skip("pdftotext/pdfinfo missing (Debian package poppler-utils)");
	} else {
		CHECK_INT(pdf_run("pdfinfo", path, &txt), 0);
		int pages = info_pages(txt.data);
		CHECK(pages > 10 && pages < 40);
		CHECK(info_is(txt.data, "Title", "Document de surveillance"));
		CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
		const char *t = txt.data;
		static const char *const labels[] = {
			"Document de surveillance", "La session", "Organisation", "Type d'épreuve",
			"Certification Le Robert · Partenaire / centre agréé", "mardi 15 décembre 2026 à 09:30",
			"Salle B204 (bâtiment « Les Tilleuls »)", "Session n° 42", "500 candidats",
			"Nom et prénom du surveillant", "Signature du surveillant", "N°", "Heure de début", "Heure de fin",
			"Nombre de candidats présents", "Liste d'émargement", "Présent", "Signature", "Incidents",
			"Écrivez « Néant » s'il n'y en a eu aucun", "Rappel des règles de l'épreuve",
			"1 h 45 pour 350 questions réparties en 11 séries", "d'identité officielle avec photographie",
			"Aucun document, dictionnaire", "éteints et rangés hors de portée", "Fait à",
			"Signature du responsable de la session", "Cachet de l'organisation",
			"Lycée Honoré-d'Urfé & associés <Saint-Étienne>",
		};
		for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
			if (!strstr(t, labels[i])) {
				fprintf(stderr, "  missing « %s »\n", labels[i]);
				CHECK(0);
			}
		const char *row = strstr(t, "LEFÈVRE-D'ARTAGNAN Hélène");
		const char *eol = row ? strchr(row, '\n') : NULL;
		const char *code = row ? strstr(row, "ABCD-EFGH-JKMN") : NULL;
		CHECK(code && eol && code < eol && strstr(row, "14/07/1990") < code);
		for (int i = 0; i < N500; i++)
			CHECK_INT(count_of(t, f->rows[i].code), 1);
		/* after the table: incidents, rules, closing, on the last pages */
		CHECK(strstr(t, "Incidents") > strstr(t, "LEFÈVRE-0500"));
		CHECK(strstr(t, "Fait à") > strstr(t, "Rappel des règles"));
		check_pages(failed_, f, N500, txt.data, pages, "Nom et prénom", 0);
	}
	pdf_drop(path);
	buf_free(&pdf);
	buf_free(&txt);
	free(f);
}

TEST(pdf_session_scratch_500)
{
	fonts_released_at_exit();
	struct fixture *f = fixture_new();
	struct session_doc d = session(f, N500);
	buf pdf = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_scratch(&pdf, &d), 0);
	size_t bytes;
	double ms = time_render(pdf_scratch, &d, &bytes);
	printf("  scratch, 500 candidates (500 pages): %.1f ms per render (%zu bytes)\n", ms, bytes);

	char path[256];
	CHECK_INT(pdf_save(&pdf, "scratch500", path), 0);
	if (!have_poppler()) {
		test_skip("pdftotext/pdfinfo missing (Debian package poppler-utils)");
	} else {
		CHECK_INT(pdf_run("pdfinfo", path, &txt), 0);
		CHECK_INT(info_pages(txt.data), N500);
		CHECK(info_is(txt.data, "Title", "Feuille de brouillon Certification Le Robert"));
		CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
		CHECK_INT(count_of(txt.data, "À rendre au surveillant à la fin de l'épreuve"), N500);
		CHECK_INT(count_of(txt.data, "Feuille de brouillon"), 2 * N500); /* the title, the footer */
		CHECK_INT(count_of(txt.data, "mardi 15 décembre 2026 à 09:30"), N500);
		/* page i is candidate i's */
		static char *pg[N500 + 8];
		buf copy = BUF_INIT;
		buf_add(&copy, txt.data, txt.len);
		int np = pages_of(copy.data, pg, N500 + 8);
		CHECK_INT(np, N500);
		for (int i = 0; i < np && i < N500; i++) {
			char name[128];
			shown_name(f, i, name, sizeof name);
			CHECK(strstr(pg[i], name) != NULL);
		}
		buf_free(&copy);
		check_pages(failed_, f, N500, txt.data, N500, NULL, 1);
	}
	pdf_drop(path);
	buf_free(&pdf);
	buf_free(&txt);
	free(f);
}

/* n == 0: forms to fill in by hand, with no session date either. */
TEST(pdf_session_blank_forms)
{
	fonts_released_at_exit();
	struct session_doc d = {.org_name = "Institut Pierre-Gilles de Gennes", .issued_at = 1796000000};
	static const struct {
		doc_fn fn;
		const char *name, *title;
		int pages;
	} docs[] = {
		{pdf_codes, "codes-blank", "Codes d'activation", 1},
		{pdf_surveillance, "surveillance-blank", "Document de surveillance", 0},
		{pdf_scratch, "scratch-blank", "Feuille de brouillon", 1},
	};
	for (size_t k = 0; k < sizeof docs / sizeof *docs; k++) {
		buf pdf = BUF_INIT, txt = BUF_INIT;
		CHECK_INT(docs[k].fn(&pdf, &d), 0);
		char path[256];
		CHECK_INT(pdf_save(&pdf, docs[k].name, path), 0);
		if (!have_poppler()) {
			test_skip("pdftotext/pdfinfo missing (Debian package poppler-utils)");
		} else {
			CHECK_INT(pdf_run("pdfinfo", path, &txt), 0);
			int pages = info_pages(txt.data);
			if (docs[k].pages)
				CHECK_INT(pages, docs[k].pages);
			else
				CHECK(pages >= 2 && pages <= 4);
			CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
			const char *t = txt.data;
			CHECK(strstr(t, docs[k].title));
			/* lines to fill in instead of the session's details */
			CHECK(docs[k].fn == pdf_scratch || (strstr(t, "Date :") && strstr(t, "Heure :") &&
							    strstr(t, "Lieu (salle) :")));
			CHECK(!strstr(t, "Candidats ")); /* no count */
			char foot[32];
			snprintf(foot, sizeof foot, "Page %d sur %d", pages, pages);
			CHECK(strstr(t, foot));
			if (docs[k].fn == pdf_surveillance) {
				CHECK(strstr(t, "Heure de début") && strstr(t, "Heure de fin") && strstr(t, "Incidents"));
				CHECK(strstr(t, "Signature du surveillant") && strstr(t, "Liste d'émargement"));
				CHECK(strstr(t, "Institut Pierre-Gilles de Gennes"));
			}
			if (docs[k].fn == pdf_scratch) {
				CHECK(strstr(t, "Nom :") && strstr(t, "Prénom :") && strstr(t, "Date de l'épreuve :"));
				CHECK(strstr(t, "À rendre au surveillant à la fin de l'épreuve"));
			}
			if (docs[k].fn == pdf_codes)
				CHECK(strstr(t, "Code d'activation") && strstr(t, "du jour de l'examen et uniquement"));
		}
		pdf_drop(path);
		buf_free(&pdf);
		buf_free(&txt);
	}
}

/* A few candidates, one without a code yet; two renders, the same bytes. */
TEST(pdf_session_small_and_missing_code)
{
	fonts_released_at_exit();
	const struct session_doc_row rows[] = {
		{"Madame", "Ngô", "Thị Mai", "2001-02-28", "ABCD-EFGH-JKMN"},
		{NULL, "O'Brien", NULL, NULL, NULL},
		{"Monsieur", "Müller", "Jürgen", "1985-11-30", ""},
	};
	struct session_doc d = {.org_name = "Mairie de Besançon", .date = "2027-03-01", .rows = rows, .n = 3,
				.issued_at = 1796000000};
	buf a = BUF_INIT, b = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_codes(&a, &d), 0);
	CHECK_INT(pdf_codes(&b, &d), 0);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	char path[256];
	CHECK_INT(pdf_save(&a, "codes-small", path), 0);
	if (have_poppler()) {
		CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
		CHECK(strstr(txt.data, "NGÔ Thị Mai"));
		CHECK(strstr(txt.data, "O'BRIEN"));
		CHECK(strstr(txt.data, "MÜLLER Jürgen"));
		CHECK(strstr(txt.data, "lundi 1er mars 2027"));
		CHECK(strstr(txt.data, "2 candidats sans code d'activation"));
		CHECK(strstr(txt.data, "Page 1 sur 1"));
	}
	pdf_drop(path);
	buf_reset(&b);
	CHECK_INT(pdf_surveillance(&b, &d), 0);
	CHECK_INT(pdf_save(&b, "surveillance-small", path), 0);
	if (have_poppler()) {
		CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
		CHECK(strstr(txt.data, "NGÔ Thị Mai"));
		CHECK(strstr(txt.data, "3 candidats"));
	}
	pdf_drop(path);
	buf_free(&a);
	buf_free(&b);
	buf_free(&txt);
}

TEST(pdf_session_rejected)
{
	fonts_released_at_exit();
	const struct session_doc_row ok[] = {{"Madame", "Lefèvre", "Hélène", "1990-07-14", "ABCD-EFGH-JKMN"}};
	const struct session_doc_row no_name[] = {{"Madame", "", "Hélène", "1990-07-14", NULL}};
	const struct session_doc_row bad_birth[] = {{"Madame", "Lefèvre", "Hélène", "14/07/1990", NULL}};
	const struct session_doc good = {.date = "2026-12-15", .time = "09:30", .rows = ok, .n = 1};
	struct session_doc bad[9];
	for (int i = 0; i < 9; i++)
		bad[i] = good;
	bad[0].date = "15/12/2026";
	bad[1].date = "2026-02-30";
	bad[2].date = "2026-1-5xx";
	bad[3].time = "9h30";
	bad[4].time = "09h30";
	bad[5].time = "24:00";
	bad[6].rows = no_name;
	bad[7].rows = bad_birth;
	bad[8].rows = NULL;
	doc_fn fns[] = {pdf_codes, pdf_surveillance, pdf_scratch};
	buf out = BUF_INIT;
	buf_adds(&out, "keep");
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < 9; i++)
			CHECK_INT(fns[k](&out, &bad[i]), CLR_EINVAL);
		struct session_doc neg = good;
		neg.n = -1;
		CHECK_INT(fns[k](&out, &neg), CLR_EINVAL);
		CHECK_INT(fns[k](&out, NULL), CLR_EINVAL);
	}
	CHECK_STR(out.data, "keep");
	/* a time without a date, and no time at all, are fine */
	struct session_doc t = good;
	t.date = NULL;
	CHECK_INT(pdf_codes(&out, &t), 0);
	t = good;
	t.time = "";
	CHECK_INT(pdf_surveillance(&out, &t), 0);
	buf_free(&out);
}
