/* fuzz_db.h - the database of the targets that need one (fuzz/place.c,
 * fuzz/import.c): an in-memory SQLite database created once per process
 * with every migration and the reference data (reference_load(): the
 * embedded La Poste postal codes and the countries), then cut down to the
 * postal codes of a few départements so that loading the bulk import's
 * in-memory copy (place_cache_begin(), once per input) stays cheap.  No
 * file, no network: nothing outside the process is written.
 */
#ifndef CLR_FUZZ_DB_H
#define CLR_FUZZ_DB_H
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/place.h"
#include <stdio.h>
#include <stdlib.h>

/* Postal codes kept: Saint-Étienne (42), Lyon (69), Paris (75), Corsica
 * (20), the overseas départements (97) - the seeds' places. */
#define FUZZ_DB_KEEP "code LIKE '42%' OR code LIKE '69%' OR code LIKE '75%' OR code LIKE '20%' OR code LIKE '97%'"

/* The database, and the id of its one organisation. */
static db *fuzz_db_open(long long *org_id)
{
	char err[256];
	db *d = NULL;
	log_set_quiet(1);
	if (db_open("sqlite::memory:", &d, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_db: %s\n", err);
		abort();
	}
	if (db_migrate(d, 0) < 0 || reference_load(d) <= 0 ||
	    db_exec(d, "DELETE FROM ref_postal_codes WHERE NOT (" FUZZ_DB_KEEP ")", DB_NOP) < 0 ||
	    db_exec(d, "INSERT INTO organisations (name, created_at) VALUES ('Centre de formation Voltaire', 0)", DB_NOP) < 0) {
		fprintf(stderr, "fuzz_db: %s\n", db_errmsg(d));
		abort();
	}
	arena *a = arena_new();
	db_rows r;
	if (db_query(d, a, &r, "SELECT id FROM organisations", DB_NOP) < 0 || r.nrows != 1)
		abort();
	*org_id = db_ll(&r, 0, 0);
	arena_free(a);
	return d;
}

#endif
