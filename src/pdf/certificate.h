/* certificate.h - the certificate of a candidate's Certification Le Robert:
 * one A4 page with the candidate's name and birth date, the score out of
 * 1000 and its level band, the date, the verification code, and a QR code
 * (libqrencode) that opens the public verification page.
 */
#ifndef CLR_PDF_CERTIFICATE_H
#define CLR_PDF_CERTIFICATE_H
#include "core/buf.h"

struct certificate_doc {
	const char *civility;    /* label: « Madame », « Monsieur »; NULL or "" = unknown */
	const char *first_name;
	const char *last_name;   /* shown in capitals */
	const char *birth_date;  /* "YYYY-MM-DD" */
	int score;               /* 0 to 1000 */
	const char *level;       /* « Avancé » */
	const char *exam_date;   /* "YYYY-MM-DD": the day the exam was sat */
	const char *code;        /* « 7K2M-9QXD-3HPW » */
	const char *verify_url;  /* encoded in the QR code and printed under it */
	long long issued_at;     /* « délivré le », PDF dates */
};

/* Appends the certificate's PDF to out: 0, CLR_EINVAL (a name, the code or
 * the URL missing, score out of range), CLR_ESYS (cairo or libqrencode
 * failed). */
int pdf_certificate(buf *out, const struct certificate_doc *c);

#endif
