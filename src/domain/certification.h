/* certification.h - « Gérer les certifications »: certifications as records,
 * the partner's own exam sessions, La Poste slots, cancellations and changes
 * of date, and the candidate's status derived from them.
 *
 * A certification is one candidate's exam of one product, either
 * self-proctored (mode "partner": in one of the organisation's exam
 * sessions, a date, an optional time and place) or at a La Poste exam
 * centre (mode "laposte": in one slot of domain/centre.h).  Its state is
 * « Prévue » (planned), « Annulée » (cancelled) or « Passée » (taken: a
 * result came back, score out of 1000).  A candidate holds at most one
 * planned certification per product (a unique index), any number over time.
 *
 * Assigning is one transaction per « Valider l'attribution » (a batch):
 * the chosen candidates (cand_selection.h) that are « En création » or
 * already hold a planned certification of the product are set aside and
 * listed; one certification is created for each of the others; the stock
 * is consumed by ONE ledger movement for the batch (each certification
 * names it), La Poste seats are booked (slot_book()), each candidate is
 * sent their notice or convocation through the outbox (.ics calendar
 * event, and a PDF convocation for La Poste), the statuses are derived,
 * the history and the audit are written.  Not enough stock or seats, no
 * candidate left, a past date, a product of the other mode: nothing
 * changes and the errors say why in French.  A form resent (double click,
 * back button) is recognised by its hidden token and changes nothing more.
 *
 * Cancelling gives the credit back (a ledger movement naming the
 * certification) and the La Poste seat, and sends the candidate a
 * cancelled calendar event; moving a session or a La Poste certification
 * sends the updated notice (same calendar UID, next SEQUENCE).  A taken
 * certification can be neither cancelled nor moved.
 *
 * The candidate's status is derived from their certifications in the same
 * transaction as every change: « En création » stays while steps are
 * missing; else « Prévue » if a planned certification is today or later,
 * « En attente » if one is planned but its date is past, « Passée » if one
 * was taken, « À attribuer » otherwise; « Date de passage » is the nearest
 * planned date to come, else the latest past one.  Time alone turns
 * « Prévue » into « En attente »: certification_sweep() does it (clr serve
 * runs it every few minutes).
 *
 * Tenant rule: every function takes the organisation from the actor or an
 * org_id argument; another organisation's session, slot booking,
 * certification or candidate is CLR_ENOTFOUND and nothing changes.
 * Results are arena-owned.
 */
#ifndef CLR_CERTIFICATION_H
#define CLR_CERTIFICATION_H
#include "core/buf.h"
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/cand_selection.h"

#define CERT_PLACE_MAX 200
#define CERT_DURATION_MIN 105 /* 1 h 45 */

/* What « Valider l'attribution » posts.  Fields of errors: "product",
 * "date", "time", "place" (the session), "slot", "ids" (no candidate),
 * "stock", "" (the whole form). */
struct cert_assign {
	const char *idem;   /* the form's hidden token */
	const char *product; /* product id, as posted */
	/* self-proctored: the session, as typed */
	const char *date, *time, *place;
	/* La Poste */
	long long slot_id;
	struct cand_selection sel;
};

/* Checks the session's fields of a self-proctored assignment (the seed's
 * first step: the type ticked, a date today or later, an optional time and
 * place) and normalises them in place (date ISO, time HH:MM).  0, or
 * CLR_EINVAL with messages in e. */
int certification_check_session(db *d, arena *a, long long org_id, struct cert_assign *in, struct errs *e);
/* Assigns (see above): in->slot_id set = La Poste, else self-proctored.
 * 0 with *batch_id (a resent form: the batch it made); CLR_EINVAL with
 * messages in e; CLR_ENOTFOUND (another organisation's candidate or a slot
 * that does not exist). */
int certification_assign(db *d, arena *a, const struct actor *who, struct cert_assign *in, struct errs *e,
			 long long *batch_id);

/* One certification, as lists and pages show it. */
struct certification {
	long long id, candidate_id, product_id, session_id, slot_id, batch_id;
	const char *mode;  /* partner | laposte */
	const char *state; /* planned | cancelled | taken */
	const char *exam_date, *exam_time;
	const char *product_label; /* « Partenaire / centre agréé » */
	const char *candidate_name, *candidate_email, *candidate_status; /* "" on a candidate's own list */
	const char *last_name, *first_name, *civility, *birth_date;       /* likewise */
	const char *place;  /* the session's place, or the centre's name */
	const char *address; /* La Poste: « 10 rue ..., 69002 Lyon » */
	int score;           /* -1: none */
	const char *code;    /* the live activation code, XXXX-XXXX-XXXX, or "" */
	long long duration_s; /* of a result, 0: unknown */
	const char *taken_at; /* of a result, 'YYYY-MM-DD' or "" (unknown) */
	int sequence;
	long long assigned_at, cancelled_at;
};
/* « Prévue », « Annulée », « Passée ». */
const char *certification_state_label(const char *state);
/* « Surveillance par votre organisation » / « Centre d'examen La Poste ». */
const char *certification_mode_label(const char *mode);
/* « CLR-2026-000123 »: the reference shown to candidates. */
const char *certification_reference(arena *a, long long id, long long assigned_at);

/* Which certifications to list: those of a candidate, a session or a slot
 * (one of them), newest first for a candidate, by name otherwise. */
