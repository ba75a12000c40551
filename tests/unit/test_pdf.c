/* test_pdf.c - the document layer (src/pdf/pdf.c) and the convocation
 * (src/pdf/convocation.c), read back with poppler-utils (pdftotext,
 * pdfinfo) as a person or a search tool would: the accented names, the
 * centre's address, the date in French, « Page N sur M »; a 500-row table
 * paginates with its header on every page and every row exactly once; a
 * paragraph longer than a page loses and repeats no line; user text is
 * never read as markup; the same input gives the same bytes.  Without
 * pdftotext the text checks are skipped (test_skip).
 *
 * CLR_PDF_KEEP=DIR keeps the rendered PDFs there (to look at them with
 * pdftoppm; helpers in pdf_read.c).  The convocation test prints the time of one render.  Leak
 * checks need G_SLICE=always-malloc (tests/run sets it) and the
 * suppressions of tests/lsan.supp (fontconfig's own leaks; also built into
 * the test binary by tests/unit/main.c).
 */
#include "test.h"
#include "pdf_read.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include "pdf/convocation.h"
#include "pdf/pdf.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define NB "\xC2\xA0"

static struct convocation sample(void)
{
	return (struct convocation){
		.civility = "Madame",
		.last_name = "Lefèvre-d'Artagnan",
		.first_name = "Hélène",
		.birth_date = "1990-07-14",
		.email = "helene.lefevre@exemple.fr",
		.org_name = "Lycée Honoré-d'Urfé & associés <Saint-Étienne>",
		.centre_name = "La Poste Saint-Étienne Centre - Espace examens",
		.centre_address = "Centre commercial Centre Deux, niveau 2, porte B\n"
				  "11 bis rue des Docteurs Charcot, bâtiment « Les Tilleuls »",
		.centre_postal_code = "42100",
		.centre_city = "Saint-Étienne",
		.exam_date = "2026-12-15",
		.exam_time = "09:30",
		.reference = "CLR-2026-000123",
		.issued_at = 1796000000,
	};
}

TEST(pdf_convocation_text)
{
	fonts_released_at_exit();
	struct convocation c = sample();
	buf pdf = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_convocation(&pdf, &c), 0);
	CHECK(pdf.len > 1000 && memcmp(pdf.data, "%PDF-", 5) == 0);

	/* render time, after a warm-up render (font map, glyph caches) */
	const int n = 20;
	double t0 = mono_ms();
	for (int i = 0; i < n; i++) {
		buf b = BUF_INIT;
		CHECK_INT(pdf_convocation(&b, &c), 0);
		buf_free(&b);
	}
	printf("  convocation: %.2f ms per render (mean of %d, %zu bytes)\n", (mono_ms() - t0) / n, n, pdf.len);

	char path[256];
	CHECK_INT(pdf_save(&pdf, "convocation", path), 0);
	if (!have_poppler()) {
		test_skip("pdftotext/pdfinfo missing (Debian package poppler-utils)");
	} else {
		CHECK_INT(pdf_run("pdfinfo", path, &txt), 0);
		CHECK_INT(info_pages(txt.data), 1);
		CHECK(info_is(txt.data, "Title", "Convocation à la Certification Le Robert"));
		CHECK(info_is(txt.data, "Author", "Certification Le Robert"));
		CHECK(info_is(txt.data, "Subject", "Convocation de Hélène LEFÈVRE-D'ARTAGNAN"));
		CHECK(info_is(txt.data, "CreationDate", "Mon Nov 30 00:53:20 2026 UTC"));
		CHECK(info_is(txt.data, "Page size", "595.276 x 841.89 pts (A4)"));
		CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
		CHECK(strstr(txt.data, "Convocation à la Certification Le Robert"));
		CHECK(strstr(txt.data, "Madame Hélène LEFÈVRE-D'ARTAGNAN, née le 14/07/1990"));
		CHECK(strstr(txt.data, "helene.lefevre@exemple.fr"));
		CHECK(strstr(txt.data, "Vous êtes convoquée"));
		CHECK(strstr(txt.data, "mardi 15 décembre 2026 à 09:30"));
		CHECK(strstr(txt.data, "La Poste Saint-Étienne Centre - Espace examens"));
		CHECK(strstr(txt.data, "Centre commercial Centre Deux, niveau 2, porte B"));
		CHECK(strstr(txt.data, "11 bis rue des Docteurs Charcot, bâtiment « Les Tilleuls »"));
		CHECK(strstr(txt.data, "42100 Saint-Étienne"));
		/* pdftotext writes U+00A0 as a space */
		CHECK(strstr(txt.data, "1 h 45 (350 questions en 11 séries)"));
		CHECK(strstr(txt.data, "À apporter le jour de l'examen"));
		CHECK(strstr(txt.data, "votre identifiant (adresse de courriel) et votre mot de passe de la plateforme"));
		CHECK(strstr(txt.data, "une pièce d'identité en cours de validité (carte d'identité, passeport ou titre"));
		CHECK(strstr(txt.data, "Présentez-vous à l'accueil du centre à 09:15, 15 minutes avant"));
		CHECK(strstr(txt.data, "Lycée Honoré-d'Urfé & associés <Saint-Étienne>")); /* not read as markup */
		CHECK(strstr(txt.data, "CLR-2026-000123"));
		CHECK(strstr(txt.data, "Page 1 sur 1"));
		CHECK(strstr(txt.data, "Certification Le Robert"));
	}
	pdf_drop(path);
	buf_free(&pdf);
	buf_free(&txt);
}

