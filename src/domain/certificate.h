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

#endif
