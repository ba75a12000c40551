/* copy.c - db_copy(): every row of one database into another, through
 * db.h, whatever the two backends (SQLite -> PostgreSQL to grow, and back).
 *
 * Both schemas are this binary's (the target is migrated by the caller, the
 * source must have no pending migration).  The tables are the target's base
 * tables less schema_migrations, org_versions (the target's own: its
 * triggers move them from its own sequence as the rows arrive, and a
 * version copied could come back there) and SQLite's full-text tables (kept
 * by triggers); each is read from the source in primary-key order, in pages,
 * inside one read snapshot, and inserted in the target inside one
 * transaction, parents before children (the foreign keys' order).  Tables
 * that triggers keep (DERIVED: candidate_counts, filled as candidates are
 * inserted) are emptied and copied last, so they hold exactly the source's
 * rows.  The target must hold no organisation and no account; what it
 * holds otherwise (reference data) is replaced.  On PostgreSQL the identity
 * sequences are then set past the largest id, so that new rows get new ids
 * (SQLite's AUTOINCREMENT follows explicit ids by itself). */
#include "db/db.h"
#include "core/buf.h"
#include "core/err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 1000 /* rows read at a time; written in batches of up to 100 */
#define MAX_TABLES 256

static const char *const DERIVED[] = {"candidate_counts", NULL};

struct table {
	const char *name;
	const char **cols;
	int ncols;
	const char **deps; /* tables it references */
	int ndeps;
	const char **pk;
	int npk;
	int done;
	long long rows;
};

static int ident_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int is_derived(const char *t)
{
	for (int i = 0; DERIVED[i]; i++)
		if (strcmp(DERIVED[i], t) == 0)
			return 1;
	return 0;
}

/* One column of a catalog query's rows as an array. */
static const char **column(arena *a, const db_rows *r, int *n)
{
	const char **out = arena_alloc(a, (size_t)(r->nrows + 1) * sizeof *out);
	for (int i = 0; i < r->nrows; i++)
		out[i] = db_cell(r, i, 0);
	*n = r->nrows;
	return out;
}

static int list_tables(db *d, arena *a, db_rows *r)
{
	if (db_kind(d) == DB_SQLITE)
		/* not the FTS tables nor their shadow tables (name_data, ...) */
		return db_query(d, a, r,
				"SELECT t.name FROM sqlite_master t WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
				"AND t.sql NOT LIKE 'CREATE VIRTUAL%' AND NOT EXISTS (SELECT 1 FROM sqlite_master v "
				"WHERE v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL%' AND substr(t.name, 1, length(v.name) + 1) = v.name || '_') "
				"ORDER BY t.rowid",
				DB_NOP);
	return db_query(d, a, r,
			"SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
			"AND table_type = 'BASE TABLE' ORDER BY table_name",
			DB_NOP);
}

static int columns_of(db *d, arena *a, const char *t, db_rows *r)
{
	if (db_kind(d) == DB_SQLITE)
		return db_query(d, a, r, "SELECT name FROM pragma_table_info($1) ORDER BY cid", DB_P(t));
	return db_query(d, a, r,
			"SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
			"AND table_name = $1 ORDER BY ordinal_position",
			DB_P(t));
}

static int pk_of(db *d, arena *a, const char *t, db_rows *r)
{
	if (db_kind(d) == DB_SQLITE)
		return db_query(d, a, r, "SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk", DB_P(t));
	return db_query(d, a, r,
			"SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
			"JOIN pg_namespace n ON n.oid = c.relnamespace "
			"JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
			"WHERE i.indisprimary AND c.relname = $1 AND n.nspname = current_schema() "
			"ORDER BY array_position(i.indkey::int2[], a.attnum)",
			DB_P(t));
}

static int deps_of(db *d, arena *a, const char *t, db_rows *r)
{
	if (db_kind(d) == DB_SQLITE)
		return db_query(d, a, r, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)", DB_P(t));
	return db_query(d, a, r,
			"SELECT DISTINCT p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
			"JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
			"WHERE k.contype = 'f' AND c.relname = $1 AND n.nspname = current_schema()",
			DB_P(t));
}

static int fail(char *err, size_t errlen, const char *what, db *d)
{
	snprintf(err, errlen, "%s%s%s", what, d ? " : " : "", d ? db_errmsg(d) : "");
	return CLR_EDB;
}

/* Copies table t: pages of PAGE rows in primary-key order (keyset on a
 * single integer id, else offset). */
