/* test_manual.c - the manuals of the « Documentation » tab
 * (src/pdf/manual.c) and pdf_image() (src/pdf/pdf.c): both manuals are
 * embedded and render; the administrator's has its screenshots (pdfimages)
 * and a « Sommaire » whose page numbers are the pages where the chapters
 * start; a broken PNG is refused and adds nothing; the cache gives the same
 * bytes for a day and a new edition the next day. */
#include "test.h"
#include "pdf_read.h"
#include "core/buf.h"
#include "core/embedded.h"
#include "core/err.h"
#include "pdf/manual.h"
#include "pdf/pdf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY1 1796025600LL /* 30/11/2026 00:00 UTC */

TEST(pdf_image_png_and_garbage)
{
	fonts_released_at_exit();
	const struct embedded_file *png = embedded_find("data/doc/images/connexion.png");
	CHECK(png != NULL);
	if (!png)
		return;
	struct pdf *d = pdf_new(&(struct pdf_meta){.title = "Images", .created = DAY1});
	CHECK_INT(pdf_image(d, png->data, png->len, 200, "Légende « connexion »"), 0);
	CHECK_INT(pdf_image(d, (const unsigned char *)"\x89PNG\r\n\x1a\nnot really", 18, 200, "x"), CLR_EINVAL);
	CHECK_INT(pdf_image(d, png->data, png->len / 2, 200, NULL), CLR_EINVAL); /* truncated */
	/* four more of them do not fit on page 1: each moves whole */
	for (int i = 0; i < 4; i++)
		CHECK_INT(pdf_image(d, png->data, png->len, 200, NULL), 0);
	CHECK_INT(pdf_page_count(d), 2);
	buf out = BUF_INIT;
	CHECK_INT(pdf_finish(d, &out), 0);
	pdf_free(d);
	if (!have_poppler()) {
		buf_free(&out);
		test_skip("pdftotext/pdfimages not installed");
		return;
	}
	char path[256];
	CHECK_INT(pdf_save(&out, "images", path), 0);
	/* pdfimages -list takes no image root (pdf_run() would add "-") */
	char cmd[400];
	snprintf(cmd, sizeof cmd, "pdfimages -list '%s' 2>&1", path);
	FILE *p = popen(cmd, "r");
	buf list = BUF_INIT;
	char chunk[4096];
	size_t n;
	while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&list, chunk, n);
	CHECK(p && pclose(p) == 0);
	CHECK_INT(count_of(list.data, " rgb "), 5); /* one line per image */
	buf txt = BUF_INIT;
	CHECK_INT(pdf_run("pdftotext -layout", path, &txt), 0);
	CHECK(strstr(txt.data, "Légende « connexion »") != NULL);
	CHECK(strstr(txt.data, "Page 2 sur 2") != NULL);
	pdf_drop(path);
	buf_free(&list);
	buf_free(&txt);
	buf_free(&out);
}

/* The page of the form feed-separated text on which `line` starts a line. */
static int page_starting(const char *text, const char *line)
{
	int page = 1;
	size_t n = strlen(line);
	for (const char *p = text; *p; p++) {
		if (*p == '\f')
			page++;
		if ((p == text || p[-1] == '\n' || p[-1] == '\f') && strncmp(p, line, n) == 0)
			return page;
	}
	return 0;
}

TEST(pdf_manuals_toc_pages_and_cache)
{
	fonts_released_at_exit();
	buf admin = BUF_INIT, proctor = BUF_INIT, again = BUF_INIT, next = BUF_INIT;
	CHECK_INT(pdf_manual(&admin, MANUAL_ADMIN, DAY1 + 3600), 0);
	CHECK_INT(pdf_manual(&again, MANUAL_ADMIN, DAY1 + 7200), 0);
	CHECK(admin.len == again.len && memcmp(admin.data, again.data, admin.len) == 0); /* the same day: cached */
	CHECK_INT(pdf_manual(&next, MANUAL_ADMIN, DAY1 + 86400 + 3600), 0);
	CHECK(next.len > 0 && (next.len != admin.len || memcmp(next.data, admin.data, admin.len) != 0));
	CHECK_INT(pdf_manual(&proctor, MANUAL_PROCTOR, DAY1), 0);
	CHECK_INT(pdf_manual(&proctor, (enum manual)7, DAY1), CLR_ENOTFOUND);
	CHECK(admin.len > 500000); /* the screenshots */
	if (!have_poppler()) {
		test_skip("pdftotext not installed");
	} else {
		char path[256];
		CHECK_INT(pdf_save(&admin, "manual-admin", path), 0);
		buf txt = BUF_INIT;
		CHECK_INT(pdf_run("pdftotext", path, &txt), 0);
		CHECK(strstr(txt.data, "édité le 30/11/2026") != NULL);
		const char *chapters[] = {"1. Accueil", "2. Mes commandes", "3. Groupes", "4. Candidats",
					  "5. Gérer les certifications", "6. Mon compte"};
		buf lay = BUF_INIT;
		CHECK_INT(pdf_run("pdftotext -layout -f 1 -l 1", path, &lay), 0);
		for (size_t i = 0; i < sizeof chapters / sizeof *chapters; i++) {
			/* « 1. Accueil ....... 3 » in the Sommaire of page 1 */
			const char *at = strstr(lay.data, chapters[i]);
			CHECK(at != NULL);
			if (!at)
				continue;
			int listed = atoi(at + strlen(chapters[i]) + strspn(at + strlen(chapters[i]), " "));
			/* from page 2 on: page 1 has the Sommaire's own line */
			const char *f1 = strchr(txt.data, '\f');
			int actual = f1 ? page_starting(f1 + 1, chapters[i]) + 1 : 0;
			if (listed != actual)
				fprintf(stderr, "  « %s »: listed on page %d, starts on page %d\n", chapters[i], listed, actual);
			CHECK_INT(listed, actual);
		}
		pdf_drop(path);
		buf_free(&txt);
		buf_free(&lay);
	}
	buf_free(&admin);
	buf_free(&again);
	buf_free(&next);
	buf_free(&proctor);
}
