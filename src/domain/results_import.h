/* results_import.h - results in a CSV file, imported by Le Robert staff in
 * two steps, like the candidates' import (import.h):
 *
 * 1. results_store() keeps the uploaded file (UTF-8, csv_to_utf8()) in
 *    result_imports under a random token (stored hashed) bound to the staff
 *    member, for RESULTS_IMPORT_TTL seconds; results_check() reports every
 *    line and changes nothing.
 * 2. results_confirm() reads the stored file again (never a re-posted
 *    report), checks every line again and records every valid one in ONE
 *    transaction (result.h's result_record(): the same rules as the API,
 *    source "csv"), deleting the pending file in it: confirming twice is
 *    CLR_ENOTFOUND the second time.  results_apply() does the same for the
 *    CLI, without a token.
 *
 * Columns, by their French label compared without case, accents or
 * punctuation, in any order: « Code d'activation » or « Certification »
 * (its number, or its reference « CLR-2026-000123 »), « Score » (an integer
 * from 0 to 1000), optional « Durée (minutes) » and « Date de passage »
 * (jj/mm/aaaa: the API's taken_at, which lets a code expired since in).  Other columns (a name, an
 * e-mail exported beside them) are ignored and listed in the report.  Each
 * line is « Nouveau » (will be recorded), « Déjà enregistré » (the same
 * score is there: nothing to do) or refused with a French reason: unknown
 * or revoked code, code not yet or no longer valid, unknown or cancelled
 * certification, exam to come, score missing or not an integer from 0 to
 * 1000, another score already recorded, the same certification twice in
 * the file.  Everything returned is arena-owned.
 */
#ifndef CLR_RESULTS_IMPORT_H
#define CLR_RESULTS_IMPORT_H
#include "core/buf.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "db/db.h"
#include "domain/audit.h"

#define RESULTS_IMPORT_TTL 3600        /* seconds a pending file stays */
#define RESULTS_IMPORT_MAX_LINES 20000 /* results per file */
#define RESULTS_IMPORT_SHOW_OK 1000    /* valid lines listed (all refused ones are) */

enum results_line_kind { RL_NEW, RL_UNCHANGED, RL_ERROR };

struct results_line {
	int line;              /* line of the file, the header is 1 */
	const char *ref;       /* the code or certification as typed */
	const char *score;     /* as typed */
	const char *candidate; /* « NOM Prénom », "" if not found */
	const char *org;       /* the candidate's organisation, "" if not found */
	long long certification_id;
	enum results_line_kind kind;
	const char *error;     /* RL_ERROR: French */
};

struct results_report {
	const char *file_error; /* the whole file is refused (nothing else set) */
	enum csv_encoding enc;
	char sep;
	const char *ignored;    /* « Nom », « Prénom »: columns ignored, or NULL */
	int nlines, nnew, nunchanged, ninvalid;
	struct results_line *lines; /* refused lines, and the first others */
	int nshown;
	long long recorded;     /* results_apply / results_confirm: results recorded */
};

/* The CSV template: UTF-8 BOM, ';', the header and two example lines. */
void results_template(buf *out);

/* Checks every line of text (UTF-8); changes nothing.  0 (rep filled,
 * rep->file_error when the file itself is refused), or a storage error. */
int results_check(db *d, arena *a, const char *text, size_t n, struct results_report *rep);
/* Checks and records every valid line in one transaction. */
int results_apply(db *d, arena *a, const struct actor *who, const char *text, size_t n, struct results_report *rep);

/* Pending files (the web's two steps): a token not this user's, or
 * expired, is CLR_ENOTFOUND. */
int results_store(db *d, arena *a, const struct actor *who, const char *filename, const char *text,
		  char token_out[TOKEN_LEN + 1]);
int results_load(db *d, arena *a, const struct actor *who, const char *token, const char **filename,
		 const char **text);
int results_confirm(db *d, arena *a, const struct actor *who, const char *token, struct results_report *rep);

#endif
