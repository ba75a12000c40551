/* fuzz/import.c - the first step of « Importer des candidats »
 * (src/domain/import.c): an uploaded file's bytes through csv_to_utf8()
 * (UTF-8, BOM, Windows-1252), then import_check(): csv_read(), the header
 * mapped to the fields (labels compared without case, accents or
 * punctuation, aliases, ignored export columns, duplicates), every line
 * checked with the rules of the form (choices and countries mapped, dates,
 * postal codes and communes against the La Poste data, e-mail duplicates
 * within the file), on the in-memory SQLite database of fuzz/fuzz_db.h.
 * Nothing is written to the database.
 *
 * Input: the file's bytes.
 * Invariants beyond « no crash »:
 *   - import_check() never fails with a storage error;
 *   - a refused file has a French message and no lines; an accepted one has
 *     a separator ';' or ',', valid + invalid = lines, every invalid line in
 *     the report (in file order, line numbers from 2 on, 1 to ERRS_MAX
 *     errors), no valid line with an error; messages are well-formed UTF-8
 *     (they quote the file's text as typed, control characters included);
 *   - checking the same text again gives the same report (import_confirm()
 *     checks the stored file again: the two steps must agree).
 */
#include "fuzz.h"
#include "fuzz_db.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/text.h"
#include "core/validate.h"
#include "domain/import.h"

static db *d;
static long long org;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	d = fuzz_db_open(&org);
	return 0;
}

static void check_report(const struct import_report *rep)
{
	if (rep->file_error) {
		FUZZ_CHECK(*rep->file_error && fuzz_utf8_ok((const unsigned char *)rep->file_error, strlen(rep->file_error)));
		FUZZ_CHECK(rep->nlines == 0 && rep->nshown == 0);
		return;
	}
	FUZZ_CHECK(rep->sep == ';' || rep->sep == ',');
	FUZZ_CHECK(rep->nlines >= 1 && rep->nvalid + rep->ninvalid == rep->nlines);
	FUZZ_CHECK(rep->nshown >= rep->ninvalid && rep->nshown <= rep->nlines);
	int invalid = 0, prev = 1;
	for (int i = 0; i < rep->nshown; i++) {
		const struct import_line *l = &rep->lines[i];
		FUZZ_CHECK(l->line > prev);
		prev = l->line;
		FUZZ_CHECK(l->name && l->email);
		FUZZ_CHECK(l->nerr >= 0 && l->nerr <= ERRS_MAX);
		invalid += l->nerr > 0;
		for (int k = 0; k < l->nerr; k++)
			FUZZ_CHECK(l->errors[k] && *l->errors[k] && fuzz_utf8_ok((const unsigned char *)l->errors[k], strlen(l->errors[k])));
	}
	FUZZ_CHECK(invalid == rep->ninvalid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena *a = arena_new();
	enum csv_encoding enc;
	size_t len = 0;
	char *text = csv_to_utf8(a, (const char *)data, size, &enc, &len);
	if (!text) { /* « Ce fichier n'est pas un fichier CSV » */
		arena_free(a);
		return 0;
	}
	struct import_report rep, again;
	FUZZ_CHECK(import_check(d, a, org, text, len, &rep) == 0);
	check_report(&rep);

	/* the stored file, checked again at confirmation */
	FUZZ_CHECK(import_check(d, a, org, text, strlen(text), &again) == 0);
	FUZZ_CHECK((rep.file_error == NULL) == (again.file_error == NULL));
	if (rep.file_error) {
		FUZZ_CHECK(strcmp(rep.file_error, again.file_error) == 0);
	} else {
		FUZZ_CHECK(rep.nlines == again.nlines && rep.nvalid == again.nvalid && rep.ninvalid == again.ninvalid &&
			   rep.nshown == again.nshown);
		for (int i = 0; i < rep.nshown; i++) {
			FUZZ_CHECK(rep.lines[i].line == again.lines[i].line && rep.lines[i].nerr == again.lines[i].nerr);
			for (int k = 0; k < rep.lines[i].nerr; k++)
				FUZZ_CHECK(strcmp(rep.lines[i].errors[k], again.lines[i].errors[k]) == 0);
		}
	}
	arena_free(a);
	return 0;
}