static int copy_table(db *src, db *dst, struct table *t, char *err, size_t errlen)
{
	arena *a = arena_new();
	buf sel = BUF_INIT, ins = BUF_INIT;
	buf_adds(&sel, "SELECT ");
	buf_printf(&ins, "INSERT INTO %s (", t->name);
	for (int c = 0; c < t->ncols; c++) {
		buf_printf(&sel, "%s%s", c ? ", " : "", t->cols[c]);
		buf_printf(&ins, "%s%s", c ? ", " : "", t->cols[c]);
	}
	buf_adds(&ins, ") VALUES (");
	for (int c = 0; c < t->ncols; c++)
		buf_printf(&ins, "%s$%d", c ? ", " : "", c + 1);
	buf_adds(&ins, ")");
	/* and a statement of PER rows: one round trip (PostgreSQL) for many */
	int per = 4000 / (t->ncols ? t->ncols : 1);
	if (per > 100)
		per = 100;
	if (per < 1)
		per = 1;
	buf multi = BUF_INIT;
	buf_add(&multi, ins.data, ins.len);
	for (int k = 1; k < per; k++) {
		buf_adds(&multi, ", (");
		for (int c = 0; c < t->ncols; c++)
			buf_printf(&multi, "%s$%d", c ? ", " : "", k * t->ncols + c + 1);
		buf_adds(&multi, ")");
	}
	int keyset = t->npk == 1 && strcmp(t->pk[0], "id") == 0;
	buf_printf(&sel, " FROM %s", t->name);
	if (keyset) {
		buf_adds(&sel, " WHERE id > CAST($1 AS BIGINT) ORDER BY id");
	} else {
		buf_adds(&sel, " ORDER BY ");
		if (t->npk)
			for (int k = 0; k < t->npk; k++)
				buf_printf(&sel, "%s%s", k ? ", " : "", t->pk[k]);
		else
			for (int c = 0; c < t->ncols; c++)
				buf_printf(&sel, "%s%d", c ? ", " : "", c + 1);
		buf_adds(&sel, " LIMIT CAST($2 AS BIGINT) OFFSET CAST($1 AS BIGINT)");
	}
	if (keyset)
		buf_adds(&sel, " LIMIT CAST($2 AS BIGINT)");
	int id_col = -1;
	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c], "id") == 0)
			id_col = c;
	int rc = 0;
	long long after = 0, off = 0;
	char page[16];
	snprintf(page, sizeof page, "%d", PAGE);
	for (;;) {
		arena_free(a);
		a = arena_new();
		db_rows r;
		const char *pos = db_int(a, keyset ? after : off);
		rc = db_query(src, a, &r, sel.data, DB_P(pos, page));
		if (rc < 0) {
			rc = fail(err, errlen, t->name, src);
			break;
		}
		int i = 0;
		for (; i + per <= r.nrows && rc >= 0; i += per) { /* whole batches, one statement each */
			rc = db_exec(dst, multi.data, per * t->ncols, r.cells + (size_t)i * (size_t)r.ncols);
			if (rc < 0)
				rc = fail(err, errlen, t->name, dst);
		}
		for (; i < r.nrows && rc >= 0; i++) {
			rc = db_exec(dst, ins.data, t->ncols, r.cells + (size_t)i * (size_t)r.ncols);
			if (rc < 0)
				rc = fail(err, errlen, t->name, dst);
		}
		if (rc < 0)
			break;
		t->rows += r.nrows;
		if (r.nrows < PAGE)
			break;
		if (keyset)
			after = db_ll(&r, r.nrows - 1, id_col);
		else
			off += r.nrows;
	}
	buf_free(&sel);
	buf_free(&ins);
	buf_free(&multi);
	arena_free(a);
	return rc < 0 ? rc : 0;
}

static long long count_rows(db *d, arena *a, const char *t)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", t);
	db_rows r;
	return db_query(d, a, &r, sql, DB_NOP) < 0 ? -1 : db_ll(&r, 0, 0);
}

