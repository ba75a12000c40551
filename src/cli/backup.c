/* backup.c - `clr backup` and `clr restore`.
 *
 * SQLite: `clr backup` copies the live database through SQLite's online
 * backup API (one read snapshot, stepped in chunks, while `clr serve` keeps
 * writing), checks the copy (PRAGMA integrity_check) and leaves it 0600.
 * `clr restore` checks a backup file (header, size, integrity, a clr
 * schema), refuses a target file that a server holds (sqlite_file.h: the
 * server's shared flock), copies the file beside the target, applies the
 * pending migrations to it and puts it in place with one rename().
 * PostgreSQL: both commands explain pg_dump / pg_restore and
 * pg_basebackup; they do not reimplement them. */
#include "cli/cli.h"
#include "core/log.h"
#include "db/db.h"
#include "db/sqlite_file.h"
#include "domain/place.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char pg_help[] =
	"PostgreSQL: use PostgreSQL's own tools, which clr does not reimplement.\n"
	"  Logical dump (one database, any size up to a few GB; restorable on another version):\n"
	"    pg_dump --format=custom --file=clr-$(date +%%Y%%m%%d-%%H%%M).dump \"$CLR_DB\"\n"
	"    pg_restore --clean --if-exists --no-owner --dbname=\"$CLR_DB\" FILE.dump\n"
	"  Physical base backup of the whole cluster, with WAL archiving for\n"
	"  point-in-time recovery:\n"
	"    pg_basebackup --pgdata=/var/backups/clr-base --format=tar --gzip --wal-method=stream\n"
	"  See docs/OPERATIONS.md, « Sauvegardes ».\n";

static const char backup_help[] =
	"usage: clr backup [--db URL] --to FILE\n"
	"\n"
	"SQLite: writes a consistent copy of the database into FILE (which must not\n"
	"exist) while `clr serve` keeps serving: SQLite's online backup API reads one\n"
	"snapshot in steps of 512 pages, writers are not blocked.  The copy is then\n"
	"checked (PRAGMA integrity_check), is one self-contained file (no -wal) and\n"
	"is readable by its owner only (0600).  Restore it with `clr restore`.\n"
	"\n"
	"  --db URL    sqlite:PATH (env CLR_DB, default sqlite:var/clr.db)\n"
	"  --to FILE   the backup file to create\n"
	"\n"
	"Exit status: 0 written and checked, 1 failed (nothing left behind), 2 usage\n"
	"(and on PostgreSQL, where it prints the commands to use instead).\n"
	"\n";

/* The arguments of backup and restore, whose --db must be SQLite: -1 and
 * *url to go on, else the exit code (help printed, or the error). */
static int sqlite_args(int argc, char **argv, const struct opt *opts, const char **dbf, const char *help,
		       const char *refusal, const char **url)
{
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 0, &npos);
	if (rc) {
		fputs(help, rc > 0 ? stdout : stderr);
		fprintf(rc > 0 ? stdout : stderr, pg_help);
		return rc > 0 ? 0 : 2;
	}
	*url = cli_db_url(*dbf);
	if (strncmp(*url, "sqlite:", 7) != 0) {
		fputs(refusal, stderr);
		fprintf(stderr, pg_help);
		return 2;
	}
	return -1;
}

