/* candidate_bulk.h - synthetic candidates in bulk, for load tests and
 * benchmarks (`clr demo --candidates N --org NAME`): one INSERT ... SELECT
 * over a recursive counter, so that 10 000 rows take a fraction of a
 * second on both backends.  Not a user feature: the rows have no password
 * and placeholder names (« LOT Candidat 1 », e-mail
 * lot-<batch>-<i>@exemple.test), status « À attribuer ».  Joins the
 * caller's transaction if one is open; one audit row for the batch. */
#ifndef CLR_CANDIDATE_BULK_H
#define CLR_CANDIDATE_BULK_H
#include "db/db.h"
#include "domain/audit.h"

#define CAND_BULK_MAX 1000000

/* Creates n (1..CAND_BULK_MAX) candidates for who->org_id; *created gets
 * the number of rows written.  CLR_EINVAL for a bad n. */
int candidate_bulk_create(db *d, arena *a, const struct actor *who, long long n, long long *created);

#endif
