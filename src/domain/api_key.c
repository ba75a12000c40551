/* api_key.c - the results API's keys: created (shown once, stored hashed),
 * listed, revoked, and checked on every API request (see api_key.h). */
#include "domain/api_key.h"
#include "core/err.h"
#include "core/text.h"
#include <stdio.h>
#include <string.h>

struct create_ctx {
	arena *a;
	const struct actor *who;
	const char *name, *prefix, *hash;
	long long id;
};

static int create_tx(db *d, void *vctx)
{
	struct create_ctx *c = vctx;
	arena *a = c->a;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "INSERT INTO api_keys (name, prefix, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5) "
			  "RETURNING id",
			  DB_P(c->name, c->prefix, c->hash, c->who->user_id ? db_int(a, c->who->user_id) : NULL,
			       db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (r.nrows != 1)
		return CLR_EDB;
	c->id = db_ll(&r, 0, 0);
	rc = audit_log(d, a, c->who, "api_key.create", "api_key", c->id, arena_printf(a, "« %s » (%s…)", c->name, c->prefix));
	return rc < 0 ? rc : 0;
}

int api_key_create(db *d, arena *a, const struct actor *who, const char *name, char key_out[API_KEY_LEN + 1],
		   struct errs *e, long long *id)
{
	*id = 0;
	key_out[0] = 0;
	const char *n = str_clean(a, name);
	if (!n) {
		errs_add(e, "name", "Caractères invalides.");
		return CLR_EINVAL;
	}
	if (!*n) {
		errs_add(e, "name", "Donnez un nom à la clé, pour savoir qui l'utilise (par exemple « Plateforme d'examen "
				    "(production) »).");
		return CLR_EINVAL;
	}
	if (utf8_len(n) > API_KEY_NAME_MAX) {
		errs_add(e, "name", "Le nom ne peut dépasser 100 caractères.");
		return CLR_EINVAL;
	}
	char tok[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	token_new(tok);
	snprintf(key_out, API_KEY_LEN + 1, "%s%s", API_KEY_PREFIX, tok);
	token_hash(key_out, hash);
	struct create_ctx c = {a, who, n, arena_strndup(a, key_out, API_KEY_SHOWN), hash, 0};
	int rc = db_tx(d, create_tx, &c);
	if (rc) {
		key_out[0] = 0;
		return rc;
	}
	*id = c.id;
	return 0;
}

#define KEY_COLS                                                                                                   \
	"k.id, k.name, k.prefix, COALESCE(NULLIF(c.name, ''), c.email, ''), k.created_at, k.last_used_at, k.revoked_at, " \
	"COALESCE(NULLIF(v.name, ''), v.email, '') FROM api_keys k LEFT JOIN users c ON c.id = k.created_by "        \
	"LEFT JOIN users v ON v.id = k.revoked_by "

static void key_read(const db_rows *r, int i, struct api_key *k)
{
	*k = (struct api_key){db_ll(r, i, 0), db_cell(r, i, 1), db_cell(r, i, 2), db_cell(r, i, 3), db_ll(r, i, 4),
			      db_ll(r, i, 5), db_ll(r, i, 6), db_cell(r, i, 7)};
}

int api_key_list(db *d, arena *a, struct api_key **out, int *n)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT " KEY_COLS "ORDER BY CASE WHEN k.revoked_at IS NULL THEN 0 ELSE 1 END, k.id DESC LIMIT 500",
			  DB_NOP);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		key_read(&r, i, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

int api_key_get(db *d, arena *a, long long id, struct api_key *out)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT " KEY_COLS "WHERE k.id = $1", DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	key_read(&r, 0, out);
	return 0;
}

struct revoke_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	struct errs *e;
};

static int revoke_tx(db *d, void *vctx)
{
	struct revoke_ctx *c = vctx;
	arena *a = c->a;
	struct api_key k;
	int rc = api_key_get(d, a, c->id, &k);
	if (rc)
		return rc;
	/* conditional: of two revocations at once, one does it */
	rc = k.revoked_at ? 0
			  : db_exec(d, "UPDATE api_keys SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL",
				    DB_P(db_int(a, c->id), db_int(a, now_s()),
					 c->who->user_id ? db_int(a, c->who->user_id) : NULL));
	if (rc < 0)
		return rc;
	if (rc == 0) {
		errs_add(c->e, "", "Cette clé est déjà révoquée.");
		return CLR_EINVAL;
	}
	rc = audit_log(d, a, c->who, "api_key.revoke", "api_key", c->id, arena_printf(a, "« %s » (%s…)", k.name, k.prefix));
	return rc < 0 ? rc : 0;
}

int api_key_revoke(db *d, arena *a, const struct actor *who, long long id, struct errs *e)
{
	struct revoke_ctx c = {a, who, id, e};
	return db_tx(d, revoke_tx, &c);
}

/* Whether key has the shape of one of ours: the prefix and TOKEN_LEN
 * base64url characters. */
static int well_formed(const char *key)
{
	if (strlen(key) != API_KEY_LEN || strncmp(key, API_KEY_PREFIX, sizeof API_KEY_PREFIX - 1) != 0)
		return 0;
	for (const char *p = key + sizeof API_KEY_PREFIX - 1; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return 0;
	return 1;
}

int api_key_check(db *d, arena *a, const char *key, enum api_key_check *state, long long *id)
{
	*id = 0;
	*state = API_KEY_MISSING;
	if (!key || !*key)
		return 0;
	*state = API_KEY_UNKNOWN;
	if (!well_formed(key))
		return 0;
	/* looked up by its hash: how long this takes tells nothing about how
	 * close the key sent is to a real one */
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(key, hash);
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT id, key_hash, revoked_at, last_used_at FROM api_keys WHERE key_hash = $1",
			  DB_P(hash));
	if (rc < 0)
		return rc;
	if (!r.nrows || !secure_eq(db_cell(&r, 0, 1), hash))
		return 0;
	*id = db_ll(&r, 0, 0);
	if (db_cell(&r, 0, 2)) {
		*state = API_KEY_REVOKED;
		return 0;
	}
	*state = API_KEY_OK;
	long long now = now_s();
	if (!db_cell(&r, 0, 3) || db_ll(&r, 0, 3) <= now - API_KEY_SEEN_EVERY_S) {
		rc = db_exec(d, "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND revoked_at IS NULL",
			     DB_P(db_int(a, *id), db_int(a, now)));
		if (rc < 0)
			return rc;
	}
	return 0;
}
