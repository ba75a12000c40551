/* candidate.h - the organisation's candidates: the five steps of their
 * record, validation with French messages, storage, list and search.
 *
 * A record has five steps (CAND_STEP_*): identity, password and information
 * are required, contact details and misc are optional; its fields, steps and
 * statuses are described once, in candidate_fields.h.  The web form stores
 * a candidate from its first valid step with status « En création »
 * (CAND_DRAFT); « Enregistrer » once the three required steps are valid
 * makes it « À attribuer » (CAND_TO_ASSIGN).  Later statuses come with the
 * assignment of certifications.
 *
 * Validation is HTTP-free so that a bulk import validates a row with exactly
 * the same rules: fill a struct candidate_input with the raw strings, call
 * candidate_validate_step() for each step (or candidate_validate_all()), and
 * the input is normalised in place (trimmed names, lower-cased e-mail, ISO
 * birth date, official commune name and INSEE code...).  Then
 * candidate_create() stores it; inside an open transaction it simply joins
 * it, so one transaction can create many rows.  Every change writes an audit
 * row (and the credentials e-mail, when asked, an outbox row) in the same
 * transaction.  Every read and write is scoped by the organisation id taken
 * from the actor: another organisation's candidate is CLR_ENOTFOUND.
 * Strings are arena-owned.
 */
#ifndef CLR_CANDIDATE_H
#define CLR_CANDIDATE_H
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/candidate_fields.h"

#define CAND_PASSWORD_MIN 6
#define CAND_MIN_AGE 10

/* Raw or normalised values of every field of CAND_FIELDS (NULL = not
 * given), by name or by index (v[CF_x]).  Field names of forms and error
 * keys are the member names. */
struct candidate_input {
	CAND_FIELD_VALUES;
	const char *password_hash; /* optional: precomputed argon2id (import) */
};

/* Validates step `step` (1..5), normalising *in: every field by its kind
 * (candidate_fields.h), then the rules joining fields.  Errors (French)
 * keyed by field name.  org_id/self_id: the e-mail must be unique among
 * org_id's candidates other than self_id (0 for a new one).  For the
 * password step, keep_password allows an empty password (editing: the
 * current one stays).  0, CLR_EINVAL or a storage error. */
int candidate_validate_step(db *d, arena *a, long long org_id, long long self_id, int step, int keep_password,
			    struct candidate_input *in, struct errs *e);
/* candidate_validate_step() of the identity. */
int candidate_validate_identity(db *d, arena *a, long long org_id, long long self_id, struct candidate_input *in,
				struct errs *e);
/* Every step (the three required ones must be valid; the optional ones are
 * validated when given).  For the import. */
int candidate_validate_all(db *d, arena *a, long long org_id, struct candidate_input *in, struct errs *e);
/* The same, with taken(ctx, email) answering whether the (normalised)
 * e-mail is already used in the organisation instead of one query per call
 * (the bulk import loads the organisation's e-mails once).  taken NULL:
 * the query. */
int candidate_validate_all_with(db *d, arena *a, long long org_id, int (*taken)(void *ctx, const char *email),
				void *ctx, struct candidate_input *in, struct errs *e);

/* Stores a validated input as a new candidate of who->org_id, with the
 * steps bit set `steps` and status `status` (CAND_DRAFT or CAND_TO_ASSIGN).
 * Hashes in->password unless in->password_hash is set; enqueues the
 * credentials e-mail when send_credentials is "oui" and a password is
 * given.  Joins the caller's transaction if one is open.  CLR_ECONFLICT if
 * the e-mail is already used in the organisation. */
int candidate_create(db *d, arena *a, const struct actor *who, const struct candidate_input *in, int steps,
		     const char *status, long long *id_out);
/* The bulk import's version (domain/import.c), inside the caller's open
 * transaction (CLR_EINVAL without one): candidate_batch_begin() prepares a
 * temporary staging table; candidate_create_batch() stages in[0..n)
 * (n <= CAND_BATCH_MAX), validated, each with password_hash set and distinct
 * e-mails, by one multi-row INSERT;
 * candidate_batch_finish() creates every staged row with `steps` and
 * `status` by one INSERT ... SELECT (in staging order), writes their audit
 * rows and, when send_credentials, their credentials e-mails (a one-time
 * link each: domain/cand_access.h), empties the staging table and returns the number created.
 * CLR_ECONFLICT if an e-mail is already used: the caller rolls back. */
#define CAND_BATCH_MAX 64
int candidate_batch_begin(db *d);
int candidate_create_batch(db *d, arena *a, const struct actor *who, const struct candidate_input *in, int n);
long long candidate_batch_finish(db *d, arena *a, const struct actor *who, int steps, const char *status,
				 int send_credentials);

/* The web form: validates step `step` of candidate `id` (0 = a new one,
 * step 1 only) and stores it.  With finish != 0, a draft whose three
 * required steps are now valid becomes « À attribuer » (*finished = 1;
 * otherwise 0 and the step is just stored).  *id_out receives the id (new
 * or same).  CLR_EINVAL with messages in e (nothing stored), CLR_ENOTFOUND
 * if not this organisation's candidate. */
int candidate_save_step(db *d, arena *a, const struct actor *who, long long id, int step, struct candidate_input *in,
			int finish, struct errs *e, long long *id_out, int *finished);

