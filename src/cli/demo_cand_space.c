/* demo_cand_space.c - the candidate's space in `clr demo`: three of the
 * demo organisation's candidates have a password of their own (one with a
 * result, its « Coordonnées » complete and its certificate issued; one
 * booked at a La Poste centre; one in a self-proctored session), so that
 * /candidat shows every case.  Idempotent. */
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/candidate.h"
#include "domain/certificate.h"
#include <string.h>

/* The first candidate of the organisation matching `where` (on c, a
 * certification, and k, its candidate), or 0. */
static long long pick(db *d, arena *a, long long org_id, const char *where, const char **email)
{
	db_rows r;
	int rc = db_query(d, a, &r,
			  arena_printf(a,
				       "SELECT k.id, k.email FROM candidates k JOIN certifications c ON c.candidate_id = k.id "
				       "WHERE k.org_id = $1 AND %s ORDER BY k.id LIMIT 1",
				       where),
			  DB_P(db_int(a, org_id)));
	if (rc < 0 || !r.nrows)
		return rc < 0 ? rc : 0;
	if (email)
		*email = db_cell(&r, 0, 1);
	return db_ll(&r, 0, 0);
}

static int set_password(db *d, arena *a, long long id, const char *hash)
{
	int rc = db_exec(d,
			 "UPDATE candidates SET password_hash = $1, password_by = 'candidate' WHERE id = $2 "
			 "AND password_by <> 'candidate'",
			 DB_P(hash, db_int(a, id)));
	return rc < 0 ? rc : 0;
}

int demo_cand_space(db *d, arena *a, long long org_id, const char *password, const char **email_out)
{
	char hash[PW_HASH_MAX];
	if (pw_hash(password, hash))
		return CLR_ESYS;
	*email_out = "";
	/* a second run changes nothing: passwords set once, « Coordonnées » filled once */
	const char *email = NULL;
	long long done = pick(d, a, org_id, "c.state = 'taken' AND c.score IS NOT NULL", &email);
	long long lp = pick(d, a, org_id, "c.state = 'planned' AND c.mode = 'laposte'", NULL);
	long long pp = pick(d, a, org_id, "c.state = 'planned' AND c.mode = 'partner'", NULL);
	if (done < 0 || lp < 0 || pp < 0)
		return (int)(done < 0 ? done : lp < 0 ? lp : pp);
	int rc = 0;
	for (long long id, i = 0; rc == 0 && i < 3; i++)
		if ((id = i == 0 ? done : i == 1 ? lp : pp) > 0)
			rc = set_password(d, a, id, hash);
	if (rc || done <= 0)
		return rc;
	/* the candidate with a result: « Coordonnées » complete, certificate issued */
	db_rows r;
	int rc2 = db_query(d, a, &r, "SELECT phone FROM candidates WHERE id = $1", DB_P(db_int(a, done)));
	if (rc2 < 0)
		return rc2;
	struct candidate_input in = {0};
	in.phone = "06 12 34 56 78";
	in.address = "8 rue Voltaire";
	in.postal_code = "69003";
	in.city = "Lyon";
	in.country = "FR";
	struct errs e = {0};
	struct actor who = {0, org_id, "demo"};
	long long id_out;
	int finished;
	if (str_empty(db_cell(&r, 0, 0)) &&
	    (rc = candidate_save_step(d, a, &who, done, CAND_STEP_CONTACT, &in, 0, &e, &id_out, &finished)))
		return rc;
	rc = db_query(d, a, &r, "SELECT id FROM certifications WHERE candidate_id = $1 AND state = 'taken' ORDER BY id LIMIT 1",
		      DB_P(db_int(a, done)));
	if (rc < 0)
		return rc;
	struct certificate c;
	rc = certificate_issue(d, a, org_id, done, db_ll(&r, 0, 0), &c);
	if (rc)
		return rc;
	*email_out = email;
	return 0;
}