TEST(pdf_convocation_agreement_and_errors)
{
	fonts_released_at_exit();
	struct convocation c = sample();
	c.civility = "Monsieur";
	c.first_name = "Jean";
	c.last_name = "Dupont";
	buf pdf = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_convocation(&pdf, &c), 0);
	char path[256];
	CHECK_INT(pdf_save(&pdf, "convocation-m", path), 0);
	if (have_poppler()) {
		CHECK_INT(pdf_run("pdftotext", path, &txt), 0);
		CHECK(strstr(txt.data, "Monsieur Jean DUPONT, né le 14/07/1990"));
		CHECK(strstr(txt.data, "Vous êtes convoqué à"));
		CHECK(strstr(txt.data, "Vous avez été inscrit par"));
	}
	pdf_drop(path);

	/* 1st of the month, early morning: « 1er », arrival the same day */
	c = sample();
	c.civility = NULL;
	c.exam_date = "2026-12-01";
	c.exam_time = "08:00";
	buf_reset(&pdf);
	CHECK_INT(pdf_convocation(&pdf, &c), 0);
	CHECK_INT(pdf_save(&pdf, "convocation-x", path), 0);
	if (have_poppler()) {
		CHECK_INT(pdf_run("pdftotext", path, &txt), 0);
		CHECK(strstr(txt.data, "Hélène LEFÈVRE-D'ARTAGNAN, né(e) le 14/07/1990"));
		CHECK(strstr(txt.data, "mardi 1er décembre 2026 à 08:00"));
		CHECK(strstr(txt.data, "centre à 07:45"));
	}
	pdf_drop(path);

	/* rejected: out unchanged */
	buf_reset(&pdf);
	buf_adds(&pdf, "keep");
	c = sample(), c.exam_date = "15/12/2026";
	CHECK_INT(pdf_convocation(&pdf, &c), CLR_EINVAL);
	c = sample(), c.exam_time = "9h30";
	CHECK_INT(pdf_convocation(&pdf, &c), CLR_EINVAL);
	c = sample(), c.last_name = "";
	CHECK_INT(pdf_convocation(&pdf, &c), CLR_EINVAL);
	c = sample(), c.centre_name = NULL;
	CHECK_INT(pdf_convocation(&pdf, &c), CLR_EINVAL);
	CHECK_STR(pdf.data, "keep");
	buf_free(&pdf);
	buf_free(&txt);
}

TEST(pdf_same_input_same_bytes)
{
	fonts_released_at_exit();
	struct convocation c = sample();
	buf a = BUF_INIT, b = BUF_INIT;
	CHECK_INT(pdf_convocation(&a, &c), 0);
	sleep(1); /* cairo would write the current time if the dates were not set */
	CHECK_INT(pdf_convocation(&b, &c), 0);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	CHECK(memmem(a.data, a.len, "20261130005320", 14) != NULL); /* CreationDate: issued_at */
	buf_free(&a);
	buf_free(&b);
}

