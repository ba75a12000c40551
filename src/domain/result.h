/* result.h - a result reported from outside the organisation: by the exam
 * platform through the results API, or by Le Robert staff in a CSV file.
 *
 * The result names its certification by the candidate's activation code
 * (any case, with or without dashes) or by the certification's id, on the
 * whole platform: the organisation is found from it, and the result is then
 * recorded by certification_record_result() as that organisation's
 * (certification.h: « Passée », the score, the code revoked, the candidate's
 * status, history, audit and e-mail).  Before that, every refusal gets its
 * own reason: a stable machine word (the API's "error") and a French
 * message (the API's "message", the CSV report's line):
 *
 *   code_inconnu            no such activation code
 *   code_revoque            a code replaced by a newer one
 *   code_pas_encore_valide  the exam day has not come
 *   code_expire             past the code's days (CLR_CODE_DAYS), unless
 *                           taken_at says the exam was sat while it worked
 *   certification_inconnue  no such certification id (CLR_ENOTFOUND)
 *   certification_annulee   the certification was cancelled
 *   examen_a_venir          its exam date is after today
 *   date_invalide           taken_at in the future or before the exam date
 *   score_deja_enregistre   another score is already recorded
 *                           (CLR_ECONFLICT: staff may correct it)
 *
 * The same score again is not a refusal: 0 with out->unchanged (the exam
 * platform may resend a result it is unsure was received).  The code of a
 * certification whose result came is revoked by the result itself; it
 * still names that certification here (only for the idempotent answer or
 * the conflict), so a resend by code is recognised.
 *
 * Concurrency: result_record() takes the certification's row lock on
 * PostgreSQL (SELECT ... FOR UPDATE) before reading its state, so that of
 * several identical results at once exactly one records it and the others
 * find it recorded (one score, one history row, one e-mail); SQLite's
 * BEGIN IMMEDIATE serialises writers anyway.  It joins an open transaction
 * (the CSV import applies every line in one).  Strings are arena-owned.
 */
#ifndef CLR_RESULT_H
#define CLR_RESULT_H
#include "db/db.h"
#include "domain/audit.h"

#define RESULT_DURATION_MAX (24 * 3600) /* seconds: more is a mistake */

struct result_in {
	const char *code;            /* activation code, or NULL */
	long long certification_id;  /* when no code */
	int score;                   /* 0 to 1000 (checked by the caller's parsing) */
	long long duration_s;        /* 0: unknown */
	const char *taken_at;        /* 'YYYY-MM-DD' or NULL */
	const char *source;          /* "api", "csv" */
	long long api_key_id;        /* the API key that sent it, or 0 */
};

struct result_out {
	long long certification_id, org_id;
	int unchanged;       /* the same score was already recorded */
	const char *reason;  /* refusal: one of the words above, else NULL */
	const char *message; /* refusal: French, with French typography */
	int previous_score;  /* score_deja_enregistre: the one recorded */
};

/* What recording in would do, changing nothing (the CSV report): 0 (new,
 * or out->unchanged), CLR_EINVAL / CLR_ENOTFOUND / CLR_ECONFLICT with the
 * reason, or a storage error.  who: the caller (user_id, ip). */
int result_check(db *d, arena *a, const struct result_in *in, struct result_out *out);
/* Records it: the same codes.  who->org_id is ignored (the certification's
 * is used). */
int result_record(db *d, arena *a, const struct actor *who, const struct result_in *in, struct result_out *out);

#endif
