/* accounts.c - `clr admin create` and `clr staff create`. */
#include "cli/cli.h"
#include "core/arena.h"
#include "core/err.h"
#include "domain/org.h"
#include "domain/user.h"
#include <stdio.h>
#include <string.h>

static const char admin_help[] =
	"usage: clr admin create --org NAME --email E --password P [--name NAME] [--db URL]\n"
	"\n"
	"Creates a partner administrator, and their organisation if it does not\n"
	"exist yet.  The password needs at least 12 characters, must not be a\n"
	"common one (data/common_passwords.tsv) nor made of the e-mail or name.\n";

static const char staff_help[] =
	"usage: clr staff create --email E --password P [--name NAME] [--db URL]\n"
	"\n"
	"Creates a Le Robert back-office (staff) account; it logs in at /connexion\n"
	"and lands in /backoffice.  The password needs at least 12 characters,\n"
	"must not be a common one nor made of the e-mail or name.\n";

static int create(int argc, char **argv, int staff)
{
	const char *help = staff ? staff_help : admin_help;
	const char *dbf = NULL, *org = NULL, *email = NULL, *pw = NULL, *name = "";
	const struct opt opts[] = {
		{"db", &dbf, 0}, {"org", &org, 0}, {"email", &email, 0}, {"password", &pw, 0}, {"name", &name, 0}, {0, 0, 0},
	};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts + (staff ? 0 : 0), pos, 1, &npos);
	if (rc || npos != 1 || strcmp(pos[0], "create") != 0 || (!staff && !org) || (staff && org) || !email || !pw) {
		if (rc <= 0)
			fprintf(stderr, "clr: missing or unexpected arguments\n");
		fputs(help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d)
		return 1;
	arena *a = arena_new();
	struct errs e = {0};
	long long org_id = 0, uid = 0;
	int created = 0;
	rc = db_begin(d);
	if (!rc && !staff)
		rc = org_ensure(d, a, org, &org_id, &created);
	if (!rc)
		rc = user_create(d, a, org_id, email, pw, name, &e, &uid);
	if (!rc)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc == CLR_EINVAL && e.n) {
		for (int i = 0; i < e.n; i++)
			fprintf(stderr, "clr: %s: %s\n", e.e[i].field, e.e[i].msg);
	} else if (rc) {
		fprintf(stderr, "clr: cannot create the account: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
	} else if (staff) {
		printf("staff account %s created (id %lld)\n", email, uid);
	} else {
		printf("%sorganisation \"%s\" (id %lld); administrator %s created (id %lld)\n", created ? "new " : "",
		       org, org_id, email, uid);
	}
	arena_free(a);
	db_close(d);
	return rc ? 1 : 0;
}

int cmd_admin(int argc, char **argv)
{
	return create(argc, argv, 0);
}

int cmd_staff(int argc, char **argv)
{
	return create(argc, argv, 1);
}
