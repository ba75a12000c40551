/* cand_privacy.c - the candidate's copy of their data, the erasure request
 * and the erasure (cand_privacy.h). */
#include "domain/cand_privacy.h"
#include "domain/candidate.h"
#include "domain/certification.h"
#include "core/err.h"
#include "core/text.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int cand_data_json(db *d, arena *a, long long org_id, long long candidate_id, buf *out)
{
	struct candidate c;
	int rc = candidate_get(d, a, org_id, candidate_id, &c);
	if (rc)
		return rc;
	struct certification *cs;
	int n;
	struct cert_filter f = {.candidate_id = candidate_id};
	if ((rc = certification_list(d, a, org_id, &f, &cs, &n)))
		return rc;
	json_t *root = json_object(), *fields = json_object(), *certs = json_array();
	for (int i = 0; i < CAND_NFIELDS; i++) {
		const struct cand_field *fl = &cand_fields[i];
		if (!cand_field_stored(fl) || fl->kind == CK_PASSWORD || !c.v[i])
			continue;
		json_object_set_new(fields, fl->name, json_string(c.v[i]));
	}
	json_object_set_new(root, "candidat", fields);
	json_object_set_new(root, "statut", json_string(c.status));
	json_object_set_new(root, "cree_le", json_integer(c.created_at));
	json_object_set_new(root, "modifie_le", json_integer(c.updated_at));
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "reference", json_string(certification_reference(a, cs[i].id, cs[i].assigned_at)));
		json_object_set_new(o, "modalite", json_string(certification_mode_label(cs[i].mode)));
		json_object_set_new(o, "date", json_string(cs[i].exam_date ? cs[i].exam_date : ""));
		json_object_set_new(o, "heure", json_string(cs[i].exam_time ? cs[i].exam_time : ""));
		json_object_set_new(o, "lieu", json_string(cs[i].place ? cs[i].place : ""));
		json_object_set_new(o, "etat", json_string(certification_state_label(cs[i].state)));
		json_object_set_new(o, "score", cs[i].score >= 0 ? json_integer(cs[i].score) : json_null());
		json_array_append_new(certs, o);
	}
	json_object_set_new(root, "certifications", certs);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s)
		return CLR_ESYS;
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	return 0;
}

int cand_erasure_request(db *d, arena *a, long long org_id, long long candidate_id, const char *ip)
{
	int rc = db_begin(d);
	if (rc)
		return rc;
	rc = db_exec(d,
		     "UPDATE candidates SET erasure_requested_at = $1 WHERE id = $2 AND org_id = $3 "
		     "AND erasure_requested_at IS NULL AND erased_at IS NULL",
		     DB_P(db_int(a, now_s()), db_int(a, candidate_id), db_int(a, org_id)));
	struct actor who = {0, org_id, ip ? ip : ""};
	if (rc > 0)
		rc = audit_log(d, a, &who, "candidate.erasure_request", "candidate", candidate_id, "");
	if (rc < 0) {
		db_rollback(d);
		return rc;
	}
	return db_commit(d);
}

/* The fields erasure keeps: what an issued certificate shows. */
static int kept(const char *name)
{
	return str_eq(name, "last_name") || str_eq(name, "first_name") || str_eq(name, "birth_date");
}

struct erase_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	struct errs *e;
};

static int erase_tx(db *d, void *vctx)
{
	struct erase_ctx *c = vctx;
	arena *a = c->a;
	const char *id = db_int(a, c->id), *org = db_int(a, c->who->org_id);
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT email, last_name, first_name, erased_at, (SELECT COUNT(*) FROM certifications x "
			  "WHERE x.candidate_id = candidates.id AND x.state = 'planned') FROM candidates "
			  "WHERE id = $1 AND org_id = $2",
			  DB_P(id, org));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	if (db_cell(&r, 0, 3)) {
		errs_add(c->e, "", "Les données personnelles de ce candidat ont déjà été effacées.");
		return CLR_EINVAL;
	}
	if (db_ll(&r, 0, 4) > 0) {
		errs_add(c->e, "", "Ce candidat a une certification prévue : annulez-la avant d'effacer ses données.");
		return CLR_EINVAL;
	}
	const char *email = db_cell(&r, 0, 0);
	const char *gone = arena_printf(a, "efface-%lld@invalid", c->id);
	/* every field of the record but those kept: "" (the e-mail: unique) */
	buf sql = BUF_INIT;
	buf_adds(&sql, "UPDATE candidates SET password_hash = '', password_by = '', send_credentials = 0, "
		       "email = $3, search = $4, erased_at = $5, updated_at = $5");
	for (int i = 0; i < CAND_NFIELDS; i++) {
		const struct cand_field *f = &cand_fields[i];
		if (!cand_field_stored(f) || kept(f->name) || str_eq(f->name, "email") || (f->flags & CF_BOOL))
			continue;
		buf_printf(&sql, ", %s = ''", f->name);
	}
	buf_adds(&sql, " WHERE id = $1 AND org_id = $2");
	rc = db_exec(d, sql.data,
		     DB_P(id, org, gone, candidate_search_text(a, db_cell(&r, 0, 1), db_cell(&r, 0, 2), "", ""),
			  db_int(a, now_s())));
	buf_free(&sql);
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM candidate_sessions WHERE candidate_id = $1", DB_P(id));
	if (rc >= 0)
		rc = db_exec(d, "DELETE FROM candidate_tokens WHERE candidate_id = $1", DB_P(id));
	if (rc >= 0) /* the messages sent to them: their address, name, places */
		rc = db_exec(d, "DELETE FROM outbox WHERE org_id = $1 AND recipient = $2 AND status IN ('sent', 'failed')",
			     DB_P(org, email));
	if (rc >= 0)
		rc = db_exec(d, "UPDATE audit_log SET detail = '' WHERE object_type = 'candidate' AND object_id = $1",
			     DB_P(id));
	if (rc >= 0)
		rc = audit_log(d, a, c->who, "candidate.erase", "candidate", c->id,
			       "données personnelles effacées ; conservés : nom, prénom, date de naissance, scores, "
			       "codes de vérification");
	return rc < 0 ? rc : 0;
}

int cand_erase(db *d, arena *a, const struct actor *who, long long candidate_id, struct errs *e)
{
	struct erase_ctx c = {a, who, candidate_id, e};
	return db_tx(d, erase_tx, &c);
}
