/* baseline.c - the ceiling of bench/run.sh: a minimal libmicrohttpd server
 * that answers every request with the bytes of one file (a page captured
 * from `clr serve` with curl), from memory, with the same thread model as
 * `clr serve` (internal epoll thread pool, one thread per core it may run on, same
 * connection timeout, limit and memory limit) and the same response
 * headers, so that the ratio "page req/s / baseline req/s" measures what
 * the application adds (routing, session, SQL, templates) and nothing else.
 *
 * With BASELINE_PG=URL (and BASELINE_SQL, a statement without parameters),
 * each request first runs that statement, prepared, on its thread's own
 * connection and waits for its rows: the floor of bench/run.sh's « floor-*
 * » cases, what a page that makes one round trip to PostgreSQL and nothing
 * else could reach on this machine.
 *
 *   cc -O2 -o baseline bench/baseline.c $(pkg-config --cflags --libs libmicrohttpd libpq)
 *   baseline PORT FILE          (stops on SIGINT/SIGTERM)
 */
#include <libpq-fe.h>
#include <microhttpd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *page;
static size_t page_len;
static const char *pg_url, *pg_sql;
static _Thread_local PGconn *pg;

/* BASELINE_PG: the statement's round trip; 0, or -1 when it failed. */
static int round_trip(void)
{
	if (!pg) {
		pg = PQconnectdb(pg_url);
		if (PQstatus(pg) != CONNECTION_OK) {
			fprintf(stderr, "baseline: %s", PQerrorMessage(pg));
			PQfinish(pg);
			pg = NULL;
			return -1;
		}
		PGresult *p = PQprepare(pg, "s", pg_sql, 0, NULL);
		int ok = PQresultStatus(p) == PGRES_COMMAND_OK;
		PQclear(p);
		if (!ok)
			return -1;
	}
	PGresult *res = PQexecPrepared(pg, "s", 0, NULL, NULL, NULL, 0);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok ? 0 : -1;
}

static const char CSP[] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
			  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	(void)cls, (void)url, (void)method, (void)version, (void)upload_data;
	if (!*req_cls) { /* first call: headers only, as clr serve */
		*req_cls = (void *)1;
		return MHD_YES;
	}
	*upload_data_size = 0;
	if (pg_url && round_trip() < 0)
		return MHD_NO;
	struct MHD_Response *r = MHD_create_response_from_buffer(page_len, page, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: baseline PORT FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	page_len = (size_t)ftell(f);
	rewind(f);
	page = malloc(page_len + 1);
	if (!page || fread(page, 1, page_len, f) != page_len) {
		fprintf(stderr, "baseline: cannot read %s\n", argv[2]);
		return 1;
	}
	fclose(f);
	pg_url = getenv("BASELINE_PG");
	if (pg_url && !*pg_url)
		pg_url = NULL;
	pg_sql = getenv("BASELINE_SQL") ? getenv("BASELINE_SQL") : "SELECT 1";
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	cpu_set_t cpus; /* one thread per usable core, as clr serve (its CPU affinity) */
	long threads = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : sysconf(_SC_NPROCESSORS_ONLN);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, (uint16_t)atoi(argv[1]),
		NULL, NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(threads > 0 ? threads : 1),
		MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 512u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "baseline: cannot listen on port %s\n", argv[1]);
		return 1;
	}
	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	free(page);
	return 0;
}
