/* demo_certifications.c - the demo organisation's certifications for
 * `clr demo`, through the same domain functions as the screens: candidates
 * « Prévue » in self-proctored sessions to come and at La Poste centres,
 * « En attente » and « Passée » in sessions of the past weeks (assigned for
 * tomorrow, then their date set back: the screens never let an exam be
 * planned in the past), with results for the passed ones.  The stock
 * consumed is credited first (« Dotation de démonstration »), so that
 * « Accueil » keeps showing the orders' stock.  Runs inside demo's
 * transaction; idempotent through each batch's fixed form token. */
#include "cli/cli.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/certification.h"
#include "domain/stock.h"
#include <stdio.h>
#include <string.h>

static long long product_id(db *d, arena *a, const char *ref)
{
	db_rows r;
	if (db_query(d, a, &r, "SELECT id FROM products WHERE reference = $1", DB_P(ref)) < 0 || !r.nrows)
		return 0;
	return db_ll(&r, 0, 0);
}

/* The first open slot of the La Poste centre of that city on or after the
 * date, or 0. */
static long long slot_near(db *d, arena *a, const char *city, const char *date)
{
	db_rows r;
	if (db_query(d, a, &r,
		     "SELECT s.id FROM laposte_slots s JOIN laposte_centres c ON c.id = s.centre_id WHERE c.city LIKE $1 || '%' "
		     "AND c.active = 1 AND s.closed = 0 AND s.booked < s.seats AND s.date >= $2 ORDER BY s.date, s.time LIMIT 1",
		     DB_P(city, date)) < 0 || !r.nrows)
		return 0;
	return db_ll(&r, 0, 0);
}

static const char *iso_in(arena *a, int days)
{
	char iso[11];
	const char *fr = date_fmt(a, now_s() + (time_t)days * 86400);
	if (!date_to_iso(fr, iso))
		return "";
	return arena_strdup(a, iso);
}

/* Assigns the candidates ids[0..n) under the form token idem (nothing if
 * that batch exists), after crediting what it consumes.  *batch: its id. */
static int assign(db *d, arena *a, const struct actor *who, const char *idem, long long pid, const char *ref,
		  const char *date, const char *time, const char *place, long long slot, const long long *ids, int n,
		  long long *batch, int *fresh)
{
	db_rows r;
	*fresh = 0;
	int rc = db_query(d, a, &r, "SELECT id FROM certification_batches WHERE org_id = $1 AND idem_key = $2",
			  DB_P(db_int(a, who->org_id), idem));
	if (rc < 0)
		return rc;
	if (r.nrows) {
		*batch = db_ll(&r, 0, 0);
		return 0;
	}
	if ((rc = stock_credit(d, a, who->org_id, pid, n, "Dotation de démonstration", 0, "demo", who, NULL)) != 0)
		return rc;
	struct cert_assign in = {idem, db_int(a, pid), date, time, place, slot, {ids, n, NULL}};
	struct errs e = {0};
	rc = certification_assign(d, a, who, &in, &e, batch);
	if (rc == CLR_EINVAL)
		fprintf(stderr, "clr: demo certifications (%s): %s\n", ref, e.n ? e.e[0].msg : "");
	*fresh = rc == 0;
	return rc;
}

int demo_certifications(db *d, arena *a, long long org_id, const struct demo_cert *list, int n)
{
	struct actor who = {0, org_id, ""};
	long long partner = product_id(d, a, "PART-CLR-EXAMEN"), laposte = product_id(d, a, "PART-LAPOSTE-EXAMEN");
	if (!partner || !laposte)
		return 0;
	long long *ids = arena_alloc(a, sizeof *ids * (size_t)(n + 1));
	int rc = 0;
	/* one batch per (status, days): a session of its own, or a La Poste slot */
	for (int i = 0; i < n && rc == 0; i++) {
		int k = 0, done = 0;
		for (int j = 0; j < i; j++)
			done |= str_eq(list[j].status, list[i].status) && list[j].days == list[i].days;
		if (done)
			continue;
		for (int j = i; j < n; j++)
			if (str_eq(list[j].status, list[i].status) && list[j].days == list[i].days)
				ids[k++] = list[j].id;
		int future = str_eq(list[i].status, CAND_PLANNED);
		int at_laposte = future && list[i].city;
		const char *idem = arena_printf(a, "demo-%s-%d", list[i].status, list[i].days);
		long long batch = 0, slot = at_laposte ? slot_near(d, a, list[i].city, iso_in(a, list[i].days)) : 0;
		int fresh;
		if (at_laposte && !slot)
			continue;
		rc = assign(d, a, &who, idem, slot ? laposte : partner, slot ? "La Poste" : "session",
			    future ? iso_in(a, list[i].days) : iso_in(a, 1), "09:00",
			    future ? "Salle Voltaire, 2e étage" : "Salle Molière", slot, ids, k, &batch, &fresh);
		if (rc || future || !fresh)
			continue;
		/* an exam of the past weeks: its date set back, then its results */
		const char *past = iso_in(a, -list[i].days);
		rc = db_exec(d, "UPDATE exam_sessions SET date = $2 WHERE id = (SELECT session_id FROM certification_batches "
				"WHERE id = $1)", DB_P(db_int(a, batch), past));
		if (rc >= 0)
			rc = db_exec(d, "UPDATE certifications SET exam_date = $2 WHERE batch_id = $1",
				     DB_P(db_int(a, batch), past));
		if (rc < 0)
			break;
		rc = 0;
		if (str_eq(list[i].status, CAND_DONE)) {
			db_rows r;
			rc = db_query(d, a, &r, "SELECT id FROM certifications WHERE batch_id = $1 ORDER BY id",
				      DB_P(db_int(a, batch)));
			for (int j = 0; rc >= 0 && j < r.nrows; j++) {
				struct errs e = {0};
				struct cert_result res = {.score = 640 + (int)((db_ll(&r, j, 0) * 37) % 330),
							  .duration_s = 5400 + 60 * (j % 20),
							  .taken_at = past,
							  .source = "demo"};
				rc = certification_record_result(d, a, &who, db_ll(&r, j, 0), &res, &e, NULL);
			}
			rc = rc < 0 ? rc : 0;
		}
	}
	if (rc == 0)
		rc = certification_sweep(d, a, NULL);
	return rc;
}
