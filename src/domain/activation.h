/* activation.h - activation codes of self-proctored certifications (« 4.
 * Candidats : générer les codes d'activation — uniquement pour les
 * certifications dont vous gérez la surveillance »).
 *
 * A code is ACTIVATION_LEN characters drawn by libsodium's CSPRNG from an
 * alphabet without look-alikes (no 0/O, 1/I/L: 31 symbols, ~59 bits),
 * shown XXXX-XXXX-XXXX, unique on the whole platform (a unique index; a
 * collision is drawn again), bound to one planned self-proctored
 * certification.  It works from the certification's exam day (which
 * follows a moved session) to activation_days() days after it
 * (CLR_CODE_DAYS, default 7), and stops working at once when regenerated
 * or when its certification is cancelled.  La Poste certifications never
 * get one: the exam centre lets the candidate in.
 *
 * Tenant rule as everywhere: the organisation comes from the actor;
 * another organisation's session or certification is CLR_ENOTFOUND.
 * activation_find() is the exception: it serves the exam platform, which
 * knows a code, not an organisation.  Strings are arena-owned.
 */
#ifndef CLR_ACTIVATION_H
#define CLR_ACTIVATION_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define ACTIVATION_LEN 12

/* Days a code works after the exam day (CLR_CODE_DAYS, 0 to 365, default 7). */
int activation_days(void);
/* "ABCDEFGHJKMN" -> "ABCD-EFGH-JKMN" (other text unchanged). */
const char *activation_format(arena *a, const char *code);

/* One code for each planned self-proctored certification without a live
 * one: of session session_id (> 0), or else of every session of the
 * organisation on date ('YYYY-MM-DD'), and then only the candidates of
 * group_id when it is > 0.  One transaction; *created how many codes.
 * CLR_ENOTFOUND for another organisation's session or group. */
int activation_generate(db *d, arena *a, const struct actor *who, long long session_id, const char *date,
			long long group_id, long long *created);
/* A new code for certification id (planned, self-proctored); its old one
 * stops working.  CLR_ENOTFOUND; CLR_EINVAL (e: "" says why). */
int activation_regenerate(db *d, arena *a, const struct actor *who, long long id, struct errs *e);

/* What a code typed by a candidate (or sent by the exam platform) opens:
 * any case, with or without dashes or spaces. */
enum code_state {
	CODE_OK,        /* planned, today within its days */
	CODE_UNKNOWN,   /* no such code */
	CODE_REVOKED,   /* regenerated since (even if scored), or its certification cancelled */
	CODE_NOT_YET,   /* before the exam day */
	CODE_EXPIRED,   /* past the exam day + activation_days() */
	CODE_TAKEN,     /* the code its certification was scored with */
};
struct code_info {
	enum code_state state;
	long long certification_id, org_id; /* 0 when unknown */
	const char *exam_date;
};
int activation_find(db *d, arena *a, const char *code, struct code_info *out);

/* A code as stored: upper case, without dashes or spaces; NULL if s
 * cannot be a code. */
const char *activation_normalise(arena *a, const char *s);

/* Revokes the live code of the certifications matching `where` (a
 * condition on certifications c, $1 its value): certification.c calls it
 * when cancelling, in its transaction. */
int activation_revoke(db *d, arena *a, const char *where, const char *value);

#endif
