/* session_docs.c - the proctoring documents of a self-proctored session (see
 * session_docs.h), drawn with the document layer (pdf.h): the activation
 * codes list, the « Document de surveillance » (session record, attendance
 * sheet, incidents, rules) and the scratch sheets.  One arena per call holds
 * the strings built for the rows; the layer owns the layouts; both are
 * released before returning, whatever the number of candidates.
 */
#include "pdf/session_docs.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/text.h"
#include "pdf/pdf.h"
#include <ctype.h>
#include <glib.h>
#include <string.h>

#define NB "\xC2\xA0"     /* U+00A0 no-break space: before « : », inside « » */
#define NNB "\xE2\x80\xAF" /* U+202F narrow no-break space: before ; ! ? */
#define LQ "«" NB         /* « and its no-break space */
#define RQ NB "»"
#define DOTS "…………………………………………………………"
#define BLANK_ROWS 20      /* lines of a blank attendance sheet */
#define BLANK_CODE_ROWS 11 /* lines of a blank codes list: what its first page holds (tests check one page) */

#define TITLE_CODES "Codes d'activation"
#define TITLE_SURV "Document de surveillance"
#define TITLE_SCRATCH "Feuille de brouillon Certification Le Robert"
#define DEFAULT_PRODUCT "Partenaire / centre agréé"

/* What every document shows of the session, validated and formatted. */
struct sess {
	arena *a;
	const struct session_doc *d;
	const char *date_long; /* « mardi 15 décembre 2026 », or NULL */
	const char *time;      /* "09:30", or NULL */
	const char *when;      /* « mardi 15 décembre 2026 à 09:30 », or NULL when there is no date */
	const char *issued;    /* « 30/11/2026 » */
};

