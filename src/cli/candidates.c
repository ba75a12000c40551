/* candidates.c - `clr candidates import`: the bulk import of the web's
 * « Importer des candidats » from the command line (staff, benchmarks),
 * with exactly the same domain code (domain/import.c): every line
 * validated, the valid ones created in one transaction, a report of the
 * refused lines on stderr and the timings on stdout. */
#include "cli/cli.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include "domain/import.h"
#include "domain/org.h"
#include "domain/place.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char candidates_help[] =
	"usage: clr candidates import --org NAME --file F [--dry-run] [--send-credentials] [--db URL]\n"
	"\n"
	"Imports the candidates of the CSV file F (the template of « Importer des\n"
	"candidats »: UTF-8 or Windows-1252, ';' or ',') into the organisation NAME.\n"
	"Every line is validated as in the form; the valid ones are created in one\n"
	"transaction with a generated password each (known to nobody), the\n"
	"others are listed on\n"
	"stderr.  --dry-run only validates (the web's report: nothing changes).\n"
	"--send-credentials queues the credentials e-mail of each new candidate:\n"
	"their identifier and a one-time link to choose their password.\n"
	"Prints: lines, valid, refused, created and the time taken (ms).\n"
	"Exit status: 0 done, 1 failure, 3 the file itself was refused.\n";

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, len = 0;
	char *b = malloc(cap);
	size_t k;
	while (b && (k = fread(b + len, 1, cap - len, f)) > 0) {
		len += k;
		if (len == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	fclose(f);
	*n = len;
	return b;
}

int cmd_candidates(int argc, char **argv)
{
	const char *dbf = NULL, *org = NULL, *file = NULL, *dry = NULL, *send = NULL;
	const struct opt opts[] = {{"db", &dbf, 0},      {"org", &org, 0}, {"file", &file, 0}, {"dry-run", &dry, 1},
				   {"send-credentials", &send, 1}, {0, 0, 0}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 1, &npos);
	if (rc || npos != 1 || strcmp(pos[0], "import") != 0 || !org || !file) {
		if (rc == 0)
			fprintf(stderr, "clr: missing or unexpected arguments\n");
		fputs(candidates_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	size_t n;
	char *raw = read_file(file, &n);
	if (!raw) {
		fprintf(stderr, "clr: cannot read %s\n", file);
		return 1;
	}
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d) {
		free(raw);
		return 1;
	}
	arena *a = arena_new();
	long long org_id;
	struct org o;
	rc = org_by_name(d, a, org, &org_id);
	if (rc == 0)
		rc = org_get(d, a, org_id, &o);
	if (rc == 0 && reference_load(d) < 0)
		rc = CLR_EDB;
	if (rc) {
		fprintf(stderr, "clr: %s\n", rc == CLR_ENOTFOUND ? "no such organisation" : clr_strerror(rc));
		goto out;
	}
	enum csv_encoding enc;
	size_t len;
	const char *text = csv_to_utf8(a, raw, n, &enc, &len);
	if (!text) {
		fprintf(stderr, "clr: %s is not a text file\n", file);
		rc = 3;
		goto out;
	}
	struct actor who = {o.admin_id, org_id, "cli"};
	struct import_report rep;
	rc = dry ? import_check(d, a, org_id, text, len, &rep) : import_file(d, a, &who, text, len, send != NULL, &rep);
	if (rc) {
		fprintf(stderr, "clr: import failed: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
		goto out;
	}
	if (rep.file_error) {
		fprintf(stderr, "clr: %s\n", rep.file_error);
		rc = 3;
		goto out;
	}
	for (int i = 0; i < rep.nshown; i++)
		for (int k = 0; k < rep.lines[i].nerr; k++)
			fprintf(stderr, "ligne %d: %s\n", rep.lines[i].line, rep.lines[i].errors[k]);
	printf("lines=%d valid=%d refused=%d created=%lld ms=%.0f\n", rep.nlines, rep.nvalid, rep.ninvalid, rep.created,
	       dry ? rep.ms_check : rep.ms_create);
out:
	arena_free(a);
	db_close(d);
	free(raw);
	return rc == 0 ? 0 : rc == 3 ? 3 : 1;
}
