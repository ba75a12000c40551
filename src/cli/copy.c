/* copy.c - `clr copy --from URL --to URL`: every row of one database into
 * another through the db interface (db_copy(), src/db/copy.c), to move a
 * platform from SQLite to PostgreSQL or back. */
#include "cli/cli.h"
#include "core/log.h"
#include "db/db.h"
#include <stdio.h>
#include <string.h>

static const char copy_help[] =
	"usage: clr copy --from URL --to URL\n"
	"\n"
	"Copies every row of the database FROM into the database TO, whatever their\n"
	"backends (sqlite:PATH or postgresql://...): to move a platform from SQLite to\n"
	"PostgreSQL, or back.  TO is migrated first and must hold no organisation and\n"
	"no account (its reference data is replaced by FROM's); FROM must have no\n"
	"pending migration.  FROM is read in one snapshot (servers may keep running\n"
	"on it, but what they write after the snapshot is not copied: stop them for\n"
	"the move), TO is written in one transaction: all or nothing.  On PostgreSQL\n"
	"the id sequences are set past the largest id copied.  Prints each table's\n"
	"row count in both databases.\n"
	"\n"
	"  --from URL   the source database\n"
	"  --to URL     the target database (created if a SQLite file does not exist)\n"
	"\n"
	"Exit status: 0 copied, 1 failed (nothing copied), 2 usage.\n";

static void report(const char *table, long long src_rows, long long dst_rows)
{
	printf("%-28s %10lld %10lld%s\n", table, src_rows, dst_rows, src_rows == dst_rows ? "" : "  DIFFÉRENT");
}

int cmd_copy(int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	const struct opt opts[] = {{"from", &from, 0}, {"to", &to, 0}, {0, 0, 0}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 0, &npos);
	if (rc) {
		fputs(copy_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	if (!from || !*from || !to || !*to) {
		fprintf(stderr, "clr copy: indiquez la base source (--from URL) et la base cible (--to URL)\n");
		return 2;
	}
	if (strcmp(from, to) == 0) {
		fprintf(stderr, "clr copy: la source et la cible sont la même base\n");
		return 2;
	}
	log_set_quiet(1);
	db *src = cli_open_db(from, 0);
	if (!src)
		return 1;
	db *dst = cli_open_db(to, 1);
	if (!dst) {
		db_close(src);
		return 1;
	}
	char err[600] = "";
	printf("%-28s %10s %10s\n", "table", "source", "copie");
	rc = db_copy(src, dst, report, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "clr copy: %s ; rien n'a été copié\n", err);
	else
		printf("copie terminée : %s -> %s\n", from, to);
	db_close(dst);
	db_close(src);
	return rc < 0 ? 1 : 0;
}
