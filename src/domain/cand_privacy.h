/* cand_privacy.h - a candidate's personal data (RGPD, issue 16): their copy
 * of it (JSON), their request for erasure, and the erasure itself, made by
 * their organisation's administrator.
 *
 * Erasure keeps what an issued certificate must keep to stay verifiable
 * (docs/PRIVACY.md): first and last name, birth date, the certifications
 * with their dates, scores and verification codes.  Everything else of the
 * record is emptied (the e-mail becomes erased-<id>@invalid), the
 * password, sessions and links removed, the messages sent to the candidate
 * deleted from the outbox and the e-mail removed from the audit rows'
 * details; the erasure itself is an audit row.  Refused while a
 * certification is planned (cancel it first).
 */
#ifndef CLR_CAND_PRIVACY_H
#define CLR_CAND_PRIVACY_H
#include "core/buf.h"
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

/* The candidate's data as JSON (UTF-8, indented) appended to out. */
int cand_data_json(db *d, arena *a, long long org_id, long long candidate_id, buf *out);

/* The candidate asks for erasure (idempotent: the first date stays). */
int cand_erasure_request(db *d, arena *a, long long org_id, long long candidate_id, const char *ip);

/* When the candidate asked and when the data was erased: struct
 * candidate's erasure_requested_at and erased_at (candidate_get()). */

/* The administrator erases the candidate's personal data.  CLR_ENOTFOUND;
 * CLR_EINVAL with the French reason in e (""): a planned certification, or
 * already erased. */
int cand_erase(db *d, arena *a, const struct actor *who, long long candidate_id, struct errs *e);

#endif
