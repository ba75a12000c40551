/* certificate.c - the certificate (see certificate.h), drawn with the
 * document layer (pdf.h); its QR code comes from libqrencode (error
 * correction level M, 8-bit mode) and is drawn as vector modules. */
#include "pdf/certificate.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/text.h"
#include "pdf/pdf.h"
#include <glib.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define NB "\xC2\xA0" /* U+00A0 no-break space */

int pdf_certificate(buf *out, const struct certificate_doc *c)
{
	if (str_empty(c->first_name) || str_empty(c->last_name) || str_empty(c->code) || str_empty(c->verify_url) ||
	    c->score < 0 || c->score > 1000)
		return CLR_EINVAL;
	QRcode *qr = QRcode_encodeString8bit(c->verify_url, 0, QR_ECLEVEL_M);
	if (!qr)
		return CLR_ESYS;
	int n = qr->width;
	unsigned char *dark = malloc((size_t)n * (size_t)n);
	if (!dark)
		abort();
	for (int i = 0; i < n * n; i++)
		dark[i] = qr->data[i] & 1;
	QRcode_free(qr);

	arena *a = arena_new();
	char *last = g_utf8_strup(c->last_name, -1);
	int female = c->civility && g_ascii_strcasecmp(c->civility, "madame") == 0;
	int male = c->civility && g_ascii_strcasecmp(c->civility, "monsieur") == 0;
	struct pdf_meta meta = {
		.title = "Certificat — Certification Le Robert",
		.subject = arena_printf(a, "Certificat de %s %s", c->first_name, last),
		.keywords = c->code,
		.header_note = arena_printf(a, "Code de vérification" NB ": %s", c->code),
		.created = c->issued_at,
	};
	struct pdf *d = pdf_new(&meta);
	pdf_title(d, "Certificat");
	pdf_text(d, PDF_MUTED, "Certification Le Robert — évaluation de la maîtrise de la langue française");
	pdf_space(d, 14);
	pdf_text(d, PDF_CENTER, "La Certification Le Robert atteste que");
	pdf_space(d, 4);
	pdf_markup(d, PDF_LARGE | PDF_CENTER, "<b>%s %s</b>", c->first_name, last);
	if (!str_empty(c->birth_date))
		pdf_text(d, PDF_CENTER,
			 arena_printf(a, "%s le %s", female ? "née" : male ? "né" : "né(e)", date_iso_fr(a, c->birth_date)));
	pdf_space(d, 8);
	pdf_text(d, PDF_CENTER, "a obtenu le score de");
	pdf_markup(d, PDF_LARGE | PDF_CENTER | PDF_ACCENT, "<span size=\"xx-large\"><b>%s</b></span>",
		   arena_printf(a, "%d" NB "/" NB "1000", c->score));
	pdf_markup(d, PDF_CENTER, "Niveau" NB ": <b>%s</b>", c->level ? c->level : "");
	pdf_space(d, 10);
	struct pdf_kv rows[] = {
		{"Date de passage", str_empty(c->exam_date) ? "—" : date_long_fr(a, c->exam_date), 0},
		{"Code de vérification", c->code, PDF_MONO | PDF_BOLD},
		{"Délivré le", date_fmt(a, (time_t)c->issued_at), 0},
	};
	pdf_panel_begin(d);
	pdf_kv(d, rows, 3);
	pdf_panel_end(d);
	pdf_space(d, 10);
	pdf_matrix(d, dark, n, 120);
	pdf_text(d, PDF_SMALL | PDF_MUTED | PDF_CENTER,
		 arena_printf(a, "Pour vérifier ce certificat, scannez ce code ou ouvrez %s", c->verify_url));
	pdf_space(d, 6);
	pdf_text(d, PDF_SMALL | PDF_MUTED,
		 "Le score est exprimé sur 1000" NB "points. La page de vérification indique le nom, la date et le "
		 "score de ce certificat, et rien d'autre.");
	int rc = pdf_finish(d, out);
	pdf_free(d);
	free(dark);
	g_free(last);
	arena_free(a);
	return rc;
}
