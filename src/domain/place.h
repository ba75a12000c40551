/* place.h - places of birth and residence: the comparison key of commune
 * names, French postal codes and communes, countries.
 *
 * Matching a commune ignores case, accents, hyphens, apostrophes, spaces and
 * the abbreviations « St »/« Ste » (= « Saint »/« Sainte »): place_fold()
 * reduces a name to that comparison key.  Reference rows live in
 * ref_postal_codes and ref_countries (migration 0005, filled by
 * reference_load()).  Results are arena-owned.
 */
#ifndef CLR_PLACE_H
#define CLR_PLACE_H
#include "core/arena.h"
#include "core/text.h"
#include "core/validate.h"
#include "db/db.h"

/* text_fold(), then only letters and digits kept, with the words "st" and
 * "ste" read as "saint" and "sainte": "St-Étienne" -> "saintetienne". */
char *place_fold(arena *a, const char *s);
/* 1 if s is letters (any script, with accents), spaces, hyphens and
 * apostrophes (' and ’) only, with at least one letter. */
int place_valid_name(const char *s);

/* Countries whose places have French postal codes: France and the overseas
 * departments (FR, GP, MQ, GF, RE, PM, YT). */
int place_is_france(const char *country);

struct commune {
	const char *name;  /* official name */
	const char *insee; /* INSEE code */
};

/* The communes of a 5-digit postal code, sorted by name (n = 0 if none). */
int place_communes(db *d, arena *a, const char *postal_code, struct commune **out, int *n);
/* Finds `city` among the communes of `postal_code` (official name or La
 * Poste label, compared with place_fold()).  0 with *out filled;
 * CLR_ENOTFOUND if the postal code does not exist; CLR_EINVAL if it exists
 * but the commune is not one of its communes. */
int place_match(db *d, arena *a, const char *postal_code, const char *city, struct commune *out);

/* Checks the French postal code *cp and commune *city (trimmed input) typed
 * in the form fields CP_FIELD and CITY_FIELD, with the French messages of
 * every form that asks for them (birthplace, residence, exam centre):
 * 5 digits, an existing code, one of its communes.  required: both must be
 * given; otherwise both empty is fine (a commune alone is not).  On success
 * *city becomes the official commune name and *insee (may be NULL) its
 * INSEE code.  A storage error goes to *dberr. */
void place_check(db *d, arena *a, const char *cp_field, const char *city_field, const char **cp, const char **city,
		 const char **insee, int required, struct errs *e, int *dberr);

struct country {
	const char *code; /* ISO 3166-1 alpha-2 */
	const char *name; /* French */
};
/* Every country, sorted by French name. */
int place_countries(db *d, arena *a, struct country **out, int *n);
/* The French name of a country code, or NULL if unknown (or on error). */
const char *place_country_name(db *d, arena *a, const char *code);

/* The bulk import: loads ref_postal_codes and ref_countries into memory
 * once (~36 000 rows, a few MB) so that place_communes(), place_match() and
 * place_country_name() answer from it, on this thread only, without a query
 * (same results: the rows' order is the queries' ORDER BY), until
 * place_cache_end().  Strings they return then live until place_cache_end().
 * 0 or a storage error (no cache then). */
int place_cache_begin(db *d);
void place_cache_end(void);

/* Fills ref_postal_codes and ref_countries from the embedded data files
 * (data/postal_codes.tsv, data/countries.tsv) when their row counts differ
 * from the files' (first run, or new data): one transaction, idempotent.
 * Returns the number of rows written (0 if already up to date) or negative. */
int reference_load(db *d);

#endif
