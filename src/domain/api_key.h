/* api_key.h - the keys of the results API (POST /api/v1/results).
 *
 * Who may hold one: the exam platform (the system that runs the online
 * exam and scores it), and nothing else.  Keys are platform-wide: one key
 * reports the results of every organisation, so Le Robert staff create
 * them in the back office (« Clés d'API ») and hand them to the exam
 * platform's operators; partners never get one (they see their results on
 * their candidates' pages).
 *
 * A key is API_KEY_PREFIX followed by 256 random bits from libsodium in
 * base64url (TOKEN_LEN characters): "clr_live_" + 43 characters.  It is
 * shown once, when created; the database keeps its BLAKE2b hash (as for
 * session tokens: a stolen database gives no usable key) and its first
 * characters, to recognise it in the list.  Checking a key hashes what was
 * sent and looks the hash up: the time taken does not depend on how much
 * of a real key was guessed.  Revoking is immediate and final; the row
 * stays for the audit log.  Every creation and revocation writes an audit
 * row.  Strings returned are arena-owned.
 */
#ifndef CLR_API_KEY_H
#define CLR_API_KEY_H
#include "core/crypto.h"
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define API_KEY_PREFIX "clr_live_"
#define API_KEY_LEN (sizeof API_KEY_PREFIX - 1 + TOKEN_LEN) /* 52 */
#define API_KEY_NAME_MAX 100
#define API_KEY_SHOWN 13 /* characters kept to recognise a key: "clr_live_" + 4 */
#define API_KEY_SEEN_EVERY_S 60 /* last_used_at is refreshed at most this often */

struct api_key {
	long long id;
	const char *name;
	const char *prefix;     /* "clr_live_AbCd" */
	const char *created_by; /* the staff member's name or e-mail, "" if none */
	long long created_at, last_used_at, revoked_at; /* 0: never / not revoked */
	const char *revoked_by;
};

/* Creates a key named name (required, at most API_KEY_NAME_MAX characters;
 * field "name" of e).  key_out receives the whole key, to show once.
 * 0 with *id, or CLR_EINVAL. */
int api_key_create(db *d, arena *a, const struct actor *who, const char *name, char key_out[API_KEY_LEN + 1],
		   struct errs *e, long long *id);
/* Every key, the live ones first, newest first. */
int api_key_list(db *d, arena *a, struct api_key **out, int *n);
int api_key_get(db *d, arena *a, long long id, struct api_key *out);
/* Revokes key id: CLR_ENOTFOUND; CLR_EINVAL when already revoked (e: ""). */
int api_key_revoke(db *d, arena *a, const struct actor *who, long long id, struct errs *e);

/* What a request's key is worth. */
enum api_key_check {
	API_KEY_OK,
	API_KEY_MISSING, /* no key sent */
	API_KEY_UNKNOWN, /* malformed, or no such key */
	API_KEY_REVOKED,
};
/* Checks the key sent (NULL if none): *state, and *id when OK or REVOKED.
 * A live key's last use is refreshed (at most every API_KEY_SEEN_EVERY_S
 * seconds).  0, or a storage error. */
int api_key_check(db *d, arena *a, const char *key, enum api_key_check *state, long long *id);

#endif
