/* cand_selection.h - « the candidates chosen » on a screen that acts on many
 * at once (associate them with a group or remove them from it, assign them
 * a certification): the ticked rows (explicit ids), or every candidate
 * matching the list's filters (« Sélectionner les N candidats
 * correspondants »: the filters are run again here, never trusted from the
 * page).  cand_selection_fill() gathers them, inside the caller's
 * transaction, into the temporary table cand_selection(id), so that one
 * INSERT ... SELECT or UPDATE then acts on them all.
 *
 * Tenant rule: only org_id's candidates enter the table; an explicit id that
 * is not one of them makes the whole call CLR_ENOTFOUND (the caller rolls
 * back: nothing changes).  Explicit ids go to SQL in chunks of
 * CAND_SELECTION_CHUNK as a VALUES list joined on the primary key (a
 * constant statement text, prepared once; unused placeholders are NULL):
 * PostgreSQL's generic plan for "c.id IN ($2, ...)" scanned the
 * organisation's candidates for every chunk. */
#ifndef CLR_CAND_SELECTION_H
#define CLR_CAND_SELECTION_H
#include "db/db.h"
#include "domain/candidate.h"

#define CAND_SELECTION_CHUNK 1000
#define CAND_SELECTION_MAX 100000 /* explicit ids in one request (a 1 MiB form holds fewer) */

struct cand_selection {
	const long long *ids; /* explicit ids, duplicates allowed */
	int n;
	const struct candidate_query *all; /* when not NULL: every candidate matching it (ids ignored) */
};

/* Empties cand_selection and fills it with org_id's candidates of sel;
 * *count (may be NULL) = their number.  CLR_ENOTFOUND (an id not
 * org_id's), CLR_EINVAL (too many ids, or no open transaction). */
int cand_selection_fill(db *d, arena *a, long long org_id, const struct cand_selection *sel, long long *count);

/* Sorted copy of ids[0..n) without duplicates (arena-owned); CLR_ENOTFOUND
 * for an id <= 0, CLR_EINVAL past CAND_SELECTION_MAX. */
int ids_unique(arena *a, const long long *ids, int n, long long **out, int *nout);

#endif
