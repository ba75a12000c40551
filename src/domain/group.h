/* group.h - the organisation's groups of candidates (« Groupes », issue 5).
 *
 * A group has a name, unique within the organisation without regard to case
 * and accents (compared through text_fold(), the candidates' search
 * folding), and one of four categories (group_categories).  Candidates are
 * associated with groups (a candidate may be in several; associating one
 * already there is harmless) and removed from them; deleting a group keeps
 * its candidates, deleting a candidate removes its memberships (cascade).
 *
 * Tenant rule: the organisation is always who->org_id (or the org_id
 * argument, taken by callers from the session).  Another organisation's
 * group, or a candidate id that is not one of the organisation's, is
 * CLR_ENOTFOUND and nothing is changed.  Every change writes an audit row
 * in the same transaction; association of many candidates (explicit ids or
 * every candidate matching the list's filters) is one transaction.
 * Results are arena-owned.
 */
#ifndef CLR_GROUP_H
#define CLR_GROUP_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/candidate.h"

#define GROUP_NAME_MAX 100

struct group_category {
	const char *code;  /* stored: client, classe, session, autre */
	const char *label; /* « Client », « Classe », « Session d'examen », « Autre » */
	const char *help;  /* the seed's sentence */
};
extern const struct group_category group_categories[]; /* ends with {NULL} */
const struct group_category *group_category_find(const char *code);

struct group {
	long long id, org_id;
	const char *name, *category;
	long long members; /* number of candidates (not set by group_choices()) */
	long long created_at, updated_at;
	int chosen;	   /* group_choices(): the candidate is in it */
};

/* Fields "name" and "category": French messages in e, CLR_EINVAL. */
int group_create(db *d, arena *a, const struct actor *who, const char *name, const char *category, struct errs *e,
		 long long *id_out);
/* Rename and/or change category.  CLR_EINVAL (e), CLR_ENOTFOUND. */
int group_update(db *d, arena *a, const struct actor *who, long long id, const char *name, const char *category,
		 struct errs *e);
/* Deletes the group and its memberships; the candidates stay. */
int group_delete(db *d, arena *a, const struct actor *who, long long id);

int group_get(db *d, arena *a, long long org_id, long long id, struct group *out);
struct group_query {
	const char *q;        /* part of the name, folded here; NULL/"" = all */
	const char *category; /* code; NULL/"" = every category */
};
/* By folded name. */
int group_list(db *d, arena *a, long long org_id, const struct group_query *q, struct group **out, int *n);
/* Every group of org_id in group_list()'s order, with only id and name set
 * (a <select> of groups: no member counts to compute). */
/* Its statement, for db_prefetch() (db.h). */
void group_names_stmt(struct db_stmt *st, arena *a, long long org_id);
int group_names(db *d, arena *a, long long org_id, struct group **out, int *n);
/* Its statement, for db_prefetch() (db.h). */
void group_count_stmt(struct db_stmt *st, arena *a, long long org_id);
int group_count(db *d, arena *a, long long org_id, long long *n);

/* Associates the candidates ids[0..n) (duplicates allowed) with group
 * gid.  Every id must be one of who->org_id's candidates, else
 * CLR_ENOTFOUND and nothing changes.  *added: rows actually inserted
 * (those already in the group are left alone).  May be NULL. */
int group_add_members(db *d, arena *a, const struct actor *who, long long gid, const long long *ids, int n,
		      long long *added);
/* Associates every candidate of who->org_id matching q's filters (q,
 * status, group_id; sort and page ignored) in one INSERT ... SELECT. */
int group_add_matching(db *d, arena *a, const struct actor *who, long long gid, const struct candidate_query *q,
		       long long *added);
/* Removes the candidates ids[0..n) from group gid (ids must be the
 * organisation's candidates, else CLR_ENOTFOUND).  *removed may be NULL. */
int group_remove_members(db *d, arena *a, const struct actor *who, long long gid, const long long *ids, int n,
			 long long *removed);

/* Every group of the organisation (by name), each with whether candidate
 * CID is in it (->chosen), in one statement and without counting members:
 * the candidate page's « Groupes ».  CID is one of the organisation's
 * candidates (the caller has read it); memberships are read within ORG_ID
 * only. */
/* Its statement, for db_prefetch() (db.h). */
void group_choices_stmt(struct db_stmt *st, arena *a, long long org_id, long long cid);
int group_choices(db *d, arena *a, long long org_id, long long cid, struct group **out, int *n);
/* Makes gids[0..n) exactly the groups of candidate cid.  Every group must
 * be the organisation's (else CLR_ENOTFOUND, nothing changed). */
int group_set_for_candidate(db *d, arena *a, const struct actor *who, long long cid, const long long *gids, int n);

#endif
