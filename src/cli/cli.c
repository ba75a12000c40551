/* cli.c - option parsing and database opening shared by subcommands. */
#include "cli/cli.h"
#include "core/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_parse(int argc, char **argv, const struct opt *opts, const char **pos, int maxpos, int *npos)
{
	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return 1;
		if (strncmp(a, "--", 2) != 0) {
			if (*npos >= maxpos) {
				fprintf(stderr, "clr: unexpected argument '%s'\n", a);
				return -1;
			}
			pos[(*npos)++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt *o = opts;
		for (; o && o->name; o++)
			if (strlen(o->name) == nl && strncmp(o->name, name, nl) == 0)
				break;
		if (!o || !o->name) {
			fprintf(stderr, "clr: unknown option '%s' (see --help)\n", a);
			return -1;
		}
		if (o->is_flag) {
			*o->value = "1";
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			fprintf(stderr, "clr: option --%s needs a value\n", o->name);
			return -1;
		}
	}
	return 0;
}

const char *cli_db_url(const char *flag)
{
	if (flag && *flag)
		return flag;
	const char *env = getenv("CLR_DB");
	return env && *env ? env : "sqlite:var/clr.db";
}

db *cli_open_db(const char *url, int migrate)
{
	if (strcmp(url, "sqlite:var/clr.db") == 0)
		mkdir("var", 0700);
	char err[256] = "";
	db *d = NULL;
	if (db_open(url, &d, err, sizeof err) != 0) {
		fprintf(stderr, "clr: cannot open database %s: %s\n", url, err);
		return NULL;
	}
	if (migrate && db_migrate(d, 0) < 0) {
		fprintf(stderr, "clr: migration failed: %s\n", db_errmsg(d));
		db_close(d);
		return NULL;
	}
	return d;
}
