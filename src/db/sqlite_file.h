/* sqlite_file.h - operations on a SQLite database as a file: the online
 * backup, the checks a backup file must pass before it is restored, and the
 * lock by which a running server keeps `clr restore` away from its file.
 *
 * The lock: `clr serve` holds a shared flock(2) on the database file for
 * its whole life (sqlite_serve_lock()); `clr restore` takes it exclusive
 * and without waiting (sqlite_restore_lock()), so it refuses a file that a
 * server uses, and a server does not start on a file being restored.
 * flock(2) locks are separate from the POSIX record locks SQLite uses, and
 * the descriptor stays open until the process exits (closing any
 * descriptor of a file drops the process's POSIX locks on it). */
#ifndef CLR_SQLITE_FILE_H
#define CLR_SQLITE_FILE_H
#include <stddef.h>

/* Copies the database at SRC into DST (which must not exist) through the
 * online backup API, in steps of a few hundred pages inside one read
 * transaction of the source: one consistent snapshot, while other
 * connections keep writing (WAL).  The copy is left in rollback-journal
 * mode (one self-contained file), mode 0600, fsync'ed.  *pages and *bytes
 * tell its size.  0, or -1 with a French message in err. */
int sqlite_backup_to(const char *src, const char *dst, long long *pages, long long *bytes, char *err, size_t errlen);

/* Whether PATH is a whole, sound clr database: the SQLite header, a size
 * that matches the page count the header records (a truncated copy fails
 * here), PRAGMA integrity_check = ok, and a schema_migrations table (a
 * SQLite file of another program fails here).  *migrations = its rows.
 * 0, or -1 with a French message in err. */
int sqlite_check_file(const char *path, long long *migrations, char *err, size_t errlen);

/* `clr serve`: a shared lock on the database file, held until exit.  0,
 * or -1 (message in err) when `clr restore` holds the file. */
int sqlite_serve_lock(const char *path, char *err, size_t errlen);
/* `clr restore`: the exclusive lock on PATH (if it exists); returns the
 * descriptor that holds it (close it when done), -2 if there is no such
 * file, or -1 (message in err) when a server uses the file. */
int sqlite_restore_lock(const char *path, char *err, size_t errlen);

#endif
