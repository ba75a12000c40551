/* results.c - `clr results import FILE [--confirm]`: the back office's
 * « Importer des résultats » from the command line, with the same domain
 * code (domain/results_import.c): without --confirm the report only
 * (nothing changes), with it every valid line recorded in one transaction.
 * Refused lines go to stderr, the counts to stdout. */
#include "cli/cli.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/err.h"
#include "domain/results_import.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char results_help[] =
	"usage: clr results import FILE [--confirm] [--db URL]\n"
	"\n"
	"Reads the results of the CSV file FILE (the template of the back office's\n"
	"« Importer des résultats »: UTF-8 or Windows-1252, ';' or ','), with the\n"
	"columns « Code d'activation » (or « Certification »: its number or its\n"
	"reference CLR-2026-000123), « Score » (0 to 1000) and optionally « Durée\n"
	"(minutes) ».  Every line is checked with the rules of the results API:\n"
	"unknown, revoked, expired or not yet valid code, cancelled certification,\n"
	"exam to come, score out of range or not an integer, another score already\n"
	"recorded, the same certification twice in the file.\n"
	"\n"
	"Without --confirm: the report only, nothing changes.  With --confirm:\n"
	"every valid line is recorded in ONE transaction (the certification\n"
	"« Passée », its code revoked, the candidate's status and score, history,\n"
	"audit, and the result e-mail to the candidate).  A result already\n"
	"recorded with the same score is left as it is.\n"
	"\n"
	"Prints: lines, new, unchanged, refused, recorded; refused lines on stderr.\n"
	"Exit status: 0 done, 1 failure, 3 the file itself was refused.\n"
	"\n"
	"  --db URL   sqlite:PATH or postgresql://... (env CLR_DB, default sqlite:var/clr.db)\n";

static char *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0, k;
	char *b = malloc(cap);
	while (b && (k = fread(b + len, 1, cap - len, f)) > 0) {
		len += k;
		if (len == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	fclose(f);
	*n = len;
	return b;
}

int cmd_results(int argc, char **argv)
{
	const char *dbf = NULL, *confirm = NULL;
	const struct opt opts[] = {{"db", &dbf, 0}, {"confirm", &confirm, 1}, {0, 0, 0}};
	const char *pos[2];
	int npos, rc = cli_parse(argc, argv, opts, pos, 2, &npos);
	if (rc || npos != 2 || strcmp(pos[0], "import") != 0) {
		if (rc == 0)
			fprintf(stderr, "clr: missing or unexpected arguments\n");
		fputs(results_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	size_t n;
	char *raw = read_all(pos[1], &n);
	if (!raw) {
		fprintf(stderr, "clr: cannot read %s\n", pos[1]);
		return 1;
	}
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d) {
		free(raw);
		return 1;
	}
	arena *a = arena_new();
	enum csv_encoding enc;
	size_t len;
	const char *text = csv_to_utf8(a, raw, n, &enc, &len);
	struct results_report rep;
	struct actor who = {0, 0, "cli"};
	if (!text) {
		fprintf(stderr, "clr: %s is not a text file\n", pos[1]);
		rc = 3;
		goto out;
	}
	rc = confirm ? results_apply(d, a, &who, text, len, &rep) : results_check(d, a, text, len, &rep);
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
		if (rep.lines[i].error)
			fprintf(stderr, "ligne %d: %s\n", rep.lines[i].line, rep.lines[i].error);
	if (rep.ignored)
		fprintf(stderr, "colonnes ignorées : %s\n", rep.ignored);
	printf("lines=%d new=%d unchanged=%d refused=%d recorded=%lld\n", rep.nlines, rep.nnew, rep.nunchanged,
	       rep.ninvalid, rep.recorded);
	if (!confirm && rep.nnew)
		printf("nothing recorded: run again with --confirm to record the %d new result%s\n", rep.nnew,
		       rep.nnew == 1 ? "" : "s");
out:
	arena_free(a);
	db_close(d);
	free(raw);
	return rc == 0 ? 0 : rc == 3 ? 3 : 1;
}
