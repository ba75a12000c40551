/* serve.c - `clr serve` and `clr migrate`.  `clr serve` runs the HTTP
 * server and, beside it, the background threads: mail delivery, the
 * builder of the candidate lists' index and the certifications' sweep.
 * They start before the server and stop once it has finished its requests. */
#include "cli/cli.h"
#include "core/log.h"
#include "core/tmpl.h"
#include "db/db.h"
#include "db/sqlite_file.h"
#include "http/request.h"
#include "http/server.h"
#include "mail/smtp.h"
#include "mail/worker.h"
#include "domain/cand_index.h"
#include "domain/certification.h"
#include "domain/place.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- background threads ------------------------------------------------ */

#define MAX_BG 8

struct bg {
	void (*fn)(atomic_int *stop); /* runs until *stop */
	pthread_t th;
};

static struct bg bgs[MAX_BG];
static int nbg;
static atomic_int bg_stop;

static void *bg_main(void *arg)
{
	struct bg *b = arg;
	b->fn(&bg_stop);
	db_thread_close();
	return NULL;
}

/* Starts fn on a thread of its own that takes no signal (SIGINT and
 * SIGTERM are for server_run()'s sigwait()). */
static void bg_start(void (*fn)(atomic_int *stop))
{
	if (nbg == MAX_BG)
		abort();
	struct bg *b = &bgs[nbg++];
	b->fn = fn;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&b->th, NULL, bg_main, b) != 0)
		abort();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void bg_stop_all(void)
{
	atomic_store(&bg_stop, 1);
	for (int i = 0; i < nbg; i++)
		pthread_join(bgs[i].th, NULL);
	nbg = 0;
}

static const char serve_help[] =
	"usage: clr serve [--db URL] [--port N] [--listen ADDR] [--threads N]\n"
	"\n"
	"Applies pending migrations, then serves the platform over HTTP until\n"
	"SIGINT or SIGTERM (requests in flight are finished first).\n"
	"\n"
	"  --db URL        sqlite:PATH or postgresql://... (env CLR_DB, default sqlite:var/clr.db)\n"
	"  --port N        TCP port (env CLR_PORT, default 8080)\n"
	"  --listen ADDR   address to bind (default 127.0.0.1)\n"
	"env CLR_BASE_URL: the platform's address in e-mailed links (default http://ADDR:PORT)\n"
	"  --threads N     worker threads (default: one per core the process may run on)\n"
	"\n"
	"Environment: CLR_LIST_INDEX_MIN (default 2000; 0 turns it off) and\n"
	"CLR_LIST_INDEX_MB (default 64): organisations with at least that many\n"
	"candidates get an in-memory search index of their list, within that\n"
	"many megabytes in all (docs/PERFORMANCE.md).  Mail: docs/MAIL.md.\n"
	"CLR_SWEEP_S (default 300): every so many seconds, candidates whose exam\n"
	"date has passed go from « Prévue » to « En attente ».\n"
	"CLR_TRUSTED_PROXIES: addresses or CIDR blocks of the proxies whose\n"
	"X-Forwarded-For is believed (the rightmost other address is the client).\n"
	"CLR_SESSION_MAX_H (default 12): a session ends that many hours after login.\n"
	"CLR_MAX_CONNS (default: what the open-file limit, raised to its hard limit,\n"
	"and an eighth of the memory at 160 KiB a connection allow): connections\n"
	"held at once; more wait in the listen backlog until one closes.\n"
	"CLR_MAX_CONNS_PER_IP (default 128; 0: none): past that many connections\n"
	"from one address, a new one is answered 503 with Retry-After and closed\n"
	"(the proxies of CLR_TRUSTED_PROXIES are not limited).\n"
	"CLR_UPLOAD_DIR (default TMPDIR, else /var/tmp): request bodies over 64 KiB\n"
	"are spooled there to unlinked files while they arrive.\n"
	"CLR_METRICS_FROM (default \"127.0.0.1, ::1\"): who may read GET /metrics\n"
	"(addresses or CIDR blocks; anyone else gets 404).  CLR_OUTBOX_STUCK_S\n"
	"(default 900): GET /readyz answers 503 when an e-mail has waited longer.\n"
	"CLR_LOG_FORMAT=json: one JSON object per log line (docs/OPERATIONS.md).\n"
	"CLR_TMPL_STRICT=1 (the tests set it): a template variable that a page's\n"
	"view does not set is logged as an error (src/core/tmpl.h).\n";

/* « Prévue » becomes « En attente » when exam dates pass: a sweep at start,
 * then every CLR_SWEEP_S seconds (default 300), on every server (it is
 * idempotent and cheap when there is nothing to do). */
