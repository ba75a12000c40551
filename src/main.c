/* main.c - `clr`, the one binary of the platform: THE command table.
 *
 * Columns: the subcommand's name, a one-line summary for `clr --help`, and
 * the function that runs it with the arguments after its name (each
 * function answers its own --help).
 */
#include "cli/cli.h"
#include "core/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const struct command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{"serve", "serve the platform over HTTP", cmd_serve},
	{"migrate", "apply pending database migrations", cmd_migrate},
	{"demo", "load the demonstration data and print its credentials", cmd_demo},
	{"admin", "admin create: create a partner administrator (and organisation)", cmd_admin},
	{"staff", "staff create: create a Le Robert back-office account", cmd_staff},
	{"order", "order list | order validate ID: orders of certification credits", cmd_order},
	{"stock", "stock show | credit | consume --org NAME: the certification stock ledger", cmd_stock},
	{"mail", "mail deliver | list | show ID | retry ID | test --to E: the outgoing e-mail outbox", cmd_mail},
	{"candidates", "candidates import --org NAME --file F [--dry-run]: bulk import of candidates (CSV)", cmd_candidates},
	{"certifications", "certifications sweep: « Prévue » becomes « En attente » once the exam date has passed", cmd_certifications},
	{"results", "results import FILE [--confirm]: results of certifications from a CSV file", cmd_results},
	{"backup", "backup --to FILE: a consistent copy of the SQLite database while it serves (PostgreSQL: pg_dump)", cmd_backup},
	{"restore", "restore --from FILE [--force]: check a backup and put it in place (SQLite; no server running)", cmd_restore},
	{"copy", "copy --from URL --to URL: copy every row of one database into another (SQLite <-> PostgreSQL)", cmd_copy},
	{"bench-data", "generate the benchmark data set of bench/ (1 000 organisations, 1 000 000 candidates)", cmd_bench_data},
	{"routes", "list every route of the web platform and who may call it", cmd_routes},
	{NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: clr COMMAND [options]   (clr COMMAND --help for details)\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-14s %s\n", c->name, c->summary);
	fprintf(f, "\nEvery command takes --db URL: sqlite:PATH or postgresql://... (env CLR_DB,\n"
		   "default sqlite:var/clr.db).\n");
}

int main(int argc, char **argv)
{
	/* every file clr creates (the SQLite database and its -wal/-shm, .eml
	 * files, exports in /tmp) is the owner's alone: 0600, folders 0700 */
	umask(077);
	setenv("TZ", "Europe/Paris", 0);
	tzset();
	if (crypto_init() != 0) {
		fprintf(stderr, "clr: libsodium failed to initialise\n");
		return 1;
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 2, argv + 2);
	fprintf(stderr, "clr: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
