/* session_docs.h - the proctoring documents of a self-proctored exam session
 * (« Certifications dont vous gérez la surveillance »), printed by the
 * partner before the exam: the list of activation codes to hand out, the
 * proctoring record with the attendance sheet, and the candidates' scratch
 * sheets.  Each is also a blank form to fill in by hand when the session has
 * no candidates (n == 0), as offered on the « Documentation » tab; without a
 * date, the date, time and place are lines to fill in.
 *
 * All three validate first and return CLR_EINVAL, leaving out unchanged,
 * when the session's date is not "YYYY-MM-DD" (or its time not "HH:MM"), a
 * row has no last name or a malformed date of birth, or n < 0 (or n > 0
 * with rows NULL); CLR_ESYS if cairo fails; else 0 with the PDF appended to
 * out.  Names are shown « NOM Prénom » (the civility is not shown: the
 * identity check uses the name and the date of birth).  Nothing is kept
 * after the call: every string is copied into the document.
 */
#ifndef CLR_PDF_SESSION_DOCS_H
#define CLR_PDF_SESSION_DOCS_H
#include "core/buf.h"

/* One candidate of a session, as the documents show them. */
struct session_doc_row {
	const char *civility;   /* « Madame », « Monsieur », or NULL/"" */
	const char *last_name, *first_name;
	const char *birth_date; /* "YYYY-MM-DD" */
	const char *code;       /* the activation code "XXXX-XXXX-XXXX", or NULL/"" when none yet */
};

/* A self-proctored exam session. */
struct session_doc {
	const char *org_name;      /* the organisation that runs it */
	const char *product_label; /* « Partenaire / centre agréé » */
	const char *date;          /* "YYYY-MM-DD"; NULL for a blank form */
	const char *time;          /* "HH:MM" or ""/NULL */
	const char *place;         /* room, or ""/NULL */
	const char *reference;     /* e.g. « Session n° 42 », or NULL */
	const struct session_doc_row *rows;
	int n;                     /* 0 with rows NULL: a blank form to fill in by hand */
	long long issued_at;       /* epoch seconds: « édité le », PDF dates */
};

/* « Codes d'activation »: one line per candidate, in the order given: name
 * (« NOM Prénom »), date of birth (jj/mm/aaaa), the code in a monospace
 * bold, a signature box; the session in the title block; a short
 * instruction for the proctor (hand each candidate their own code at the
 * start; a code works from the exam day and only for that candidate; keep
 * the list away from candidates).  A row without a code shows « — » and
 * the list says how many are missing.  n == 0: one page, the same list
 * with 11 empty lines. */
int pdf_codes(buf *out, const struct session_doc *d);

/* « Document de surveillance »: the session (organisation, date, time,
 * place, type), the proctor's name and signature boxes, « Heure de début »
 * / « Heure de fin » boxes, the candidates' table (name, date of birth,
 * code, « Présent » box, signature column), a large « Incidents » area
 * (ruled lines), a reminder of the rules, and a closing « Fait à … le … »
 * with a signature box.  n == 0: the same document with 20 numbered empty
 * lines.  Order: the session, the proctors, the attendance sheet, then
 * « Incidents » (at least 14 lines, down to the bottom of its page), the
 * rules and the closing, each kept whole on a page. */
int pdf_surveillance(buf *out, const struct session_doc *d);

/* « Feuille de brouillon Certification Le Robert »: one A4 page per
 * candidate (name and the session at the top, a ruled area to write on,
 * « À rendre au surveillant à la fin de l'épreuve »); n == 0: one blank
 * page with lines for the name. */
int pdf_scratch(buf *out, const struct session_doc *d);

#endif