struct cert_filter {
	long long candidate_id, session_id, slot_id;
	int planned_only;
};
/* Its statement, for db_prefetch() (db.h). */
void certification_list_stmt(struct db_stmt *st, arena *a, long long org_id, const struct cert_filter *f);
int certification_list(db *d, arena *a, long long org_id, const struct cert_filter *f, struct certification **out,
		       int *n);
int certification_get(db *d, arena *a, long long org_id, long long id, struct certification *out);

/* A candidate's history: every event of their certifications, newest first. */
struct cert_event {
	long long certification_id, at;
	const char *action, *detail, *actor;
};
/* Its statement, for db_prefetch() (db.h). */
void certification_history_stmt(struct db_stmt *st, arena *a, long long org_id, long long candidate_id);
int certification_history(db *d, arena *a, long long org_id, long long candidate_id, struct cert_event **out,
			  int *n);

/* The organisation's exam sessions (self-proctored). */
struct exam_session {
	long long id, product_id;
	const char *date, *time, *place, *product_label;
	long long planned, cancelled, taken;
};
int exam_session_get(db *d, arena *a, long long org_id, long long id, struct exam_session *out);
/* Sessions from today on (past = 0) or the past ones (past = 1, newest first), at most 200. */
int exam_session_list(db *d, arena *a, long long org_id, int past, struct exam_session **out, int *n);

/* The organisation's La Poste bookings: one row per slot holding planned
 * certifications of the organisation, from today on. */
struct laposte_booking {
	long long slot_id;
	const char *date, *time, *centre_name, *city;
	long long planned;
};
int laposte_bookings(db *d, arena *a, long long org_id, struct laposte_booking **out, int *n);

/* One batch: what « Valider l'attribution » did. */
struct cert_skip {
	long long candidate_id;
	const char *name, *email, *reason; /* reason: draft | active */
};
struct cert_batch {
	long long id, product_id, session_id, slot_id, selected, assigned, created_at;
	const char *product_label, *mode;
	struct cert_skip *skips;
	int nskips;
};
int certification_batch_get(db *d, arena *a, long long org_id, long long id, struct cert_batch *out);

/* Cancels one planned certification (credit and seat given back, the
 * candidate told).  CLR_ENOTFOUND; CLR_EINVAL (e: "" says why: taken or
 * already cancelled). */
int certification_cancel(db *d, arena *a, const struct actor *who, long long id, struct errs *e);
/* Cancels every planned certification of a session; *n how many. */
int exam_session_cancel(db *d, arena *a, const struct actor *who, long long session_id, long long *n,
			struct errs *e);
/* Moves a session (date today or later, time, place: fields "date", "time",
 * "place"); its planned certifications follow and their candidates are
 * told.  Refused once one of them is taken. */
int exam_session_move(db *d, arena *a, const struct actor *who, long long session_id, const char *date,
		      const char *time, const char *place, struct errs *e);
/* Moves a planned La Poste certification to another slot (seat booked
 * there, freed here; the candidate gets the updated convocation).  Field
 * "slot". */
int certification_move(db *d, arena *a, const struct actor *who, long long id, long long slot_id, struct errs *e);

/* A result came back (the results API, a CSV of results, staff, the demo
 * data): certification id of who->org_id, planned and dated today or
 * before, becomes « Passée » with its score; its activation code stops
 * working; the candidate's status and score follow and they are told by
 * e-mail that their result is available.  Idempotent: the same score
 * again changes nothing (*unchanged = 1, may be NULL).  A different score
 * for a scored certification: CLR_ECONFLICT (e: "score"), unless in->correct
 * (staff): then the score is corrected (history, no e-mail).
 * CLR_ENOTFOUND; CLR_EINVAL (e: "score" out of 0-1000, "" cancelled or
 * before its date). */
struct cert_result {
	int score;          /* 0 to 1000 */
	long long duration_s; /* time taken (0: unknown) */
	const char *taken_at; /* 'YYYY-MM-DD' the exam was sat, or NULL (unknown) */
	const char *source; /* "api", "csv", "staff", "demo" */
	int correct;        /* staff correcting a score */
};
int certification_record_result(db *d, arena *a, const struct actor *who, long long id, const struct cert_result *in,
				struct errs *e, int *unchanged);

/* Turns « Prévue » into « En attente » for every candidate whose planned
 * certifications are all past (every organisation); *changed (may be
 * NULL) = candidates changed.  Idempotent; safe on several servers. */
int certification_sweep(db *d, arena *a, long long *changed);

/* Whether the candidate may be deleted: 0, or CLR_EINVAL with the French
 * reason in e (a planned certification: cancel it first; a taken one: the
 * result must stay).  Runs in the caller's transaction. */
int certification_candidate_deletable(db *d, arena *a, long long org_id, long long candidate_id, struct errs *e);

/* The candidate's own documents of one of their certifications (not
 * cancelled): its convocation PDF (La Poste only) into pdf, or its
 * calendar event (METHOD:PUBLISH) into ics; one of them non-NULL.
 * CLR_ENOTFOUND when it is not candidate_id's (of org_id), cancelled, or
 * has no such document. */
int certification_documents(db *d, arena *a, long long org_id, long long candidate_id, long long id, buf *pdf,
			    buf *ics);

#endif
