/* demo_team.c - the demo organisation's team (issue 15): a second
 * administrator, a proctor assigned to the next exam session, and a
 * pending invitation, and an « Alerte de stock » at 10 that shows the
 * low-stock banner, in demo's transaction.  Idempotent. */
#include "cli/cli.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/team.h"
#include "domain/user.h"

/* The account of email, created if new; *id its id. */
static int member(db *d, arena *a, long long org_id, const char *email, const char *pw, const char *name, long long *id)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT id FROM users WHERE email = $1", DB_P(email));
	if (rc < 0)
		return rc;
	if (r.nrows) {
		*id = db_ll(&r, 0, 0);
		return 0;
	}
	struct errs e = {0};
	return user_create(d, a, org_id, email, pw, name, &e, id);
}

int demo_team(db *d, arena *a, long long org_id, long long admin_id)
{
	long long second, proctor;
	int rc = member(d, a, org_id, DEMO_ADMIN2, DEMO_ADMIN2_PW, "Hélène Dubois", &second);
	if (rc == 0)
		rc = member(d, a, org_id, DEMO_PROCTOR, DEMO_PROCTOR_PW, "Paul Lefèvre", &proctor);
	if (rc == 0)
		rc = db_exec(d, "UPDATE users SET proctor = 1 WHERE id = $1", DB_P(db_int(a, proctor)));
	if (rc < 0)
		return rc;
	/* the proctor watches the organisation's next self-proctored session */
	db_rows s;
	rc = db_query(d, a, &s,
		      "SELECT id FROM exam_sessions WHERE org_id = $1 ORDER BY CASE WHEN date >= $2 THEN 0 ELSE 1 END, date, id "
		      "LIMIT 1",
		      DB_P(db_int(a, org_id), date_today_iso(a)));
	if (rc < 0)
		return rc;
	if (s.nrows) {
		rc = db_exec(d, "INSERT INTO exam_session_proctors (session_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
			     DB_P(db_cell(&s, 0, 0), db_int(a, proctor)));
		if (rc < 0)
			return rc;
	}
	/* « Alerte de stock » at 10: the demo's 9 credits of one type show the banner on « Accueil » */
	rc = db_exec(d, "UPDATE organisations SET stock_threshold = 10 WHERE id = $1", DB_P(db_int(a, org_id)));
	if (rc < 0)
		return rc;
	/* a pending invitation (its e-mail goes to the outbox like any other) */
	db_rows i;
	rc = db_query(d, a, &i, "SELECT 1 FROM invitations WHERE org_id = $1 AND email = $2",
		      DB_P(db_int(a, org_id), DEMO_INVITEE));
	if (rc < 0 || i.nrows)
		return rc < 0 ? rc : 0;
	struct actor who = {admin_id, org_id, ""};
	struct errs e = {0};
	rc = team_invite(d, a, &who, DEMO_INVITEE, "Julie Moreau", "proctor", &e, NULL);
	return rc == CLR_EINVAL ? 0 : rc;
}
