/* import.h - bulk import of candidates from a CSV file, in two steps (as
 * Pix Certif does).  (The exports of the list are cand_query.c's.)
 *
 * 1. import_store() keeps the uploaded file (converted to UTF-8 by
 *    csv_to_utf8()) in candidate_imports under a random token bound to the
 *    organisation and the user, for IMPORT_TTL seconds.  import_check()
 *    validates every line with exactly the rules of the form
 *    (candidate_validate_all()) and changes nothing: the report lists each
 *    line with its French errors.
 * 2. import_confirm() validates the stored file again (never a re-posted
 *    report) and creates every valid line in ONE transaction, with a
 *    generated password per candidate and, when asked, the credentials
 *    e-mail through the outbox; it deletes the pending import in the same
 *    transaction.  import_file() does the same for the CLI, without a token.
 *
 * Columns are recognised by their French label (the template's header: the
 * fields of candidate_fields.h), compared without regard to case, accents or
 * punctuation, in any order; choice values (« Madame », « Salarié »,
 * « France »...) are mapped to their codes the same way.  Generated
 * passwords are hashed with argon2id at libsodium's minimum limits on every
 * core while the transaction runs (docs/DECISIONS.md).  Everything returned
 * is arena-owned.
 */
#ifndef CLR_IMPORT_H
#define CLR_IMPORT_H
#include "core/buf.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/candidate.h"

#define IMPORT_TTL 3600          /* seconds a pending import stays */
#define IMPORT_MAX_LINES 200000  /* candidates per file */
#define IMPORT_SHOW_VALID 1000   /* valid lines listed in a report (all invalid ones are) */
#define IMPORT_BATCH 64          /* rows per INSERT (<= CAND_BATCH_MAX; docs/PERFORMANCE.md « Import ») */

struct import_line {
	int line;          /* line of the file (the header is line 1) */
	const char *name;  /* « NOM Prénom » as typed */
	const char *email; /* as typed */
	int nerr;
	const char **errors; /* « Colonne : message » */
};

struct import_report {
	const char *file_error; /* the whole file is refused (nothing else set) */
	enum csv_encoding enc;
	char sep;
	int nlines, nvalid, ninvalid;
	struct import_line *lines; /* invalid lines, and the first valid ones */
	int nshown;
	long long created; /* import_confirm / import_file */
	double ms_check, ms_create; /* timings, for the CLI and the bench */
};

/* The CSV template: UTF-8 BOM, ';', the header and one example line. */
void import_template(buf *out);

/* Validates every line of text (UTF-8); changes nothing.  0 (rep filled,
 * rep->file_error when the file itself is refused) or a storage error. */
int import_check(db *d, arena *a, long long org_id, const char *text, size_t n, struct import_report *rep);

/* Validates and creates every valid line in one transaction (see above);
 * send_credentials != 0: the credentials e-mail for each.  rep->created. */
int import_file(db *d, arena *a, const struct actor *who, const char *text, size_t n, int send_credentials,
		struct import_report *rep);

/* Pending imports (the web's two steps).  A token not this user's and
 * organisation's, or expired, is CLR_ENOTFOUND. */
int import_store(db *d, arena *a, const struct actor *who, const char *filename, const char *text,
		 char token_out[TOKEN_LEN + 1]);
int import_load(db *d, arena *a, const struct actor *who, const char *token, const char **filename,
		const char **text);
int import_confirm(db *d, arena *a, const struct actor *who, const char *token, int send_credentials,
		   struct import_report *rep);

#endif
