/* centre.h - La Poste exam centres and their slots: the reference data Le
 * Robert staff keep (back office, CSV import of a season's slots), the
 * search partner administrators use to choose a slot, and the seat-booking
 * API of the certifications.
 *
 * A centre has a unique name (also unique without regard to case, accents
 * and spacing), an address, a French postal code and commune checked like a
 * candidate's residence (place_check(): the commune stored is its official
 * name), the commune's INSEE code and the département derived from it
 * (« 75 », « 2A », « 971 »: the first two characters of the INSEE code, three
 * overseas).  A centre is never deleted; an inactive one is left out of the
 * administrators' search and cannot be booked.
 *
 * A slot is one sitting at a centre: a date (ISO 'YYYY-MM-DD', Europe/Paris),
 * a time 'HH:MM', `seats` places of which `booked` are taken (0 <= booked <=
 * seats, a CHECK in the schema), and a `closed` flag.  "Open" means: its
 * centre is active, the slot is not closed, its date is today or later
 * (date_today_iso(), Europe/Paris) and booked < seats.  A slot whose date is
 * before today is "past": staff can no longer change it.
 *
 * Staff changes (create, update, close, reopen, import) each run in one
 * transaction with an audit row; bad input fills a struct errs with French
 * messages (fields "name", "address", "postal_code", "city"; "date", "time",
 * "seats") and returns CLR_EINVAL with nothing stored.  Results are
 * arena-owned.
 */
#ifndef CLR_CENTRE_H
#define CLR_CENTRE_H
#include "core/buf.h"
#include "core/validate.h"
#include "db/db.h"
#include "domain/audit.h"

#define CENTRE_NAME_MAX 120
#define CENTRE_ADDRESS_MAX 200
#define SLOT_SEATS_MAX 500
#define SLOT_DAYS_AHEAD 730      /* a slot is at most two years ahead */
#define SLOT_PAST_DAYS_SHOWN 90  /* slot_list(): past slots of the last 90 days */
#define CENTRE_SEARCH_MAX 20     /* centres returned by centre_search() */
#define CENTRE_SEARCH_SLOTS 10   /* open slots listed per centre by centre_search() */
#define SLOT_IMPORT_MAX_LINES 20000

struct slot {
	long long id, centre_id;
	const char *date; /* 'YYYY-MM-DD' */
	const char *time; /* 'HH:MM' */
	int seats, booked, closed;
	int past; /* date before today */
	long long created_at, updated_at;
};

struct centre {
	long long id;
	const char *name, *address, *postal_code;
	const char *city;            /* official commune name */
	const char *insee, *department;
	const char *department_name; /* « Rhône »; "" if unknown */
	int active;
	long long created_at, updated_at;
	/* centre_get(), centre_list() and centre_search(): */
	int future_slots;                    /* slots from today on, in any state */
	int open_slots;                      /* those that are open */
	long long free_seats;                /* seats - booked over the future slots not closed */
	const char *next_date, *next_time;   /* the soonest open slot; NULL if none */
	/* centre_search() only: the first CENTRE_SEARCH_SLOTS of them, soonest
	 * first (open_slots says how many there are in all) */
	struct slot *slots;
	int nslots;
};

/* As typed in the form (any may be NULL); active: "1" = active. */
struct centre_input {
	const char *name, *address, *postal_code, *city, *active;
};

/* Département of an INSEE commune code: "75056" -> "75", "2A004" -> "2A",
 * "97209" -> "972"; "" if the code is too short. */
const char *department_of_insee(arena *a, const char *insee);
/* French name of a département code (« 69 » -> « Rhône »), NULL if unknown. */
const char *department_name(const char *code);

/* Creates a centre.  CLR_EINVAL with messages in e (nothing stored). */
int centre_create(db *d, arena *a, const struct actor *who, const struct centre_input *in, struct errs *e,
		  long long *id_out);
