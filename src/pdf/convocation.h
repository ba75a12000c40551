/* convocation.h - the convocation of a candidate planned at a La Poste exam
 * centre: one A4 page (candidate, date and time, the centre's address, the
 * exam's duration, what to bring, the registering organisation and the
 * reference), attached as a PDF to the convocation e-mail.
 */
#ifndef CLR_PDF_CONVOCATION_H
#define CLR_PDF_CONVOCATION_H
#include "core/buf.h"

struct convocation {
	const char *civility;     /* label: « Madame », « Monsieur »; NULL or "" = unknown */
	const char *last_name;    /* shown in capitals */
	const char *first_name;
	const char *birth_date;   /* "YYYY-MM-DD"; NULL = not shown */
	const char *email;        /* the candidate's identifier on the candidate platform */
	const char *org_name;     /* the organisation that registered the candidate */
	const char *centre_name;  /* the La Poste exam centre */
	const char *centre_address;     /* street lines, may hold line breaks */
	const char *centre_postal_code;
	const char *centre_city;
	const char *exam_date;    /* "YYYY-MM-DD" */
	const char *exam_time;    /* "HH:MM", Europe/Paris */
	const char *reference;    /* e.g. « CLR-2026-000123 » */
	long long issued_at;      /* seconds since the epoch: « émise le », PDF dates */
};

/* Appends the convocation's PDF to out.  0; CLR_EINVAL when a name, the
 * centre's name, the exam date ("YYYY-MM-DD") or time ("HH:MM") is missing
 * or invalid (out unchanged); CLR_ESYS if cairo fails. */
int pdf_convocation(buf *out, const struct convocation *c);

#endif