/* The activation-code list's shape: 500 candidates, a box to sign in. */
TEST(pdf_table_500_rows)
{
	fonts_released_at_exit();
	struct pdf_meta meta = {.title = "Codes d'activation", .header_note = "Session du 15/12/2026", .created = 1796000000};
	struct pdf *d = pdf_new(&meta);
	pdf_title(d, "Codes d'activation");
	pdf_text(d, PDF_MUTED, "Session du mardi 15 décembre 2026 à 09:30 · 500 candidats");
	pdf_heading(d, "Liste des candidats");
	static const struct pdf_col cols[] = {
		{"Nom et prénom", 3.2, PDF_ALIGN_LEFT, 0, 0},
		{"Date de naissance", 1.6, PDF_ALIGN_CENTER, 0, 0},
		{"Code d'activation", 1.9, PDF_ALIGN_LEFT, 0, PDF_BOLD},
		{"Signature", 2.0, PDF_ALIGN_LEFT, 1, 0},
	};
	pdf_table_begin(d, cols, 4, 30);
	for (int i = 1; i <= 500; i++) {
		char name[96], birth[16], code[32];
		/* every tenth name is long enough to wrap */
		snprintf(name, sizeof name, "LEFÈVRE-%04d Hélène%s", i, i % 10 ? "" : " Marie-Thérèse Joséphine");
		snprintf(birth, sizeof birth, "%02d/%02d/19%02d", 1 + i % 28, 1 + i % 12, 60 + i % 40);
		snprintf(code, sizeof code, "K7Q-%04d-ZX", i);
		const char *cells[] = {name, birth, code, NULL};
		pdf_table_row(d, cells);
	}
	pdf_table_end(d);
	pdf_box(d, "Signature du surveillant", 220, 60);
	int pages = pdf_page_count(d);
	buf pdf = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_finish(d, &pdf), 0);
	pdf_free(d);
	CHECK(pages > 10);

	char path[256];
	CHECK_INT(pdf_save(&pdf, "table500", path), 0);
	if (!have_poppler()) {
		test_skip("pdftotext/pdfinfo missing (Debian package poppler-utils)");
	} else {
		CHECK_INT(pdf_run("pdfinfo", path, &txt), 0);
		CHECK_INT(info_pages(txt.data), pages);
		CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
		/* every row exactly once, in order */
		const char *last = txt.data;
		for (int i = 1; i <= 500; i++) {
			char name[32], code[32];
			snprintf(name, sizeof name, "LEFÈVRE-%04d", i);
			snprintf(code, sizeof code, "K7Q-%04d-ZX", i);
			CHECK_INT(count_of(txt.data, name), 1);
			CHECK_INT(count_of(txt.data, code), 1);
			const char *at = strstr(txt.data, name);
			CHECK(at && at > last);
			if (at)
				last = at;
		}
		/* every page: the header row, « Page N sur M » */
		char *save_ptr = NULL;
		int page = 0;
		for (char *pg = strtok_r(txt.data, "\f", &save_ptr); pg; pg = strtok_r(NULL, "\f", &save_ptr)) {
			if (!*pg || !strcmp(pg, "\n"))
				continue;
			page++;
			char foot[48];
			snprintf(foot, sizeof foot, "Page %d sur %d", page, pages);
			CHECK(strstr(pg, foot) != NULL);
			CHECK(strstr(pg, "Certification Le Robert") != NULL);
			if (page < pages || strstr(pg, "LEFÈVRE-0500")) {
				CHECK(strstr(pg, "Nom et prénom") != NULL);
				CHECK(strstr(pg, "Code d'activation") != NULL);
			}
		}
		CHECK_INT(page, pages);
	}
	pdf_drop(path);
	buf_free(&pdf);
	buf_free(&txt);
}

