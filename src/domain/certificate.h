/* certificate.h - the certificate of a taken certification: its level
 * band, its public verification code and the public verification page's
 * answer (issue 16).
 *
 * Level bands: neither the seed nor the documents give Le Robert's grid, so
 * the bands are ours, in one table (certificate.c, docs/DECISIONS.md
 * « Certificate level bands »), to be replaced by the official one.
 */
#ifndef CLR_CERTIFICATE_H
#define CLR_CERTIFICATE_H
#include "db/db.h"

/* The level band of a score out of 1000 (« Avancé »); "" outside 0-1000. */
const char *certificate_level(int score);

/* What a certificate shows.  Strings arena-owned. */
struct certificate {
	long long certification_id, candidate_id, issued_at;
	const char *civility, *first_name, *last_name, *birth_date;
	int score;
	const char *exam_date; /* 'YYYY-MM-DD' the exam was sat */
	const char *code;      /* « 7K2M-9QXD-3HPW » */
};

/* The certificate of one of the candidate's certifications (candidate_id
 * of org_id): taken, scored, and the candidate's « Coordonnées » complete
 * (else CLR_ENOTFOUND).  Its verification code is drawn (12 characters of
 * Crockford's base 32, ~60 bits, libsodium) and stored the first time,
 * with the date it was issued; the same afterwards. */
int certificate_issue(db *d, arena *a, long long org_id, long long candidate_id, long long certification_id,
		      struct certificate *out);

/* The public verification: the certificate of a code as typed (case,
 * spaces and dashes ignored; O read as 0, I and L as 1).  CLR_ENOTFOUND
 * when unknown.  Counts against the address's throttle (user.h, kind "v"):
 * CLR_ETHROTTLED with *wait_s. */
int certificate_verify(db *d, arena *a, const char *code, const char *ip, struct certificate *out, int *wait_s);

/* The verification page's address for a code: CLR_PUBLIC_URL/verification?code=... */
const char *certificate_verify_url(arena *a, const char *code);

#endif
