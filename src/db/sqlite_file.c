/* sqlite_file.c - the online backup of a SQLite database, the checks of a
 * backup file, and the serve/restore lock (sqlite_file.h).  These work on
 * files, not through db.h: they are SQLite's alone. */
#include "db/sqlite_file.h"
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STEP_PAGES 512 /* 2 MiB of 4 KiB pages per step */

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int sqlite_backup_to(const char *src, const char *dst, long long *pages, long long *bytes, char *err, size_t errlen)
{
	sqlite3 *s = NULL, *d = NULL;
	sqlite3_backup *b = NULL;
	int rc, ok = -1, in_read = 0;
	struct stat st;
	if (stat(src, &st) != 0) {
		snprintf(err, errlen, "la base %s n'existe pas (%s)", src, strerror(errno));
		return -1;
	}
	if (access(dst, F_OK) == 0) {
		snprintf(err, errlen, "le fichier %s existe déjà : choisissez un autre nom (rien n'a été écrit)", dst);
		return -1;
	}
	/* the source read-write: reading a WAL database needs its -shm */
	rc = sqlite3_open_v2(src, &s, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(s, 5000);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "impossible d'ouvrir la base %s : %s", src, s ? sqlite3_errmsg(s) : sqlite3_errstr(rc));
		goto out;
	}
	/* one read transaction for the whole copy: every step reads the same
	 * snapshot, and writers (WAL) go on meanwhile without restarting it */
	rc = sqlite3_exec(s, "BEGIN; SELECT COUNT(*) FROM sqlite_master;", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "lecture de la base %s impossible : %s", src, sqlite3_errmsg(s));
		goto out;
	}
	in_read = 1;
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "impossible de créer %s : %s", dst, strerror(errno));
		goto out;
	}
	close(fd);
	rc = sqlite3_open_v2(dst, &d, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "impossible d'ouvrir %s : %s", dst, d ? sqlite3_errmsg(d) : sqlite3_errstr(rc));
		goto out_unlink;
	}
	b = sqlite3_backup_init(d, "main", s, "main");
	if (!b) {
		snprintf(err, errlen, "sauvegarde impossible : %s", sqlite3_errmsg(d));
		goto out_unlink;
	}
	for (int busy = 0;;) {
		rc = sqlite3_backup_step(b, STEP_PAGES);
		if (rc == SQLITE_DONE)
			break;
		if (rc == SQLITE_OK) {
			nap_ms(1); /* leave the disk to the server between steps */
			continue;
		}
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++busy < 1000) {
			nap_ms(10);
			continue;
		}
		snprintf(err, errlen, "sauvegarde interrompue : %s", sqlite3_errstr(rc));
		goto out_unlink;
	}
	*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	b = NULL;
	sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
	in_read = 0;
	/* one self-contained file: no -wal beside it */
	rc = sqlite3_exec(d, "PRAGMA journal_mode=DELETE;", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "copie inutilisable : %s", sqlite3_errmsg(d));
		goto out_unlink;
	}
	sqlite3_close_v2(d);
	d = NULL;
	chmod(dst, 0600);
	if (fsync_path(dst) != 0 || stat(dst, &st) != 0) {
		snprintf(err, errlen, "écriture de %s : %s", dst, strerror(errno));
		goto out_unlink;
	}
	*bytes = st.st_size;
	ok = 0;
	goto out;
out_unlink:
	if (b)
		sqlite3_backup_finish(b);
	b = NULL;
	if (d)
		sqlite3_close_v2(d);
	d = NULL;
	unlink(dst);
out:
	if (in_read)
		sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
	if (d)
		sqlite3_close_v2(d);
	if (s)
		sqlite3_close_v2(s);
	return ok;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int check_cb(void *arg, int n, char **vals, char **cols)
{
	char *first = arg;
	if (!first[0] && n > 0 && vals[0])
		snprintf(first, 200, "%s", vals[0]);
	return 0;
}

int sqlite_check_file(const char *path, long long *migrations, char *err, size_t errlen)
{
	unsigned char h[100];
	struct stat st;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "impossible de lire %s : %s", path, strerror(errno));
		return -1;
	}
	size_t got = fread(h, 1, sizeof h, f);
	int sterr = fstat(fileno(f), &st);
	fclose(f);
	if (got < sizeof h || memcmp(h, "SQLite format 3", 16) != 0 || sterr != 0) {
		snprintf(err, errlen, "%s n'est pas une sauvegarde de base SQLite (en-tête absent ou illisible)", path);
		return -1;
	}
	uint32_t psize = (uint32_t)h[16] << 8 | h[17];
	if (psize == 1)
		psize = 65536;
	uint32_t npages = be32(h + 28);
	/* the header's page count is valid when its change counter matches
	 * the "version-valid-for" number (every SQLite since 3.7.0 writes both) */
	if (psize < 512 || (psize & (psize - 1)) != 0) {
		snprintf(err, errlen, "%s est endommagé : taille de page invalide dans l'en-tête", path);
		return -1;
	}
	if (be32(h + 24) == be32(h + 92) && npages > 0 && (long long)st.st_size < (long long)npages * psize) {
		snprintf(err, errlen,
			 "%s est tronqué : %lld octets au lieu de %lld (%u pages de %u octets) — la copie est incomplète",
			 path, (long long)st.st_size, (long long)npages * psize, npages, psize);
		return -1;
	}
	if (st.st_size % psize != 0) {
		snprintf(err, errlen, "%s est tronqué ou endommagé : sa taille n'est pas un multiple de la page (%u octets)",
			 path, psize);
		return -1;
	}
	sqlite3 *d = NULL;
	/* read-only, and immutable: nothing (no -wal, no -shm) is created beside it */
	char uri[4200];
	snprintf(uri, sizeof uri, "file:%s?mode=ro&immutable=1", path);
	int rc = sqlite3_open_v2(uri, &d, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	char first[200] = "";
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(d, "PRAGMA integrity_check;", check_cb, first, NULL);
	if (rc != SQLITE_OK || strcmp(first, "ok") != 0) {
		snprintf(err, errlen, "%s est endommagé : le contrôle d'intégrité de SQLite échoue (%s)", path,
			 rc != SQLITE_OK ? (d ? sqlite3_errmsg(d) : sqlite3_errstr(rc)) : first);
		sqlite3_close_v2(d);
		return -1;
	}
	sqlite3_stmt *q = NULL;
	rc = sqlite3_prepare_v2(d, "SELECT COUNT(*) FROM schema_migrations", -1, &q, NULL);
	if (rc != SQLITE_OK || sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int64(q, 0) < 1) {
		snprintf(err, errlen, "%s n'est pas une base de la plateforme (pas de table schema_migrations)", path);
		sqlite3_finalize(q);
		sqlite3_close_v2(d);
		return -1;
	}
	*migrations = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close_v2(d);
	return 0;
}

int sqlite_serve_lock(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* not a file we can open: nothing to protect */
	if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
		snprintf(err, errlen, "une restauration (clr restore) est en cours sur %s : réessayez quand elle est finie",
			 path);
		close(fd);
		return -1;
	}
	return 0; /* fd stays open, and the lock held, until the process exits */
}

int sqlite_restore_lock(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return -2;
		snprintf(err, errlen, "impossible d'ouvrir %s : %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen,
			 "la base %s est utilisée par un serveur (clr serve) : arrêtez-le avant de la restaurer", path);
		close(fd);
		return -1;
	}
	return fd;
}