/* A manual's shape: long paragraphs across pages, lists, a panel. */
TEST(pdf_flow_across_pages)
{
	fonts_released_at_exit();
	struct pdf_meta meta = {.title = "Mode d'emploi à destination du surveillant", .created = 1796000000};
	struct pdf *d = pdf_new(&meta);
	pdf_title(d, "Mode d'emploi à destination du surveillant");
	buf long_text = BUF_INIT;
	for (int i = 1; i <= 300; i++)
		buf_printf(&long_text, "Phrase" NB "n°%03d" NB ": le surveillant vérifie l'identité de chaque candidat. ", i);
	pdf_heading(d, "Avant l'épreuve");
	pdf_paragraph(d, long_text.data);
	pdf_panel_begin(d);
	pdf_text(d, PDF_BOLD, "À retenir");
	struct pdf_kv kv[] = {{"Durée", "1" NB "h" NB "45", PDF_BOLD}, {"Questions", "350 en 11 séries", 0}};
	pdf_kv(d, kv, 2);
	pdf_panel_end(d);
	const char *items[] = {"premier point", "second point, plus long : « guillemets » et accents éèàç"};
	pdf_bullets(d, items, 2);
	pdf_markup(d, 0, "Texte <b>gras</b> puis données : %s", "<i>pas de l'italique</i> & rien d'autre");
	int pages = pdf_page_count(d);
	buf pdf = BUF_INIT, txt = BUF_INIT;
	CHECK_INT(pdf_finish(d, &pdf), 0);
	pdf_free(d);
	CHECK(pages >= 3);
	char path[256];
	CHECK_INT(pdf_save(&pdf, "flow", path), 0);
	if (!have_poppler()) {
		test_skip("pdftotext missing (Debian package poppler-utils)");
	} else {
		CHECK_INT(pdf_run("pdftotext", path, &txt), 0);
		for (int i = 1; i <= 300; i++) {
			char s[32];
			snprintf(s, sizeof s, "Phrase n°%03d", i); /* U+00A0 comes out as a space */
			CHECK_INT(count_of(txt.data, s), 1);
		}
		CHECK(strstr(txt.data, "<i>pas de l'italique</i> & rien d'autre"));
		CHECK(strstr(txt.data, "350 en 11 séries"));
		char foot[48];
		snprintf(foot, sizeof foot, "Page %d sur %d", pages, pages);
		CHECK(strstr(txt.data, foot));
	}
	pdf_drop(path);
	buf_free(&long_text);
	buf_free(&pdf);
	buf_free(&txt);
}

TEST(pdf_invalid_utf8_and_empty)
{
	fonts_released_at_exit();
	struct pdf *d = pdf_new(NULL);
	pdf_paragraph(d, "valide puis \xff\xfe invalide");
	pdf_paragraph(d, NULL);
	static const struct pdf_col cols[] = {{"A", 1, PDF_ALIGN_LEFT, 0, 0}, {"B", 1, PDF_ALIGN_RIGHT, 0, 0}};
	pdf_table_begin(d, cols, 2, 0);
	const char *row[] = {NULL, "\xc3"};
	pdf_table_row(d, row);
	/* the table is closed by pdf_finish() */
	buf pdf = BUF_INIT;
	CHECK_INT(pdf_finish(d, &pdf), 0);
	CHECK_INT(pdf_finish(d, &pdf), CLR_ESYS); /* once only */
	CHECK_INT(pdf_page_count(d), 1);
	pdf_free(d);
	CHECK(pdf.len > 0 && memcmp(pdf.data, "%PDF-", 5) == 0);
	buf_free(&pdf);
}

/* Documents rendered on several threads at once (HTTP workers) are the
 * same bytes as on one: each thread has its own font map. */
struct thread_job {
	const buf *want;
	int mismatches;
};

static void *render_on_thread(void *arg)
{
	struct thread_job *job = arg;
	struct convocation c = sample();
	for (int i = 0; i < 15; i++) {
		buf b = BUF_INIT;
		if (pdf_convocation(&b, &c) != 0 || b.len != job->want->len || memcmp(b.data, job->want->data, b.len))
			job->mismatches++;
		buf_free(&b);
	}
	pdf_thread_cleanup();
	return NULL;
}

TEST(pdf_threads)
{
	fonts_released_at_exit();
	struct convocation c = sample();
	buf want = BUF_INIT;
	CHECK_INT(pdf_convocation(&want, &c), 0);
	pthread_t t[3];
	struct thread_job jobs[3] = {{&want, 0}, {&want, 0}, {&want, 0}};
	for (int i = 0; i < 3; i++)
		CHECK_INT(pthread_create(&t[i], NULL, render_on_thread, &jobs[i]), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		CHECK_INT(jobs[i].mismatches, 0);
	}
	buf_free(&want);
}