struct candidate {
	long long id, org_id;
	const char *status;
	int steps;
	/* every field as stored ("" when empty); password and password_confirm
	 * NULL; send_credentials "oui"/"non", "" while no password is set */
	CAND_FIELD_VALUES;
	int has_password;
	const char *exam_date; /* NULL if none */
	long long created_at, updated_at;
	long long erasure_requested_at, erased_at; /* RGPD (cand_privacy.h): 0 if not */
};

/* Its statement, for db_prefetch() (db.h). */
void candidate_get_stmt(struct db_stmt *st, arena *a, long long org_id, long long id);
int candidate_get(db *d, arena *a, long long org_id, long long id, struct candidate *out);
/* Sets the status and the « Date de passage » ('YYYY-MM-DD' or NULL) of
 * one of who->org_id's candidates (for certification assignment and the
 * demo data); audited.  CLR_ENOTFOUND, CLR_EINVAL for an unknown status. */
int candidate_set_status(db *d, arena *a, const struct actor *who, long long id, const char *status,
			 const char *exam_date);
/* Deletes the candidate (audit row).  CLR_ENOTFOUND if not org's;
 * CLR_EINVAL with the French reason in e while they hold a planned or a
 * taken certification (certification_candidate_deletable()). */
int candidate_delete(db *d, arena *a, const struct actor *who, long long id, struct errs *e);

/* A field's value as shown on screen and in exports: a choice's label, a
 * date as jj/mm/aaaa, a country's name (country(ctx, code), or the code),
 * « Défini » for a password; "" when empty. */
const char *candidate_field_text(arena *a, const struct cand_field *f, const char *value,
				 const char *(*country)(void *ctx, const char *code), void *ctx);

/* ---- The list (cand_query.c) ---- */
enum cand_sort { CSORT_NAME, CSORT_EMAIL, CSORT_STATUS, CSORT_EXAM };
struct candidate_query {
	const char *q;      /* any part of the name or e-mail; folded here */
	const char *status; /* NULL/"" = every status */
	enum cand_sort sort;
	int desc;
	int page;     /* 1-based */
	int per_page; /* default 50 */
	long long group_id; /* 0 = any; else only members of that group (issue 5) */
};
/* The WHERE clause of the list's filters (organisation, status, search,
 * group; sort and page ignored) on `candidates c`: appends its parameters
 * to params[*np..] (room for CAND_FILTER_MAXP more is needed) numbered from
 * $(*np + 1), and returns " WHERE c.org_id = $k ..." (arena-owned).  Used
 * by candidate_list() and by group association of every match. */
#define CAND_FILTER_MAXP 4
const char *candidate_filter(db *d, arena *a, long long org_id, const struct candidate_query *q, const char **params,
			     int *np);
struct candidate_row {
	long long id;
	const char *last_name, *first_name, *email, *status, *exam_date;
	/* « NOM Prénom » when the in-memory index answered (then last_name
	 * and first_name are NULL); NULL from SQL: candidate_display_name() */
	const char *display;
};
struct candidate_page {
	struct candidate_row *rows;
	int n;
	long long total; /* rows matching the filters */
	int page, pages;
	int from_index; /* answered by the in-memory index (cand_index.h), not SQL */
};
/* The statement candidate_list() reads first when the in-memory index may
 * answer (no group, name order, cand_index_enabled()): the organisation's
 * list version and total, for db_prefetch() (db.h). */
void candidate_list_version_stmt(struct db_stmt *st, arena *a, long long org_id);
int candidate_list(db *d, arena *a, long long org_id, const struct candidate_query *q, struct candidate_page *out);
/* Number of candidates per status (index in cand_statuses) and in all. */
/* Its statement, for db_prefetch() (db.h). */
void candidate_counts_stmt(struct db_stmt *st, arena *a, long long org_id);
int candidate_counts(db *d, arena *a, long long org_id, long long counts[CAND_NSTATUS], long long *total);

/* " ORDER BY" terms of q's sort (without the keyword), on `candidates c`:
 * the one order of the list and the exports. */
const char *candidate_order_by(arena *a, const struct candidate_query *q);

/* Export: calls row(ctx, cells) for each candidate matching q (its sort
 * applies; page and per_page are ignored), with one text cell per column of
 * candidate_export_columns(): the import template's columns (so that an
 * export re-imports), then « Statut du dossier », « Date de passage » and
 * « Score » (the latest result, out of 1000), as shown on screen (dates
 * jj/mm/aaaa). */
struct export_col {
	const char *header;
	int date; /* the cells are dates, jj/mm/aaaa or empty */
};
int candidate_export_columns(const struct export_col **cols);
int candidate_export(db *d, arena *a, long long org_id, const struct candidate_query *q,
		     int (*row)(void *ctx, const char *const *cells), void *ctx);

/* The e-mails sent to the candidate (outbox rows of kind "candidate.*" to
 * current address), newest first, at most 20. */
struct candidate_mail {
	const char *subject, *status; /* outbox status: pending, sending, sent, failed */
	long long created_at, sent_at;
};
/* Its statement, for db_prefetch() (db.h). */
void candidate_mails_stmt(struct db_stmt *st, arena *a, long long org_id, long long id);
int candidate_mails(db *d, arena *a, long long org_id, long long id, struct candidate_mail **out, int *n);

/* The candidates' site, as e-mails link to it (CLR_CANDIDATE_URL). */
const char *candidate_login_url(void);
/* "NOM Prénom" as shown in lists (arena-owned). */
const char *candidate_display_name(arena *a, const char *last, const char *first);
/* The folded search text stored for a candidate. */
const char *candidate_search_text(arena *a, const char *last, const char *first, const char *birth, const char *email);

#endif
