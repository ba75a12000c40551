/* cli.h - subcommand implementations and their shared option parser.
 * The CLI table itself is in src/main.c. */
#ifndef CLR_CLI_H
#define CLR_CLI_H
#include "db/db.h"

/* One accepted option: --name VALUE (or --name=VALUE); flags take no value. */
struct opt {
	const char *name;
	const char **value; /* where the value goes (flags: "1") */
	int is_flag;
};

/* Parses argv against opts (NULL-terminated by name); positional arguments
 * are collected into pos (up to maxpos).  Returns 0, 1 if --help was asked,
 * or -1 after printing an error. */
int cli_parse(int argc, char **argv, const struct opt *opts, const char **pos, int maxpos, int *npos);
/* --db, else $CLR_DB, else sqlite:var/clr.db. */
const char *cli_db_url(const char *flag);
/* Opens the database (creating var/ for the default SQLite path), runs
 * pending migrations if migrate != 0.  Prints the error and returns NULL on
 * failure. */
db *cli_open_db(const char *url, int migrate);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_staff(int argc, char **argv);
int cmd_order(int argc, char **argv); /* orders.c */
int cmd_stock(int argc, char **argv); /* orders.c */
/* The demo organisation's orders and stock (demo_orders.c), in demo's transaction. */
int demo_orders(db *d, arena *a, long long org_id);
/* The demo organisation's candidates in every status (demo_candidates.c), in demo's transaction. */
int demo_candidates(db *d, arena *a, long long org_id);
/* The demo organisation's certifications (demo_certifications.c), in demo's
 * transaction: one entry per candidate to certify, with the status wanted,
 * the exam's distance in days (to come for « Prévue », past otherwise) and,
 * for some « Prévue » ones, the city of a La Poste centre (else NULL). */
struct demo_cert {
	long long id;
	const char *status;
	int days;
	const char *city;
};
int demo_certifications(db *d, arena *a, long long org_id, const struct demo_cert *list, int n);
/* The demo organisation's groups, one of each category (demo_groups.c), in demo's transaction. */
int demo_groups(db *d, arena *a, long long org_id);
/* The demo organisation's requests to support, open, answered and closed (demo_support.c), in demo's transaction. */
int demo_support(db *d, arena *a, long long org_id);
/* The demo organisation's team (demo_team.c), in demo's transaction: a
 * second administrator, a proctor assigned to the next session, a pending
 * invitation (issue 15). */
#define DEMO_ADMIN2 "helene.dubois@demo.clr.test"
#define DEMO_ADMIN2_PW "Voltaire-2026"
#define DEMO_PROCTOR "paul.lefevre@demo.clr.test"
#define DEMO_PROCTOR_PW "Surveillance-2026"
#define DEMO_INVITEE "julie.moreau@demo.clr.test"
int demo_team(db *d, arena *a, long long org_id, long long admin_id);
/* La Poste exam centres with slots over the next 8 weeks (demo_centres.c), in demo's transaction. */
int demo_centres(db *d, arena *a);
/* Three demo candidates with a password of their own, one with a result
 * and its certificate (demo_cand_space.c); *email_out: that one's e-mail. */
int demo_cand_space(db *d, arena *a, long long org_id, const char *password, const char **email_out);
/* `clr demo --candidates N --org NAME`: N synthetic candidates (demo_groups.c). */
int demo_bulk_candidates(db *d, arena *a, const char *org, const char *count);
int cmd_mail(int argc, char **argv);  /* mail.c */
int cmd_candidates(int argc, char **argv); /* candidates.c: candidates import */
int cmd_bench_data(int argc, char **argv); /* bench_data.c: the data set of bench/ */
int cmd_certifications(int argc, char **argv); /* certifications.c: certifications sweep */
int cmd_results(int argc, char **argv); /* results.c: results import */
int cmd_backup(int argc, char **argv);  /* backup.c: online backup of a SQLite database */
int cmd_restore(int argc, char **argv); /* backup.c: restore a SQLite backup */
int cmd_copy(int argc, char **argv);    /* copy.c: one database into another (SQLite <-> PostgreSQL) */
int cmd_routes(int argc, char **argv);  /* routes.c: the route table, listed */

#endif
