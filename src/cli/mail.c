/* mail.c - `clr mail deliver|list|show|retry|test`: the outbox from the
 * shell (see docs/MAIL.md). */
#include "cli/cli.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "core/tmpl.h"
#include "domain/outbox.h"
#include "domain/org.h"
#include "domain/user.h"
#include "mail/smtp.h"
#include "mail/worker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char mail_help[] =
	"usage: clr mail COMMAND [options] [--db URL]\n"
	"\n"
	"  deliver                       send every message due now, print the counts\n"
	"  list [--status S] [--org NAME] [--to E]\n"
	"                                the outbox, newest first (S: pending, sending,\n"
	"                                sent, failed; NAME and E match a part)\n"
	"  show ID                       one message, with its stored MIME text\n"
	"  retry ID                      send a failed message again (« Renvoyer »)\n"
	"  test --to E [--org NAME] [--name N]\n"
	"                                queue a French test message (HTML part and an\n"
	"                                .ics attachment)\n"
	"\n"
	"Delivery uses CLR_SMTP_URL (smtp://user:pass@host:587, smtps://...); without\n"
	"it each message is written to CLR_MAIL_DIR (default var/mail) as ID-KIND.eml.\n"
	"  --db URL   sqlite:PATH or postgresql://... (env CLR_DB, default sqlite:var/clr.db)\n";

static const char ics[] =
	"BEGIN:VCALENDAR\r\n"
	"VERSION:2.0\r\n"
	"PRODID:-//Certification Le Robert//Plateforme//FR\r\n"
	"BEGIN:VEVENT\r\n"
	"UID:essai@certification-lerobert.test\r\n"
	"DTSTAMP:20250101T090000Z\r\n"
	"DTSTART:20250115T090000Z\r\n"
	"DTEND:20250115T104500Z\r\n"
	"SUMMARY:Certification Le Robert - session d'essai\r\n"
	"END:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static void print_row(arena *a, const struct outbox_row *o)
{
	time_t t = (time_t)o->created_at;
	struct tm tm;
	char when[32];
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%d/%m/%Y %H:%M", &tm);
	printf("%lld\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", o->id, when, o->status, o->attempts,
	       o->org_name && *o->org_name ? o->org_name : "-", o->recipient, o->kind, o->subject,
	       o->last_error && *o->last_error ? o->last_error : "-");
	(void)a;
}

static int parse_id(const char *s, long long *id)
{
	char *end;
	*id = s ? strtoll(s, &end, 10) : 0;
	return s && *s && !*end && *id > 0 ? 0 : -1;
}

static int do_test(db *d, arena *a, const char *to, const char *org, const char *name)
{
	struct errs e = {0};
	long long org_id = 0, id = 0;
	int created = 0;
	if (tmpl_init() != 0)
		return 1;
	view *v = view_new(a);
	if (name)
		view_set(v, "name", name);
	struct mail_attachment att = {"invitation.ics", "text/calendar; charset=UTF-8; method=PUBLISH",
				      (const unsigned char *)ics, sizeof ics - 1};
	struct mail m = {
		.kind = "mail.test", .to = to, .to_name = name,
		.subject = "Message d’essai — Certification Le Robert : accents « éèàçô »",
		.tmpl = "test", .v = v, .attachments = &att, .nattachments = 1,
	};
	int rc = db_begin(d);
	if (!rc && org)
		rc = org_ensure(d, a, org, &org_id, &created);
	m.org_id = org_id;
	if (!rc)
		rc = outbox_enqueue(d, a, &m, &e, &id);
	if (!rc)
		rc = db_commit(d);
	else
		db_rollback(d);
	if (rc == CLR_EINVAL && e.n) {
		for (int i = 0; i < e.n; i++)
			fprintf(stderr, "clr: %s: %s\n", e.e[i].field, e.e[i].msg);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "clr: cannot queue the message: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
		return 1;
	}
	printf("message %lld queued for %s\n", id, to);
	return 0;
}

int cmd_mail(int argc, char **argv)
{
	const char *dbf = NULL, *status = NULL, *org = NULL, *to = NULL, *name = NULL;
	const struct opt opts[] = {
		{"db", &dbf, 0},	 {"status", &status, 0}, {"org", &org, 0}, {"to", &to, 0},
		{"name", &name, 0},	 {0, 0, 0},
	};
	const char *pos[2];
	int npos, rc = cli_parse(argc, argv, opts, pos, 2, &npos);
	const char *sub = npos > 0 ? pos[0] : "";
	int want_id = !strcmp(sub, "show") || !strcmp(sub, "retry");
	int known = want_id || !strcmp(sub, "deliver") || !strcmp(sub, "list") || !strcmp(sub, "test");
	long long id = 0;
	if (rc || !known || npos != (want_id ? 2 : 1) || (want_id && parse_id(pos[1], &id)) ||
	    (!strcmp(sub, "test") && !to)) {
		if (rc == 0)
			fprintf(stderr, "clr: missing or unexpected arguments\n");
		fputs(mail_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d)
		return 1;
	arena *a = arena_new();
	int ret = 0;
	if (!strcmp(sub, "deliver")) {
		struct mail_counts c = {0, 0, 0};
		log_set_quiet(1);
		smtp_global_init();
		rc = mail_deliver_once(d, &c, NULL);
		if (rc < 0) {
			fprintf(stderr, "clr: delivery stopped: %s\n", db_errmsg(d));
			ret = 1;
		}
		printf("%d sent, %d to retry, %d failed\n", c.sent, c.retried, c.failed);
	} else if (!strcmp(sub, "list")) {
		struct outbox_filter f = {status, org, to, 1000};
		struct outbox_row *rows;
		int n;
		rc = outbox_list(d, a, &f, &rows, &n);
		if (rc == CLR_EINVAL) {
			fprintf(stderr, "clr: unknown status '%s' (pending, sending, sent, failed)\n", status);
			ret = 2;
		} else if (rc) {
			fprintf(stderr, "clr: %s\n", db_errmsg(d));
			ret = 1;
		} else {
			printf("id\tcreated\tstatus\tattempts\torganisation\trecipient\tkind\tsubject\tlast_error\n");
			for (int i = 0; i < n; i++)
				print_row(a, &rows[i]);
		}
	} else if (!strcmp(sub, "show")) {
		struct outbox_row o;
		rc = outbox_get(d, a, id, &o);
		if (rc) {
			fprintf(stderr, "clr: message %lld: %s\n", id, clr_strerror(rc));
			ret = 1;
		} else {
			print_row(a, &o);
			printf("\n%s", o.message);
		}
	} else if (!strcmp(sub, "retry")) {
		struct actor who = {0, 0, "cli"};
		rc = outbox_retry(d, a, &who, id);
		if (rc == CLR_ECONFLICT)
			fprintf(stderr, "clr: message %lld has not failed: nothing to retry\n", id);
		else if (rc)
			fprintf(stderr, "clr: message %lld: %s\n", id, clr_strerror(rc));
		else
			printf("message %lld will be sent again\n", id);
		ret = rc ? 1 : 0;
	} else {
		ret = do_test(d, a, to, org, name);
	}
	arena_free(a);
	db_close(d);
	return ret;
}