/* Changes every field of centre id.  CLR_EINVAL (e), CLR_ENOTFOUND. */
int centre_update(db *d, arena *a, const struct actor *who, long long id, const struct centre_input *in,
		  struct errs *e);
/* One centre with its open-slot figures (slots not set).  CLR_ENOTFOUND. */
int centre_get(db *d, arena *a, long long id, struct centre *out);
/* Back office: every centre, active or not, by name (2 000 at most), with
 * future_slots, open_slots, free_seats and next_date; q (may be NULL/"")
 * filters as centre_search() does. */
int centre_list(db *d, arena *a, const char *q, struct centre **out, int *n);

/* Administrators' search.  q (trimmed) is matched as
 *   - digits (1 to 5): a postal-code prefix (« 69 », « 6900 », « 69002 »),
 *     or a département (« 69 », « 971 »);
 *   - « 2A » / « 2B » (any case): the Corsican départements;
 *   - otherwise text: a part of the commune's name compared with
 *     place_fold() (case, accents, hyphens, spaces, « St » = « Saint »
 *     ignored: « st etienne » finds Saint-Étienne, « lyon » every
 *     arrondissement), a part of the centre's name (text_fold()), or the
 *     beginning of a département's name (« rhône », « bouches-du »; three
 *     letters at least).
 * Only active centres are returned, each with its open slots (slots: the
 * first CENTRE_SEARCH_SLOTS, soonest first), centres with the soonest open
 * slot first, then those without any (by name); at most CENTRE_SEARCH_MAX.
 * An empty q (or one of punctuation only) returns « the centres that have
 * free slots »: only centres with at least one open slot, nearest dates
 * first.  A q over 100 characters finds nothing. */
int centre_search(db *d, arena *a, const char *q, struct centre **out, int *n);

/* ---- slots (staff) ---- */

/* Adds a slot to centre_id: date « jj/mm/aaaa » (or ISO) from today to
 * SLOT_DAYS_AHEAD days ahead, time « HH:MM » (« 9h30 » accepted), seats 1 to
 * SLOT_SEATS_MAX.  A slot at the same date and time in that centre is an
 * error (field "date").  CLR_EINVAL (e), CLR_ENOTFOUND (no such centre). */
int slot_create(db *d, arena *a, const struct actor *who, long long centre_id, const char *date, const char *time,
		const char *seats, struct errs *e, long long *id_out);
/* Changes the number of seats of slot_id (which must be centre_id's): 1 to
 * SLOT_SEATS_MAX and never below the seats already booked (the message
 * says how many are).  A past slot cannot change.  CLR_EINVAL (e, field
 * "seats"), CLR_ENOTFOUND. */
int slot_set_seats(db *d, arena *a, const struct actor *who, long long centre_id, long long slot_id,
		   const char *seats, struct errs *e);
/* Closes (closed = 1: no new booking; seats already booked stay) or reopens
 * slot_id of centre_id.  CLR_ENOTFOUND; CLR_ECONFLICT for a past slot.
 * Closing a closed slot (or reopening an open one) changes nothing. */
int slot_set_closed(db *d, arena *a, const struct actor *who, long long centre_id, long long slot_id, int closed);
/* A centre's slots by date and time: every slot from today on and the past
 * ones of the last SLOT_PAST_DAYS_SHOWN days (->past set). */
int slot_list(db *d, arena *a, long long centre_id, struct slot **out, int *n);
/* « Ouvert », « Complet », « Fermé » or « Passé » (in that order of
 * precedence: a past slot is « Passé » whatever else). */
const char *slot_state_label(const struct slot *s);

/* ---- one slot with its centre; booking ---- */

struct slot_info {
	long long slot_id, centre_id;
	const char *centre_name, *address, *postal_code, *city, *department;
	const char *date;         /* 'YYYY-MM-DD' */
	const char *time;         /* 'HH:MM' */
	int seats, booked;        /* booked: after the call, for slot_book() */
	int closed, centre_active, past;
};

/* Slot slot_id with its centre.  CLR_ENOTFOUND. */
int slot_get(db *d, arena *a, long long slot_id, struct slot_info *out);

