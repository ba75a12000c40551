/* org.c - partner organisations: creation, lookup, listing (see org.h). */
#include "domain/org.h"
#include "core/err.h"
#include "domain/audit.h"
#include "core/text.h"
#include <stdlib.h>
#include <string.h>

#define ORG_COLS                                                                                                  \
	"o.id, o.name, o.created_at, "                                                                             \
	"(SELECT u.name FROM users u WHERE u.org_id = o.id AND u.role = 'admin' ORDER BY u.id LIMIT 1), "         \
	"(SELECT u.email FROM users u WHERE u.org_id = o.id AND u.role = 'admin' ORDER BY u.id LIMIT 1), "        \
	"(SELECT u.phone FROM users u WHERE u.org_id = o.id AND u.role = 'admin' ORDER BY u.id LIMIT 1), " \
	"(SELECT u.id FROM users u WHERE u.org_id = o.id AND u.role = 'admin' ORDER BY u.id LIMIT 1) "

static void fill(const db_rows *r, int i, struct org *o)
{
	o->id = db_ll(r, i, 0);
	o->name = db_cell(r, i, 1);
	o->created_at = db_ll(r, i, 2);
	o->admin_name = db_cell(r, i, 3) ? db_cell(r, i, 3) : "";
	o->admin_email = db_cell(r, i, 4) ? db_cell(r, i, 4) : "";
	o->admin_phone = db_cell(r, i, 5) ? db_cell(r, i, 5) : "";
	o->admin_id = db_ll(r, i, 6);
}

int org_by_name(db *d, arena *a, const char *name, long long *id_out)
{
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT id FROM organisations WHERE name = $1",
			  DB_P(str_trim(a, name ? name : "", 1)));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		return CLR_ENOTFOUND;
	*id_out = db_ll(&rows, 0, 0);
	return 0;
}

int org_get(db *d, arena *a, long long id, struct org *out)
{
	memset(out, 0, sizeof *out);
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT " ORG_COLS "FROM organisations o WHERE o.id = $1", DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!rows.nrows)
		return CLR_ENOTFOUND;
	fill(&rows, 0, out);
	return 0;
}

int org_list(db *d, arena *a, struct org **out, int *n)
{
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT " ORG_COLS "FROM organisations o ORDER BY o.name, o.id", DB_NOP);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(rows.nrows + 1));
	for (int i = 0; i < rows.nrows; i++)
		fill(&rows, i, &(*out)[i]);
	*n = rows.nrows;
	return 0;
}

int org_ensure(db *d, arena *a, const char *name_in, long long *id_out, int *created)
{
	const char *name = str_trim(a, name_in, 1);
	*created = 0;
	if (!*name || utf8_len(name) > 200 || !utf8_valid(name, strlen(name)))
		return CLR_EINVAL;
	db_rows rows;
	int rc = db_query(d, a, &rows, "SELECT id FROM organisations WHERE name = $1", DB_P(name));
	if (rc < 0)
		return rc;
	if (rows.nrows) {
		*id_out = db_ll(&rows, 0, 0);
		return 0;
	}
	rc = db_query(d, a, &rows, "INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id",
		      DB_P(name, db_int(a, now_s())));
	if (rc < 0)
		return rc;
	*id_out = db_ll(&rows, 0, 0);
	*created = 1;
	struct actor who = {0, *id_out, ""};
	return audit_log(d, a, &who, "org.create", "organisation", *id_out, name);
}
