/* convocation.c - the La Poste exam convocation (see convocation.h), drawn
 * with the document layer (pdf.h).  French agreement follows the
 * candidate's civility (« convoquée », « né le »), « (e) » when unknown. */
#include "pdf/convocation.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/text.h"
#include "pdf/pdf.h"
#include <glib.h>
#include <string.h>

#define NB "\xC2\xA0" /* U+00A0 no-break space */

enum gender { G_UNKNOWN, G_F, G_M };

static enum gender gender_of(const char *civility)
{
	if (!civility)
		return G_UNKNOWN;
	if (g_ascii_strcasecmp(civility, "madame") == 0)
		return G_F;
	if (g_ascii_strcasecmp(civility, "monsieur") == 0)
		return G_M;
	return G_UNKNOWN;
}

/* The feminine, masculine or inclusive form. */
static const char *agree(enum gender g, const char *f, const char *m, const char *both)
{
	return g == G_F ? f : g == G_M ? m : both;
}

int pdf_convocation(buf *out, const struct convocation *c)
{
	char hhmm[6];
	int minutes = str_empty(c->exam_time) || strlen(c->exam_time) != 5 ? -1 : time_parse(c->exam_time, hhmm);
	int y, m, dd;
	if (str_empty(c->last_name) || str_empty(c->first_name) || str_empty(c->centre_name) || minutes < 0 ||
	    !c->exam_date || strlen(c->exam_date) != 10 || c->exam_date[4] != '-' ||
	    !date_parse(c->exam_date, &y, &m, &dd))
		return CLR_EINVAL;

	arena *a = arena_new();
	enum gender g = gender_of(c->civility);
	char *last = g_utf8_strup(c->last_name, -1);
	const char *ref = str_empty(c->reference) ? NULL : c->reference;

	struct pdf_meta meta = {
		.title = "Convocation à la Certification Le Robert",
		.subject = arena_printf(a, "Convocation de %s %s", c->first_name, last),
		.keywords = ref,
		.header_note = ref ? arena_printf(a, "Réf." NB "%s", ref) : NULL,
		.created = c->issued_at,
	};
	struct pdf *d = pdf_new(&meta);

	pdf_title(d, "Convocation à la Certification Le Robert");
	pdf_text(d, PDF_MUTED, "Épreuve en centre d'examen La Poste");
	pdf_space(d, 6);

	/* the candidate */
	const char *civ = str_empty(c->civility) ? "" : c->civility;
	if (!str_empty(c->birth_date))
		pdf_markup(d, PDF_LARGE, "%s%s<b>%s %s</b>, %s le %s", civ, *civ ? " " : "", c->first_name, last,
			   agree(g, "née", "né", "né(e)"), date_iso_fr(a, c->birth_date));
	else
		pdf_markup(d, PDF_LARGE, "%s%s<b>%s %s</b>", civ, *civ ? " " : "", c->first_name, last);
	if (!str_empty(c->email))
		pdf_markup(d, PDF_MUTED, "Identifiant" NB ": %s", c->email);
	pdf_space(d, 4);
	pdf_paragraph(d, arena_printf(a,
				      "Vous êtes %s à la Certification Le Robert, l'examen de français évalué sur "
				      "1000" NB "points. L'épreuve se passe sur ordinateur, dans le centre d'examen "
				      "La Poste indiqué ci-dessous.",
				      agree(g, "convoquée", "convoqué", "convoqué(e)")));

	/* when, where, how long */
	buf place = BUF_INIT;
	buf_adds(&place, c->centre_name);
	if (!str_empty(c->centre_address)) {
		buf_addc(&place, '\n');
		buf_adds(&place, c->centre_address);
	}
	if (!str_empty(c->centre_postal_code) || !str_empty(c->centre_city)) {
		buf_addc(&place, '\n');
		buf_adds(&place, str_empty(c->centre_postal_code) ? "" : c->centre_postal_code);
		if (!str_empty(c->centre_postal_code) && !str_empty(c->centre_city))
			buf_addc(&place, ' ');
		buf_adds(&place, str_empty(c->centre_city) ? "" : c->centre_city);
	}
	int early = (minutes - 15 + 24 * 60) % (24 * 60);
	struct pdf_kv when[] = {
		{"Date et heure", arena_printf(a, "%s à %s", date_long_fr(a, c->exam_date), hhmm), PDF_BOLD},
		{"Lieu de l'examen", place.data, 0},
		{"Durée de l'épreuve", "1" NB "h" NB "45 (350" NB "questions en 11" NB "séries)", 0},
	};
	pdf_space(d, 4);
	pdf_panel_begin(d);
	pdf_kv(d, when, (int)(sizeof when / sizeof *when));
	pdf_panel_end(d);
	pdf_markup(d, 0,
		   "Présentez-vous à l'accueil du centre <b>à %02d:%02d</b>, 15" NB "minutes avant le début de "
		   "l'épreuve.",
		   early / 60, early % 60);

	pdf_heading(d, "À apporter le jour de l'examen");
	const char *bring[] = {
		"votre identifiant (adresse de courriel) et votre mot de passe de la plateforme candidat" NB ";",
		"une pièce d'identité en cours de validité (carte d'identité, passeport ou titre de séjour).",
	};
	pdf_bullets(d, bring, 2);

	if (!str_empty(c->org_name)) {
		pdf_heading(d, "Votre inscription");
		pdf_markup(d, 0,
			   "Vous avez été %s par <b>%s</b>. Pour toute question sur votre inscription, "
			   "adressez-vous à cette organisation.",
			   agree(g, "inscrite", "inscrit", "inscrit(e)"), c->org_name);
	}

	pdf_space(d, 10);
	if (ref)
		pdf_text(d, PDF_SMALL | PDF_MUTED,
			 arena_printf(a, "Référence de la convocation" NB ": %s · émise le %s", ref,
				      date_fmt(a, (time_t)c->issued_at)));
	else
		pdf_text(d, PDF_SMALL | PDF_MUTED,
			 arena_printf(a, "Convocation émise le %s", date_fmt(a, (time_t)c->issued_at)));

	int rc = pdf_finish(d, out);
	pdf_free(d);
	buf_free(&place);
	g_free(last);
	arena_free(a);
	return rc;
}