int db_copy(db *src, db *dst, void (*report)(const char *table, long long src_rows, long long dst_rows),
	    char *err, size_t errlen)
{
	arena *a = arena_new();
	int rc = CLR_EDB;
	db_rows r;
	int pending = db_migrations_pending(src);
	if (pending != 0) {
		if (pending > 0)
			snprintf(err, errlen, "la base source a %d migration(s) en attente : lancez d'abord clr migrate sur elle",
				 pending);
		else
			fail(err, errlen, "lecture de la base source", src);
		goto out;
	}
	if (db_query(dst, a, &r,
		     "SELECT (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM users)", DB_NOP) < 0) {
		fail(err, errlen, "lecture de la base cible", dst);
		goto out;
	}
	if (db_ll(&r, 0, 0) > 0) {
		snprintf(err, errlen, "la base cible n'est pas vide (elle a des organisations ou des comptes) : "
				      "copiez dans une base neuve");
		rc = CLR_ECONFLICT;
		goto out;
	}
	/* the target's tables and what they reference */
	if (list_tables(dst, a, &r) < 0) {
		fail(err, errlen, "tables de la base cible", dst);
		goto out;
	}
	struct table ts[MAX_TABLES];
	int nt = 0;
	for (int i = 0; i < r.nrows && nt < MAX_TABLES; i++) {
		const char *name = db_cell(&r, i, 0);
		if (!ident_ok(name)) {
			snprintf(err, errlen, "nom de table inattendu : %s", name ? name : "(null)");
			goto out;
		}
		if (strcmp(name, "schema_migrations") == 0 || strcmp(name, "org_versions") == 0)
			continue;
		struct table *t = &ts[nt++];
		memset(t, 0, sizeof *t);
		t->name = name;
		db_rows c;
		if (columns_of(dst, a, name, &c) < 0) {
			fail(err, errlen, name, dst);
			goto out;
		}
		t->cols = column(a, &c, &t->ncols);
		db_rows sc;
		if (columns_of(src, a, name, &sc) < 0) {
			fail(err, errlen, name, src);
			goto out;
		}
		if (sc.nrows != c.nrows) {
			snprintf(err, errlen, "la table %s n'a pas les mêmes colonnes dans les deux bases (%d et %d) : "
					      "les deux doivent être migrées par cette version de clr",
				 name, sc.nrows, c.nrows);
			goto out;
		}
		for (int k = 0; k < t->ncols; k++)
			if (!ident_ok(t->cols[k])) {
				snprintf(err, errlen, "nom de colonne inattendu : %s.%s", name, t->cols[k]);
				goto out;
			}
		db_rows p;
		if (pk_of(dst, a, name, &p) < 0) {
			fail(err, errlen, name, dst);
			goto out;
		}
		t->pk = column(a, &p, &t->npk);
		db_rows dp;
		if (deps_of(dst, a, name, &dp) < 0) {
			fail(err, errlen, name, dst);
			goto out;
		}
		t->deps = column(a, &dp, &t->ndeps);
	}
	/* parents first; derived tables last */
	int order[MAX_TABLES], no = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int progress = 1; progress;) {
			progress = 0;
			for (int i = 0; i < nt; i++) {
				struct table *t = &ts[i];
				if (t->done || is_derived(t->name) != pass)
					continue;
				int ready = 1;
				for (int k = 0; k < t->ndeps && ready; k++)
					for (int j = 0; j < nt; j++)
						if (j != i && !ts[j].done && strcmp(ts[j].name, t->deps[k]) == 0)
							ready = 0;
				if (ready) {
					t->done = 1;
					order[no++] = i;
					progress = 1;
				}
			}
		}
	if (no != nt) {
		snprintf(err, errlen, "les clés étrangères des tables forment un cycle : copie impossible");
		goto out;
	}

	/* one snapshot of the source */
	if (db_kind(src) == DB_PG) {
		if (db_begin(src) < 0 ||
		    db_exec(src, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", DB_NOP) < 0) {
			fail(err, errlen, "lecture de la base source", src);
			goto out;
		}
	} else {
		db_read_begin(src);
	}
	if (db_begin(dst) < 0) {
		fail(err, errlen, "transaction sur la base cible", dst);
		goto out_src;
	}
	char sql[160];
	for (int i = no - 1; i >= 0; i--) { /* children first */
		snprintf(sql, sizeof sql, "DELETE FROM %s", ts[order[i]].name);
		if (db_exec(dst, sql, DB_NOP) < 0) {
			fail(err, errlen, ts[order[i]].name, dst);
			goto out_dst;
		}
	}
	for (int i = 0; i < no; i++) {
		struct table *t = &ts[order[i]];
		if (is_derived(t->name)) { /* what the triggers wrote goes: the source's rows come */
			snprintf(sql, sizeof sql, "DELETE FROM %s", t->name);
			if (db_exec(dst, sql, DB_NOP) < 0) {
				fail(err, errlen, t->name, dst);
				goto out_dst;
			}
		}
		if (copy_table(src, dst, t, err, errlen) < 0)
			goto out_dst;
	}
	if (db_kind(dst) == DB_PG)
		for (int i = 0; i < no; i++) {
			struct table *t = &ts[order[i]];
			int has_id = 0;
			for (int c = 0; c < t->ncols; c++)
				has_id |= strcmp(t->cols[c], "id") == 0;
			if (!has_id)
				continue;
			snprintf(sql, sizeof sql,
				 "SELECT setval(s, COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false) "
				 "FROM pg_get_serial_sequence($1, 'id') AS s WHERE s IS NOT NULL",
				 t->name);
			db_rows sr;
			if (db_query(dst, a, &sr, sql, DB_P(t->name)) < 0) {
				fail(err, errlen, t->name, dst);
				goto out_dst;
			}
		}
	if (db_commit(dst) < 0) {
		fail(err, errlen, "validation de la copie", dst);
		goto out_dst;
	}
	rc = 0;
	for (int i = 0; i < no && report; i++) {
		struct table *t = &ts[order[i]];
		long long n = count_rows(dst, a, t->name);
		report(t->name, t->rows, n);
		if (n != t->rows) {
			snprintf(err, errlen, "la table %s compte %lld lignes dans la copie au lieu de %lld", t->name, n,
				 t->rows);
			rc = CLR_EDB;
		}
	}
	goto out_src;
out_dst:
	db_rollback(dst);
out_src:
	if (db_kind(src) == DB_PG)
		db_rollback(src);
	else
		db_read_end(src);
out:
	arena_free(a);
	return rc;
}