/* "YYYY-MM-DD", digits where digits belong, and a real date. */
static int iso_date_ok(const char *s)
{
	int y, m, dd;
	if (strlen(s) != 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	return date_parse(s, &y, &m, &dd);
}

/* Validates d; fills s (its strings in a new arena, freed by sess_done()). */
static int sess_init(struct sess *s, const struct session_doc *d)
{
	char hhmm[6] = "";
	if (!d || d->n < 0 || (d->n > 0 && !d->rows))
		return CLR_EINVAL;
	if (!str_empty(d->date) && !iso_date_ok(d->date))
		return CLR_EINVAL;
	if (!str_empty(d->time) && (strlen(d->time) != 5 || d->time[2] != ':' || time_parse(d->time, hhmm) < 0))
		return CLR_EINVAL;
	for (int i = 0; i < d->n; i++) {
		const struct session_doc_row *r = &d->rows[i];
		if (str_empty(r->last_name) || (!str_empty(r->birth_date) && !iso_date_ok(r->birth_date)))
			return CLR_EINVAL;
	}
	*s = (struct sess){.a = arena_new(), .d = d};
	if (!str_empty(d->date))
		s->date_long = date_long_fr(s->a, d->date);
	if (*hhmm)
		s->time = arena_strdup(s->a, hhmm);
	if (s->date_long)
		s->when = s->time ? arena_printf(s->a, "%s à %s", s->date_long, s->time) : s->date_long;
	s->issued = date_fmt(s->a, (time_t)d->issued_at);
	return 0;
}

static void sess_done(struct sess *s)
{
	arena_free(s->a);
}

static const char *product(const struct sess *s)
{
	return str_empty(s->d->product_label) ? DEFAULT_PRODUCT : s->d->product_label;
}

/* « NOM Prénom », arena-owned. */
static const char *full_name(arena *a, const struct session_doc_row *r)
{
	char *up = g_utf8_strup(r->last_name, -1);
	const char *s = str_empty(r->first_name) ? arena_strdup(a, up) : arena_printf(a, "%s %s", up, r->first_name);
	g_free(up);
	return s;
}

static const char *count_label(arena *a, int n, const char *one, const char *many)
{
	return arena_printf(a, "%s" NB "%s", int_fmt(a, n), n > 1 ? many : one);
}

/* The session's facts in a tinted panel; with_type: the « Type d'épreuve »
 * row (the proctoring record).  Without a date (a blank form), the date, the
 * time and the place are lines to fill in by hand under the panel. */
static void session_panel(struct pdf *p, const struct sess *s, int with_type)
{
	const struct session_doc *d = s->d;
	struct pdf_kv kv[8];
	int k = 0, blank = !s->date_long;
	if (!str_empty(d->org_name))
		kv[k++] = (struct pdf_kv){"Organisation", d->org_name, PDF_BOLD};
	if (with_type)
		kv[k++] = (struct pdf_kv){"Type d'épreuve",
					  arena_printf(s->a, "Certification Le Robert · %s\nsurveillance assurée par l'organisation",
						       product(s)),
					  0};
	if (!str_empty(d->reference))
		kv[k++] = (struct pdf_kv){"Session", d->reference, 0};
	if (!blank) {
		kv[k++] = (struct pdf_kv){"Date et heure",
					  s->time ? s->when : arena_printf(s->a, "%s à ………………", s->date_long), PDF_BOLD};
		kv[k++] = (struct pdf_kv){"Lieu", str_empty(d->place) ? DOTS : d->place, 0};
	}
	if (d->n > 0)
		kv[k++] = (struct pdf_kv){"Candidats", count_label(s->a, d->n, "candidat", "candidats"), 0};
	if (k) {
		pdf_panel_begin(p);
		pdf_kv(p, kv, k);
		pdf_panel_end(p);
	}
	if (str_empty(d->org_name)) {
		const char *org[] = {"Organisation" NB ":"};
		pdf_fill_in(p, org, NULL, 1);
	}
	if (blank) {
		static const double w[] = {1.2, 0.8, 2};
		const char *when[] = {"Date" NB ":", "Heure" NB ":", "Lieu (salle)" NB ":"};
		pdf_fill_in(p, when, w, 3);
	}
}

static struct pdf *doc_new(const struct sess *s, const char *title, const char *note)
{
	const struct session_doc *d = s->d;
	struct pdf_meta meta = {
		.title = title,
		.subject = s->when ? arena_printf(s->a, "%s · session du %s", title, s->when) : title,
		.keywords = str_empty(d->reference) ? NULL : d->reference,
		.header_note = note,
		.created = d->issued_at,
	};
	return pdf_new(&meta);
}

static int doc_finish(struct pdf *p, buf *out, struct sess *s)
{
	int rc = pdf_finish(p, out);
	pdf_free(p);
	sess_done(s);
	return rc;
}

/* ---- « Codes d'activation » ------------------------------------------------ */

int pdf_codes(buf *out, const struct session_doc *d)
{
	struct sess s;
	int rc = sess_init(&s, d);
	if (rc)
		return rc;
	const char *note = str_empty(d->reference) ? "Document confidentiel"
						   : arena_printf(s.a, "%s · Document confidentiel", d->reference);
	struct pdf *p = doc_new(&s, TITLE_CODES, note);

	pdf_title(p, TITLE_CODES);
	pdf_text(p, PDF_MUTED,
		 arena_printf(s.a, "Certification Le Robert · %s · document édité le %s", product(&s), s.issued));
	session_panel(p, &s, 0);

	pdf_heading(p, "Consignes pour le surveillant");
	const char *valid_from = s.date_long ? arena_printf(s.a, "du jour de l'examen (%s)", s.date_long)
					     : "du jour de l'examen";
	const char *rules[] = {
		"Remettez à chaque candidat son propre code au début de l'épreuve, après avoir vérifié son "
		"identité, et faites-le signer en face de son nom.",
		arena_printf(s.a,
			     "Un code ne fonctionne qu'à partir %s et uniquement pour le candidat dont il porte le "
			     "nom" NB ": il ne s'échange pas.",
			     valid_from),
		"Gardez cette liste hors de la vue des candidats avant, pendant et après l'épreuve" NNB "; ne la "
		"photographiez pas et ne la diffusez pas.",
	};
	pdf_bullets(p, rules, 3);

	static const struct pdf_col cols[] = {
		{"Nom et prénom", 3.0, PDF_ALIGN_LEFT, PDF_CELL_TEXT, 0},
		{"Date de naissance", 1.55, PDF_ALIGN_CENTER, PDF_CELL_TEXT, 0},
		{"Code d'activation", 2.45, PDF_ALIGN_CENTER, PDF_CELL_TEXT, PDF_BOLD | PDF_MONO | PDF_LARGE},
		{"Signature du candidat", 2.5, PDF_ALIGN_LEFT, PDF_CELL_SIGN, 0},
	};
	pdf_heading(p, "Liste des codes");
	pdf_table_begin(p, cols, 4, 32);
	int missing = 0, rows = d->n > 0 ? d->n : BLANK_CODE_ROWS;
	for (int i = 0; i < rows; i++) {
		const struct session_doc_row *r = d->n > 0 ? &d->rows[i] : NULL;
		missing += r && str_empty(r->code);
		const char *cells[] = {r ? full_name(s.a, r) : NULL, r ? date_iso_fr(s.a, r->birth_date) : NULL,
				       r ? (str_empty(r->code) ? "—" : r->code) : NULL, NULL};
		pdf_table_row(p, cells);
	}
	pdf_table_end(p);
	if (missing)
		pdf_text(p, PDF_ACCENT | PDF_BOLD,
			 arena_printf(s.a,
				      "%s sans code d'activation (" LQ "—" RQ ")" NB ": générez les codes de la session avant "
				      "l'épreuve.",
				      count_label(s.a, missing, "candidat", "candidats")));
	return doc_finish(p, out, &s);
}

/* ---- « Document de surveillance » ----------------------------------------- */

int pdf_surveillance(buf *out, const struct session_doc *d)
{
	struct sess s;
	int rc = sess_init(&s, d);
	if (rc)
		return rc;
	struct pdf *p = doc_new(&s, TITLE_SURV, str_empty(d->reference) ? NULL : d->reference);

	pdf_title(p, TITLE_SURV);
	pdf_text(p, PDF_MUTED,
		 arena_printf(s.a, "Procès-verbal de la session d'examen · Certification Le Robert · édité le %s",
			      s.issued));
	pdf_heading(p, "La session");
	session_panel(p, &s, 1);

	pdf_heading(p, "Surveillance");
	static const double two[] = {1.25, 1};
	const char *proctor[] = {"Nom et prénom du surveillant", "Signature du surveillant"};
	pdf_boxes(p, proctor, two, 2, 40);
	const char *second[] = {"Nom et prénom du second surveillant (le cas échéant)", "Signature du second surveillant"};
	pdf_boxes(p, second, two, 2, 40);
	const char *times[] = {"Heure de début", "Heure de fin", "Nombre de candidats présents"};
	pdf_boxes(p, times, NULL, 3, 34);

	pdf_heading(p, "Liste d'émargement");
	pdf_text(p, PDF_SMALL | PDF_MUTED,
		 "Cochez " LQ "Présent" RQ " après avoir vérifié la pièce d'identité du candidat" NNB "; le candidat signe en "
		 "face de son nom à son arrivée.");
	static const struct pdf_col cols[] = {
		{"N°", 0.45, PDF_ALIGN_CENTER, PDF_CELL_TEXT, 0},
		{"Nom et prénom", 3.15, PDF_ALIGN_LEFT, PDF_CELL_TEXT, 0},
		{"Date de naissance", 1.3, PDF_ALIGN_CENTER, PDF_CELL_TEXT, 0},
		{"Code d'activation", 1.75, PDF_ALIGN_CENTER, PDF_CELL_TEXT, PDF_BOLD | PDF_MONO},
		{"Présent", 1.15, PDF_ALIGN_CENTER, PDF_CELL_TICK, 0},
		{"Signature", 1.8, PDF_ALIGN_LEFT, PDF_CELL_SIGN, 0},
	};
	pdf_table_begin(p, cols, 6, 30);
	int rows = d->n > 0 ? d->n : BLANK_ROWS;
	for (int i = 0; i < rows; i++) {
		const struct session_doc_row *r = d->n > 0 ? &d->rows[i] : NULL;
		const char *cells[] = {int_fmt(s.a, i + 1), r ? full_name(s.a, r) : NULL,
				       r ? date_iso_fr(s.a, r->birth_date) : NULL,
				       r ? (str_empty(r->code) ? "—" : r->code) : NULL, NULL, NULL};
		pdf_table_row(p, cells);
	}
	pdf_table_end(p);

	/* the heading, its note and at least 14 lines together, then lines down
	 * to the bottom of that page */
	const double line_gap = 23;
	pdf_need(p, 75 + 14 * line_gap);
	pdf_heading(p, "Incidents");
	pdf_text(p, PDF_SMALL | PDF_MUTED,
		 "Notez pour chaque incident l'heure, le candidat concerné et les faits" NB ": retard, sortie de la "
		 "salle, problème technique, fraude ou tentative de fraude… Écrivez " LQ "Néant" RQ " s'il n'y en a eu aucun.");
	pdf_lines(p, NULL, 0, line_gap);

	pdf_need(p, 340); /* the rules on one page */
	pdf_heading(p, "Rappel des règles de l'épreuve");
	const struct pdf_kv rules[] = {
		{"Durée", "1" NB "h" NB "45 pour 350" NB "questions réparties en 11" NB "séries, en ligne, sur un "
			  "ordinateur connecté à Internet. Les candidats sont installés avant le début de l'épreuve.", 0},
		{"Identité", "Avant de remettre son code à un candidat, vérifiez sa pièce d'identité officielle avec "
			     "photographie, en cours de validité (carte d'identité, passeport, titre de séjour)" NNB "; le "
			     "nom et la date de naissance doivent correspondre à la liste d'émargement.", 0},
		{"Codes d'activation", "Chaque candidat reçoit son propre code au début de l'épreuve" NNB "; un code ne "
				       "fonctionne que pour ce candidat, à partir du jour de l'examen.", 0},
		{"Documents", "Aucun document, dictionnaire, livre de grammaire, ni outil de traduction ou de "
			      "correction n'est autorisé. Seule la feuille de brouillon Certification Le Robert remise "
			      "par le surveillant est permise.", 0},
		{"Téléphones", "Téléphones, montres connectées, écouteurs et tout autre appareil électronique sont "
			       "éteints et rangés hors de portée pendant toute l'épreuve.", 0},
		{"Poste de travail", "Seule la fenêtre de l'épreuve reste ouverte" NNB "; aucun autre onglet, site ou "
				     "logiciel n'est consulté.", 0},
		{"Pendant l'épreuve", "Aucune communication entre candidats. Le surveillant reste dans la salle du "
				      "début à la fin et note toute sortie et tout incident, avec l'heure.", 0},
		{"Fin de l'épreuve", "Le surveillant ramasse les feuilles de brouillon, vérifie les signatures et "
				     "remet ce document signé à l'organisation, qui le conserve.", 0},
	};
	pdf_kv(p, rules, (int)(sizeof rules / sizeof *rules));

	/* the closing line and its boxes together */
	pdf_need(p, 150);
	pdf_space(p, 10);
	static const double at_on[] = {1.6, 1};
	const char *closing[] = {"Fait à", "le"};
	pdf_fill_in(p, closing, at_on, 2);
	const char *sign[] = {"Signature du responsable de la session", "Cachet de l'organisation"};
	pdf_boxes(p, sign, NULL, 2, 70);
	return doc_finish(p, out, &s);
}

/* ---- « Feuille de brouillon » --------------------------------------------- */

int pdf_scratch(buf *out, const struct session_doc *d)
{
	struct sess s;
	int rc = sess_init(&s, d);
	if (rc)
		return rc;
	struct pdf *p = doc_new(&s, TITLE_SCRATCH, str_empty(d->reference) ? NULL : d->reference);
	const char *session = s.when ? arena_printf(s.a, "%s%s%s", s.when, str_empty(d->place) ? "" : " · ",
						    str_empty(d->place) ? "" : d->place)
				     : NULL;
	int pages = d->n > 0 ? d->n : 1;
	for (int i = 0; i < pages; i++) {
		pdf_page_break(p);
		pdf_title(p, "Feuille de brouillon");
		if (d->n > 0) {
			struct pdf_kv kv[] = {
				{"Candidat", full_name(s.a, &d->rows[i]), PDF_BOLD | PDF_LARGE},
				{"Session", session, 0},
			};
			pdf_kv(p, kv, s.when ? 2 : 1);
		} else {
			static const double w[] = {1.4, 1};
			const char *name[] = {"Nom" NB ":", "Prénom" NB ":"};
			pdf_fill_in(p, name, w, 2);
			if (s.when) {
				struct pdf_kv kv[] = {{"Session", session, 0}};
				pdf_kv(p, kv, 1);
			}
		}
		if (!s.when) {
			static const double w[] = {1, 1.4};
			const char *when[] = {"Date de l'épreuve" NB ":", "Salle" NB ":"};
			pdf_fill_in(p, when, w, 2);
		}
		pdf_space(p, 4);
		pdf_text(p, PDF_BOLD | PDF_ACCENT, "À rendre au surveillant à la fin de l'épreuve");
		pdf_space(p, 2);
		pdf_lines(p, NULL, 0, 24);
	}
	return doc_finish(p, out, &s);
}
