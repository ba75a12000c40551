/* test_certificate.c - the certificate (issue 16): the level bands at
 * their edges, the PDF's text, bad input refused, and its QR code decoded
 * back by zbarimg (skipped without zbar-tools or poppler-utils). */
#include "test.h"
#include "pdf_read.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/certificate.h"
#include "pdf/certificate.h"
#include "pdf/pdf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(certificate_level_bands)
{
	CHECK_STR(certificate_level(0), "Élémentaire");
	CHECK_STR(certificate_level(299), "Élémentaire");
	CHECK_STR(certificate_level(300), "Intermédiaire");
	CHECK_STR(certificate_level(699), "Confirmé");
	CHECK_STR(certificate_level(700), "Avancé");
	CHECK_STR(certificate_level(900), "Expert");
	CHECK_STR(certificate_level(1000), "Expert");
	CHECK_STR(certificate_level(-1), "");
	CHECK_STR(certificate_level(1001), "");
}

TEST(certificate_pdf_text_and_qr)
{
	struct certificate_doc c = {"Madame", "Zoé", "Lefèvre", "1990-07-14", 845, "Avancé", "2026-11-02",
				    "7K2M-9QXD-3HPW", "https://exemple.test/verification?code=7K2M-9QXD-3HPW", 1764000000};
	buf pdf = BUF_INIT, txt = BUF_INIT, qr = BUF_INIT;
	CHECK_INT(pdf_certificate(&pdf, &c), 0);
	CHECK(pdf.len > 1000 && memcmp(pdf.data, "%PDF", 4) == 0);
	struct certificate_doc bad = c;
	bad.score = 1001;
	buf none = BUF_INIT;
	CHECK_INT(pdf_certificate(&none, &bad), CLR_EINVAL);
	bad = c;
	bad.code = "";
	CHECK_INT(pdf_certificate(&none, &bad), CLR_EINVAL);
	CHECK(none.len == 0);
	char path[256];
	CHECK_INT(pdf_save(&pdf, "certificate", path), 0);
	if (!have_poppler() || system("command -v zbarimg >/dev/null 2>&1") != 0) {
		test_skip("pdftotext/pdftoppm or zbarimg missing (poppler-utils, zbar-tools)");
	} else {
		CHECK_INT(pdf_run("pdftotext", path, &txt), 0);
		CHECK(strstr(txt.data, "Zoé LEFÈVRE"));
		CHECK(strstr(txt.data, "née le 14/07/1990"));
		CHECK(strstr(txt.data, "845"));
		CHECK(strstr(txt.data, "7K2M-9QXD-3HPW"));
		char cmd[1024];
		snprintf(cmd, sizeof cmd, "pdftoppm -r 150 -png -singlefile '%s' '%s.page' && zbarimg -q --raw '%s.page.png' 2>/dev/null",
			 path, path, path);
		FILE *p = popen(cmd, "r");
		char line[512] = "";
		if (p) {
			if (!fgets(line, sizeof line, p))
				line[0] = 0;
			pclose(p);
		}
		line[strcspn(line, "\n")] = 0;
		CHECK_STR(line, "https://exemple.test/verification?code=7K2M-9QXD-3HPW");
		snprintf(cmd, sizeof cmd, "%s.page.png", path);
		remove(cmd);
	}
	pdf_drop(path);
	buf_free(&pdf);
	buf_free(&txt);
	buf_free(&qr);
	buf_free(&none);
	pdf_thread_cleanup();
}