static void sweep_worker(atomic_int *stop)
{
	const char *e = getenv("CLR_SWEEP_S");
	long every = e && atol(e) > 0 ? atol(e) : 300, waited = every * 5;
	while (!atomic_load(stop)) {
		if (waited >= every * 5) { /* ticks of 200 ms */
			db *d = db_thread();
			arena *a = arena_new();
			long long n = 0;
			if (d && certification_sweep(d, a, &n) == 0 && n > 0)
				log_info("msg=\"certifications past their date\" candidates=%lld", n);
			arena_free(a);
			waited = 0;
		}
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
		waited++;
	}
}

/* A count from the environment: dflt when unset, -1 when not a whole number. */
static int env_count(const char *name, int dflt)
{
	const char *e = getenv(name);
	if (!e || !*e)
		return dflt;
	char *end;
	long v = strtol(e, &end, 10);
	return *end || v < 0 || v > 1000000 ? -1 : (int)v;
}

int cmd_serve(int argc, char **argv)
{
	const char *dbf = NULL, *port = getenv("CLR_PORT"), *listen = "127.0.0.1", *threads = NULL;
	const struct opt opts[] = {
		{"db", &dbf, 0}, {"port", &port, 0}, {"listen", &listen, 0}, {"threads", &threads, 0}, {0, 0, 0},
	};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 0, &npos);
	if (rc) {
		fputs(serve_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	int p = port ? atoi(port) : 8080;
	if (p <= 0 || p > 65535) {
		fprintf(stderr, "clr: invalid port '%s'\n", port);
		return 2;
	}
	char perr[200];
	if (req_trusted_proxies_init(perr, sizeof perr)) {
		fprintf(stderr, "clr: %s\n", perr);
		return 2;
	}
	const char *url = cli_db_url(dbf);
	/* a shared lock on the SQLite file while we serve, taken before the
	 * migrations (after them for a new file): `clr restore` keeps away (sqlite_file.h) */
	int sq = strncmp(url, "sqlite:", 7) == 0, locked = sq && access(url + 7, F_OK) == 0;
	if (locked && sqlite_serve_lock(url + 7, perr, sizeof perr) != 0) {
		fprintf(stderr, "clr: %s\n", perr);
		return 1;
	}
	db *d = cli_open_db(url, 1);
	if (!d)
		return 1;
	if (sq && !locked && sqlite_serve_lock(url + 7, perr, sizeof perr) != 0) {
		fprintf(stderr, "clr: %s\n", perr);
		db_close(d);
		return 1;
	}
	if (reference_load(d) < 0) { /* postal codes and countries (issue 6) */
		db_close(d);
		return 1;
	}
	db_close(d);
	db_set_url(url);
	if (tmpl_init() != 0)
		return 1;
	if (!getenv("CLR_BASE_URL") || !*getenv("CLR_BASE_URL")) { /* links in e-mails: what we serve (mail/config.h) */
		char base[300];
		snprintf(base, sizeof base, strchr(listen, ':') ? "http://[%s]:%d" : "http://%s:%d", listen, p);
		setenv("CLR_BASE_URL", base, 1); /* before any thread starts */
	}
	int max_conns = env_count("CLR_MAX_CONNS", 0), per_ip = env_count("CLR_MAX_CONNS_PER_IP", 128);
	if (max_conns < 0 || per_ip < 0) {
		fprintf(stderr, "clr: CLR_MAX_CONNS and CLR_MAX_CONNS_PER_IP take a whole number (0: the default / none)\n");
		return 2;
	}
	struct server_opts so = {listen, p, threads ? atoi(threads) : 0, 30, max_conns, per_ip};
	smtp_global_init();
	bg_start(mail_worker); /* the outbox delivery (issue 3) */
	cand_index_enable(); /* the in-memory search index of large candidate lists (issue 6) */
	if (cand_index_enabled())
		bg_start(cand_index_worker);
	bg_start(sweep_worker); /* « Prévue » -> « En attente » (certification.h) */
	rc = server_run(&so);
	bg_stop_all();
	db_close_all_threads();
	return rc ? 1 : 0;
}

static const char migrate_help[] =
	"usage: clr migrate [--db URL]\n"
	"\n"
	"Applies the pending database migrations (each once, in order, recorded\n"
	"in schema_migrations) and prints their names.\n"
	"\n"
	"  --db URL   sqlite:PATH or postgresql://... (env CLR_DB, default sqlite:var/clr.db)\n";

int cmd_migrate(int argc, char **argv)
{
	const char *dbf = NULL;
	const struct opt opts[] = {{"db", &dbf, 0}, {0, 0, 0}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 0, &npos);
	if (rc) {
		fputs(migrate_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	db *d = cli_open_db(cli_db_url(dbf), 0);
	if (!d)
		return 1;
	int n = db_migrate(d, 1);
	if (n >= 0 && reference_load(d) < 0) /* postal codes and countries (issue 6) */
		n = -1;
	if (n < 0)
		fprintf(stderr, "clr: migration failed: %s\n", db_errmsg(d));
	else
		printf("%d migration%s applied\n", n, n == 1 ? "" : "s");
	db_close(d);
	return n < 0 ? 1 : 0;
}
