/* certifications.c - `clr certifications sweep`: turns « Prévue » into
 * « En attente » for candidates whose exam date has passed (clr serve does
 * it every few minutes by itself; this is for a cron job or a check). */
#include "cli/cli.h"
#include "core/err.h"
#include "domain/certification.h"
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: clr certifications sweep [--db URL]\n"
	"\n"
	"Moves the candidates whose planned certifications are all past from\n"
	"« Prévue » to « En attente » (every organisation) and prints how many.\n"
	"clr serve runs the same sweep at start and then every CLR_SWEEP_S\n"
	"seconds (default 300).\n"
	"\n"
	"  --db URL   sqlite:PATH or postgresql://... (env CLR_DB, default sqlite:var/clr.db)\n";

int cmd_certifications(int argc, char **argv)
{
	const char *dbf = NULL;
	const struct opt opts[] = {{"db", &dbf, 0}, {0, 0, 0}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 1, &npos);
	if (rc || npos != 1 || strcmp(pos[0], "sweep") != 0) {
		fputs(help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d)
		return 1;
	arena *a = arena_new();
	long long n = 0;
	rc = certification_sweep(d, a, &n);
	if (rc)
		fprintf(stderr, "clr: sweep failed: %s\n", clr_strerror(rc));
	else
		printf("%lld candidate%s now « En attente »\n", n, n == 1 ? "" : "s");
	arena_free(a);
	db_close(d);
	return rc ? 1 : 0;
}
