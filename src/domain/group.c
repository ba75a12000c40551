/* group.c - groups of candidates: validation (name unique per organisation
 * without regard to case and accents, one of four categories), storage,
 * list with member counts, association and removal of candidates in one
 * transaction, and a candidate's groups.  Every statement is scoped by the
 * actor's organisation; every change writes an audit row in the same
 * transaction.
 *
 * The candidates associated or removed (ticked, or every one matching the
 * list's filters) are gathered by cand_selection.h, then one statement
 * acts on them all. */
#include "domain/group.h"
#include "domain/cand_selection.h"
#include "domain/place.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include <stdlib.h>
#include <string.h>


const struct group_category group_categories[] = {
	{"client", "Client", "les candidats proviennent d'un même client (pour les partenaires agréés)."},
	{"classe", "Classe",
	 "les candidats appartiennent à une même classe (pour les établissements d'enseignement agréés par exemple)."},
	{"session", "Session d'examen",
	 "les candidats sont regroupés par session d'examen, quelle que soit leur provenance."},
	{"autre", "Autre", "si aucune des catégories précédentes ne convient."},
	{NULL, NULL, NULL},
};

const struct group_category *group_category_find(const char *code)
{
	for (const struct group_category *c = group_categories; code && c->code; c++)
		if (strcmp(c->code, code) == 0)
			return c;
	return NULL;
}

static const char *s0(const char *s)
{
	return s ? s : "";
}

/* Validates name and category; *name / *folded / *cat receive the clean
 * values.  self: the group being edited (0 for a new one). */
static int validate(db *d, arena *a, long long org_id, long long self, const char **name, const char **folded,
		    const char **cat, struct errs *e)
{
	const char *n = str_clean(a, *name);
	*folded = "";
	if (!n) {
		errs_add(e, "name", "Caractères invalides.");
	} else if (!*n || !*(*folded = text_fold(a, n))) {
		errs_add(e, "name", "Veuillez indiquer le nom du groupe.");
	} else if (utf8_len(n) > GROUP_NAME_MAX) {
		errs_add(e, "name", "Le nom du groupe ne peut dépasser 100 caractères.");
	} else {
		db_rows r;
		int rc = db_query(d, a, &r, "SELECT id FROM groups WHERE org_id = $1 AND name_folded = $2 AND id <> $3",
				  DB_P(db_int(a, org_id), *folded, db_int(a, self)));
		if (rc < 0)
			return rc;
		if (r.nrows)
			errs_add(e, "name", "Ce nom de groupe existe déjà.");
	}
	*name = n ? n : "";
	const char *c = str_clean(a, *cat);
	if (!c || !*c)
		errs_add(e, "category", "Veuillez choisir une catégorie.");
	else if (!group_category_find(c))
		errs_add(e, "category", "Catégorie invalide : choisissez dans la liste.");
	*cat = c ? c : "";
	return e->n ? CLR_EINVAL : 0;
}

/* ------------------------------------------------------------ create, update, delete */

struct save_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	const char *name, *category;
	struct errs *e;
};

static int create_tx(db *d, void *vctx)
{
	struct save_ctx *c = vctx;
	arena *a = c->a;
	const char *folded;
	int rc = validate(d, a, c->who->org_id, 0, &c->name, &folded, &c->category, c->e);
	if (rc)
		return rc;
	const char *now = db_int(a, now_s());
	db_rows r;
	rc = db_query(d, a, &r,
		      "INSERT INTO groups (org_id, name, name_folded, category, created_at, updated_at) "
		      "VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
		      DB_P(db_int(a, c->who->org_id), c->name, folded, c->category, now));
	if (rc < 0)
		return rc;
	c->id = db_ll(&r, 0, 0);
	rc = audit_log(d, a, c->who, "group.create", "group", c->id,
		       arena_printf(a, "%s (%s)", c->name, c->category));
	return rc < 0 ? rc : 0;
}

int group_create(db *d, arena *a, const struct actor *who, const char *name, const char *category, struct errs *e,
		 long long *id_out)
{
	struct save_ctx c = {a, who, 0, name, category, e};
	int rc = db_tx(d, create_tx, &c);
	if (rc == CLR_ECONFLICT) { /* created meanwhile by someone else */
		errs_add(e, "name", "Ce nom de groupe existe déjà.");
		return CLR_EINVAL;
	}
	if (rc == 0 && id_out)
		*id_out = c.id;
	return rc;
}