int cmd_backup(int argc, char **argv)
{
	const char *dbf = NULL, *to = NULL, *url;
	const struct opt opts[] = {{"db", &dbf, 0}, {"to", &to, 0}, {0, 0, 0}};
	int rc = sqlite_args(argc, argv, opts, &dbf, backup_help,
			     "clr backup: cette commande sauvegarde une base SQLite.\n", &url);
	if (rc >= 0)
		return rc;
	if (!to || !*to) {
		fprintf(stderr, "clr backup: indiquez le fichier de sauvegarde à créer avec --to FILE\n");
		return 2;
	}
	char err[600];
	long long pages = 0, bytes = 0, migrations = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sqlite_backup_to(url + 7, to, &pages, &bytes, err, sizeof err) != 0) {
		fprintf(stderr, "clr backup: %s\n", err);
		return 1;
	}
	if (sqlite_check_file(to, &migrations, err, sizeof err) != 0) {
		fprintf(stderr, "clr backup: la copie ne passe pas le contrôle, elle est supprimée : %s\n", err);
		unlink(to);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("sauvegarde écrite : %s (%lld pages, %lld octets, %lld migrations, %.0f ms), contrôle d'intégrité : ok\n",
	       to, pages, bytes, migrations,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	return 0;
}

static const char restore_help[] =
	"usage: clr restore --from FILE [--db URL] [--force]\n"
	"\n"
	"SQLite: puts the backup FILE (made by `clr backup`) in place of the database.\n"
	"The file is checked first (SQLite header, a size that matches its page\n"
	"count, PRAGMA integrity_check, a clr schema); a truncated or damaged file\n"
	"is refused and nothing is changed.  A database that a `clr serve` uses is\n"
	"never replaced: every server holds a shared lock (flock) on its file and\n"
	"the restore needs it exclusive, so stop the servers first.  The copy is\n"
	"made beside the target, brought up to date with the pending migrations,\n"
	"then renamed over it in one step (its old -wal and -shm are removed).\n"
	"\n"
	"  --from FILE  the backup file (left untouched)\n"
	"  --db URL     sqlite:PATH of the database to restore (env CLR_DB, default sqlite:var/clr.db)\n"
	"  --force      replace an existing database (without it, only a missing or empty file)\n"
	"\n"
	"Exit status: 0 restored, 1 failed, 2 usage, 3 the backup file is refused\n"
	"(truncated, damaged, not a clr database), 4 a server uses the database or it\n"
	"exists and --force was not given.\n"
	"\n";

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	int in = open(from, O_RDONLY), out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (in < 0 || out < 0) {
		snprintf(err, errlen, "copie de %.200s vers %.200s impossible : %s", from, to, strerror(errno));
		if (in >= 0)
			close(in);
		return -1;
	}
	char b[1 << 16];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, b, sizeof b)) > 0)
		if (write(out, b, (size_t)n) != n) {
			rc = -1;
			break;
		}
	if (n < 0 || fsync(out) != 0)
		rc = -1;
	if (rc)
		snprintf(err, errlen, "copie de %.200s vers %.200s impossible : %s", from, to, strerror(errno));
	close(in);
	close(out);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	const char *dbf = NULL, *from = NULL, *force = NULL, *url;
	const struct opt opts[] = {{"db", &dbf, 0}, {"from", &from, 0}, {"force", &force, 1}, {0, 0, 0}};
	int rc = sqlite_args(argc, argv, opts, &dbf, restore_help,
			     "clr restore: cette commande restaure une base SQLite.\n", &url);
	if (rc >= 0)
		return rc;
	if (!from || !*from) {
		fprintf(stderr, "clr restore: indiquez le fichier de sauvegarde avec --from FILE\n");
		return 2;
	}
	const char *target = url + 7;
	char err[600];
	long long migrations = 0;
	if (sqlite_check_file(from, &migrations, err, sizeof err) != 0) {
		fprintf(stderr, "clr restore: sauvegarde refusée, rien n'a été modifié : %s\n", err);
		return 3;
	}
	int lock = sqlite_restore_lock(target, err, sizeof err);
	if (lock == -1) {
		fprintf(stderr, "clr restore: %s ; rien n'a été modifié\n", err);
		return 4;
	}
	struct stat st;
	if (lock >= 0 && fstat(lock, &st) == 0 && st.st_size > 0 && !force) {
		fprintf(stderr,
			"clr restore: la base %s existe déjà : ajoutez --force pour la remplacer (rien n'a été modifié)\n",
			target);
		close(lock);
		return 4;
	}
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.restore-%ld", target, (long)getpid());
	rc = 1;
	if (copy_file(from, tmp, err, sizeof err) != 0) {
		fprintf(stderr, "clr restore: %s\n", err);
		goto out;
	}
	/* the pending migrations, on the copy (a backup of an older version) */
	char turl[4300];
	snprintf(turl, sizeof turl, "sqlite:%s", tmp);
	db *d = NULL;
	if (db_open(turl, &d, err, sizeof err) != 0) {
		fprintf(stderr, "clr restore: %s\n", err);
		goto out_tmp;
	}
	log_set_quiet(1);
	int n = db_migrate(d, 0);
	if (n >= 0 && reference_load(d) < 0)
		n = -1;
	if (n < 0) {
		fprintf(stderr, "clr restore: les migrations de la copie ont échoué : %s (rien n'a été modifié)\n",
			db_errmsg(d));
		db_close(d);
		goto out_tmp;
	}
	db_close(d); /* the last connection: the -wal is checkpointed and removed */
	/* an old -wal beside the target would be replayed into the restored file */
	char side[4300];
	snprintf(side, sizeof side, "%s-wal", target);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", target);
	unlink(side);
	if (rename(tmp, target) != 0) {
		fprintf(stderr, "clr restore: impossible de remplacer %s : %s\n", target, strerror(errno));
		goto out_tmp;
	}
	printf("base restaurée : %s depuis %s (%lld migrations dans la sauvegarde, %d appliquées)\n", target, from,
	       migrations, n);
	rc = 0;
	goto out;
out_tmp:
	unlink(tmp);
	snprintf(side, sizeof side, "%s-wal", tmp);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", tmp);
	unlink(side);
out:
	if (lock >= 0)
		close(lock);
	return rc;
}