/* Books n seats (1 to SLOT_SEATS_MAX, else CLR_EINVAL) of slot slot_id.
 *
 * One conditional statement,
 *     UPDATE laposte_slots SET booked = booked + n
 *     WHERE id = $1 AND closed = 0 AND date >= today AND booked + n <= seats
 *       AND its centre is active  RETURNING ...
 * so concurrent callers never overbook: on SQLite writers are serialised
 * (BEGIN IMMEDIATE); on PostgreSQL a second UPDATE of the row waits for the
 * first transaction and re-checks the condition against the row it left.
 * The schema's CHECK (booked <= seats) is never reached on this path: a
 * refusal is "no row updated", not a failed statement, so the caller's
 * PostgreSQL transaction stays usable after a refusal.
 *
 * Transactions: called inside an open transaction (the certification code
 * books while it creates the certifications), slot_book runs in it and the
 * caller's commit or rollback decides: a rolled-back booking gives its
 * seats back by itself.  Called outside one, it commits on its own.  It
 * writes no audit row (the caller records what it books).
 *
 * Returns
 *   0              booked; *out is the slot after the update (centre name,
 *                  address, postal code, city, date, time, seats, booked);
 *   CLR_ENOTFOUND  no such slot (*out zeroed);
 *   CLR_ECONFLICT  the slot is closed, past, its centre inactive, or it has
 *                  fewer than n free seats; nothing changed and *out holds
 *                  its current state, so the caller can say « il reste
 *                  N places » (N = seats - booked) or why it is not open;
 *   CLR_EINVAL     n out of range; a storage error otherwise. */
int slot_book(db *d, arena *a, long long slot_id, int n, struct slot_info *out);

/* Gives back n seats (1 to SLOT_SEATS_MAX) of slot slot_id: booked becomes
 * booked - n, never below 0; allowed whatever the slot's state (a
 * cancelled certification frees its seat even on a closed slot).  Same
 * transaction rules as slot_book().  0, CLR_ENOTFOUND, CLR_EINVAL. */
int slot_release(db *d, arena *a, long long slot_id, int n);

/* ---- CSV import of a season's slots (staff) ---- */

struct slot_import_error {
	int line;                        /* record number; the header is line 1 */
	const char *centre, *date, *time, *seats; /* as typed */
	const char *msgs[4];             /* French, « Date : ... » */
	int nmsg;
};

struct slot_import_report {
	const char *file_error;          /* the whole file is refused (format, columns) */
	int nlines;                      /* data lines read */
	int nerrors;                     /* lines in error */
	struct slot_import_error *errors; /* every line in error, in file order */
	int created;                     /* slots created: nlines when clean, else 0 */
	int ncentres;                    /* distinct centres of the created slots */
};

/* Column labels of the file, in the template's order: « Centre » (a
 * centre's name; case, accents and spacing ignored), « Date »
 * (jj/mm/aaaa), « Heure » (HH:MM), « Places ».  NULL-terminated. */
extern const char *const slot_import_columns[];
/* The template `modele-creneaux.csv`: UTF-8 with BOM, ';', the header and
 * two example lines (the first active centre, a date a month ahead). */
int slot_import_template(db *d, arena *a, buf *out);
/* Imports the slots of a CSV text (UTF-8: csv_to_utf8()), all or nothing:
 * every line is checked with slot_create()'s rules plus « Centre » (an
 * existing centre) and duplicates (the same centre, date and time twice in
 * the file, or already stored: reported, never duplicated).  If the file or
 * any line is refused, nothing is stored and CLR_EINVAL is returned with
 * the report (file_error, or every line in error); otherwise every slot is
 * created in one transaction with one audit row, and 0.  Columns are found
 * by their label in any order (folded: case and accents ignored); a
 * missing or unknown column refuses the file. */
int slot_import(db *d, arena *a, const struct actor *who, const char *text, size_t len,
		struct slot_import_report *rep);

#endif