static int update_tx(db *d, void *vctx)
{
	struct save_ctx *c = vctx;
	arena *a = c->a;
	struct group g;
	int rc = group_get(d, a, c->who->org_id, c->id, &g);
	if (rc)
		return rc;
	const char *folded;
	rc = validate(d, a, c->who->org_id, c->id, &c->name, &folded, &c->category, c->e);
	if (rc)
		return rc;
	rc = db_exec(d,
		     "UPDATE groups SET name = $3, name_folded = $4, category = $5, updated_at = $6 "
		     "WHERE id = $1 AND org_id = $2",
		     DB_P(db_int(a, c->id), db_int(a, c->who->org_id), c->name, folded, c->category,
			  db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = audit_log(d, a, c->who, "group.update", "group", c->id,
		       arena_printf(a, "%s (%s) -> %s (%s)", g.name, g.category, c->name, c->category));
	return rc < 0 ? rc : 0;
}

int group_update(db *d, arena *a, const struct actor *who, long long id, const char *name, const char *category,
		 struct errs *e)
{
	struct save_ctx c = {a, who, id, name, category, e};
	int rc = db_tx(d, update_tx, &c);
	if (rc == CLR_ECONFLICT) {
		errs_add(e, "name", "Ce nom de groupe existe déjà.");
		return CLR_EINVAL;
	}
	return rc;
}

static int delete_tx(db *d, void *vctx)
{
	struct save_ctx *c = vctx;
	arena *a = c->a;
	struct group g;
	int rc = group_get(d, a, c->who->org_id, c->id, &g);
	if (rc)
		return rc;
	const char *id = db_int(a, c->id), *org = db_int(a, c->who->org_id);
	/* explicit, although the foreign key cascades too */
	rc = db_exec(d, "DELETE FROM group_members WHERE group_id = $1 AND org_id = $2", DB_P(id, org));
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM groups WHERE id = $1 AND org_id = $2", DB_P(id, org));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = audit_log(d, a, c->who, "group.delete", "group", c->id,
		       arena_printf(a, "%s (%lld candidat(s))", g.name, g.members));
	return rc < 0 ? rc : 0;
}

int group_delete(db *d, arena *a, const struct actor *who, long long id)
{
	struct save_ctx c = {a, who, id, NULL, NULL, NULL};
	return db_tx(d, delete_tx, &c);
}

/* ------------------------------------------------------------ read */

#define GROUP_COLS                                                                                  \
	"g.id, g.org_id, g.name, g.category, g.created_at, g.updated_at, "                          \
	"(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id)"

static void fill(const db_rows *r, int i, struct group *g)
{
	g->id = db_ll(r, i, 0);
	g->org_id = db_ll(r, i, 1);
	g->name = s0(db_cell(r, i, 2));
	g->category = s0(db_cell(r, i, 3));
	g->created_at = db_ll(r, i, 4);
	g->updated_at = db_ll(r, i, 5);
	g->members = db_ll(r, i, 6);
}

int group_get(db *d, arena *a, long long org_id, long long id, struct group *out)
{
	memset(out, 0, sizeof *out);
	if (id <= 0)
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT " GROUP_COLS " FROM groups g WHERE g.id = $1 AND g.org_id = $2",
			  DB_P(db_int(a, id), db_int(a, org_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	fill(&r, 0, out);
	return 0;
}

int group_list(db *d, arena *a, long long org_id, const struct group_query *q, struct group **out, int *n)
{
	*out = NULL;
	*n = 0;
	const char *params[3];
	int np = 0;
	buf sql = BUF_INIT;
	params[np++] = db_int(a, org_id);
	buf_adds(&sql, "SELECT " GROUP_COLS " FROM groups g WHERE g.org_id = $1");
	const char *folded = q ? text_fold(a, q->q) : "";
	if (*folded) {
		params[np++] = like_contains(a, folded);
		buf_printf(&sql, " AND g.name_folded LIKE $%d ESCAPE '\\'", np);
	}
	if (q && !str_empty(q->category)) {
		params[np++] = q->category;
		buf_printf(&sql, " AND g.category = $%d", np);
	}
	buf_adds(&sql, " ORDER BY g.name_folded, g.id");
	db_rows r;
	int rc = db_query(d, a, &r, sql.data, np, params);
	buf_free(&sql);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		fill(&r, i, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

void group_names_stmt(struct db_stmt *st, arena *a, long long org_id)
{
	const char **p = arena_alloc(a, sizeof *p);
	p[0] = db_int(a, org_id);
	*st = (struct db_stmt){"SELECT id, name FROM groups WHERE org_id = $1 ORDER BY name_folded, id", 1, p, NULL, 0, org_id};
}

int group_names(db *d, arena *a, long long org_id, struct group **out, int *n)
{
	db_rows r;
	struct db_stmt st;
	group_names_stmt(&st, a, org_id);
	int rc = db_query_stmt(d, a, &r, &st);
	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++) {
		(*out)[i].id = db_ll(&r, i, 0);
		(*out)[i].org_id = org_id;
		(*out)[i].name = s0(db_cell(&r, i, 1));
		(*out)[i].category = "";
	}
	*n = r.nrows;
	return 0;
}

void group_count_stmt(struct db_stmt *st, arena *a, long long org_id)
{
	const char **p = arena_alloc(a, sizeof *p);
	p[0] = db_int(a, org_id);
	*st = (struct db_stmt){"SELECT COUNT(*) FROM groups WHERE org_id = $1", 1, p, NULL, 0, org_id};
}

int group_count(db *d, arena *a, long long org_id, long long *n)
{
	db_rows r;
	struct db_stmt st;
	group_count_stmt(&st, a, org_id);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	*n = db_ll(&r, 0, 0);
	return 0;
}

void group_choices_stmt(struct db_stmt *st, arena *a, long long org_id, long long cid)
{
	const char **p = arena_alloc(a, sizeof *p * 2);
	p[0] = db_int(a, org_id);
	p[1] = db_int(a, cid);
	*st = (struct db_stmt){"SELECT g.id, g.org_id, g.name, g.category, g.created_at, g.updated_at, 0, "
			       "CASE WHEN EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id "
			       "AND m.candidate_id = $2 AND m.org_id = $1) THEN 1 ELSE 0 END "
			       "FROM groups g WHERE g.org_id = $1 ORDER BY g.name_folded, g.id",
			       2, p, NULL, 0, 0};
}

int group_choices(db *d, arena *a, long long org_id, long long cid, struct group **out, int *n)
{
	*out = NULL;
	*n = 0;
	db_rows r;
	struct db_stmt st;
	group_choices_stmt(&st, a, org_id, cid);
	int rc = db_query_stmt(d, a, &r, &st);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++) {
		fill(&r, i, &(*out)[i]);
		(*out)[i].chosen = db_ll(&r, i, 7) != 0;
	}
	*n = r.nrows;
	return 0;
}

/* ------------------------------------------------------------ members */

struct members_ctx {
	arena *a;
	const struct actor *who;
	long long gid;
	struct cand_selection sel;
	int add; /* else remove */
	long long changed;
};

static int own_group(db *d, arena *a, const struct actor *who, long long gid)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT id FROM groups WHERE id = $1 AND org_id = $2",
			  DB_P(db_int(a, gid), db_int(a, who->org_id)));
	if (rc < 0)
		return rc;
	return r.nrows ? 0 : CLR_ENOTFOUND;
}

static int members_tx(db *d, void *vctx)
{
	struct members_ctx *c = vctx;
	arena *a = c->a;
	long long chosen;
	c->changed = 0;
	int rc = own_group(d, a, c->who, c->gid);
	if (rc == 0)
		rc = cand_selection_fill(d, a, c->who->org_id, &c->sel, &chosen);
	if (rc)
		return rc;
	const char *gid = db_int(a, c->gid), *org = db_int(a, c->who->org_id);
	rc = c->add ? db_exec(d,
			      "INSERT INTO group_members (group_id, candidate_id, org_id, added_at) "
			      "SELECT CAST($1 AS BIGINT), id, CAST($2 AS BIGINT), CAST($3 AS BIGINT) FROM cand_selection WHERE true "
			      "ON CONFLICT (group_id, candidate_id) DO NOTHING",
			      DB_P(gid, org, db_int(a, now_s())))
		    : db_exec(d,
			      "DELETE FROM group_members WHERE group_id = $1 AND org_id = $2 "
			      "AND candidate_id IN (SELECT id FROM cand_selection)",
			      DB_P(gid, org));
	if (rc < 0)
		return rc;
	c->changed = rc;
	const struct candidate_query *q = c->sel.all;
	const char *which = q ? arena_printf(a, "tous les candidats correspondants (recherche « %s », statut « %s », "
						"groupe %lld)", s0(q->q), s0(q->status), q->group_id)
			      : arena_printf(a, "%lld candidat(s) choisi(s)", chosen);
	rc = audit_log(d, a, c->who, c->add ? "group.members.add" : "group.members.remove", "group", c->gid,
		       arena_printf(a, "%s, %lld %s", which, c->changed, c->add ? "ajouté(s)" : "retiré(s)"));
	return rc < 0 ? rc : 0;
}

static int members_run(db *d, arena *a, const struct actor *who, long long gid, struct cand_selection sel, int add,
		       long long *changed)
{
	struct members_ctx c = {a, who, gid, sel, add, 0};
	int rc = db_tx(d, members_tx, &c);
	if (rc == 0 && changed)
		*changed = c.changed;
	return rc;
}

int group_add_members(db *d, arena *a, const struct actor *who, long long gid, const long long *ids, int n,
		      long long *added)
{
	return members_run(d, a, who, gid, (struct cand_selection){ids, n, NULL}, 1, added);
}

int group_add_matching(db *d, arena *a, const struct actor *who, long long gid, const struct candidate_query *q,
		       long long *added)
{
	return members_run(d, a, who, gid, (struct cand_selection){NULL, 0, q}, 1, added);
}

int group_remove_members(db *d, arena *a, const struct actor *who, long long gid, const long long *ids, int n,
			 long long *removed)
{
	return members_run(d, a, who, gid, (struct cand_selection){ids, n, NULL}, 0, removed);
}

/* ------------------------------------------------------------ a candidate's groups */

struct cand_ctx {
	arena *a;
	const struct actor *who;
	long long cid;
	const long long *gids; /* sorted, unique */
	int n;
};

static int in_sorted(const long long *v, int n, long long x)
{
	for (int lo = 0, hi = n - 1; lo <= hi;) {
		int mid = lo + (hi - lo) / 2;
		if (v[mid] == x)
			return 1;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

static int set_tx(db *d, void *vctx)
{
	struct cand_ctx *c = vctx;
	arena *a = c->a;
	const char *org = db_int(a, c->who->org_id), *cid = db_int(a, c->cid);
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT id FROM candidates WHERE id = $1 AND org_id = $2", DB_P(cid, org));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	/* every group asked for must be the organisation's */
	for (int i = 0; i < c->n; i++)
		if ((rc = own_group(d, a, c->who, c->gids[i])) != 0)
			return rc;
	rc = db_query(d, a, &r, "SELECT group_id FROM group_members WHERE candidate_id = $1 AND org_id = $2 ORDER BY group_id",
		      DB_P(cid, org));
	if (rc < 0)
		return rc;
	long long *cur = arena_alloc(a, sizeof *cur * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		cur[i] = db_ll(&r, i, 0);
	buf added = BUF_INIT, removed = BUF_INIT;
	const char *now = db_int(a, now_s());
	for (int i = 0; i < r.nrows && rc >= 0; i++)
		if (!in_sorted(c->gids, c->n, cur[i])) {
			rc = db_exec(d, "DELETE FROM group_members WHERE group_id = $1 AND candidate_id = $2 AND org_id = $3",
				     DB_P(db_int(a, cur[i]), cid, org));
			buf_printf(&removed, "%s%lld", removed.len ? "," : "", cur[i]);
		}
	for (int i = 0; i < c->n && rc >= 0; i++)
		if (!in_sorted(cur, r.nrows, c->gids[i])) {
			rc = db_exec(d,
				     "INSERT INTO group_members (group_id, candidate_id, org_id, added_at) "
				     "VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, candidate_id) DO NOTHING",
				     DB_P(db_int(a, c->gids[i]), cid, org, now));
			buf_printf(&added, "%s%lld", added.len ? "," : "", c->gids[i]);
		}
	if (rc >= 0 && (added.len || removed.len))
		rc = audit_log(d, a, c->who, "candidate.groups", "candidate", c->cid,
			       arena_printf(a, "ajouté aux groupes [%s], retiré des groupes [%s]", added.data, removed.data));
	buf_free(&added);
	buf_free(&removed);
	return rc < 0 ? rc : 0;
}

int group_set_for_candidate(db *d, arena *a, const struct actor *who, long long cid, const long long *gids, int n)
{
	struct cand_ctx c = {a, who, cid, NULL, 0};
	long long *u;
	int rc = ids_unique(a, gids, n, &u, &c.n);
	if (rc)
		return rc;
	c.gids = u;
	return db_tx(d, set_tx, &c);
}
