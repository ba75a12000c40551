/* metrics.c - request counters and latency histograms per route pattern,
 * responses in flight, connections, and the Prometheus text rendering of
 * every metric of the process (http/metrics.h).
 *
 * Hot path: metrics_request_end() does three relaxed atomic adds in the
 * route's slot (status class, latency bucket, latency sum); the slot is the
 * route's index in THE route table, so the label is the pattern
 * ("/candidats/{id}"), never the raw path, and the series are bounded by
 * the table's size.  Requests that match no route share one slot. */
#include "http/metrics.h"
#include "http/routes.h"
#include "core/metrics.h"
#include "domain/cand_index.h"
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROUTES 512 /* slots; the route table has ~130 routes */
#define NB 12

/* upper bounds of the latency buckets, seconds (and microseconds) */
static const char *const bound_txt[NB] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
					  "0.1",   "0.25",   "0.5",   "1",    "2.5",   "10"};
static const unsigned long long bound_us[NB] = {1000,   2500,   5000,    10000,   25000,   50000,
						100000, 250000, 500000, 1000000, 2500000, 10000000};

struct slot {
	atomic_ullong status[5]; /* 1xx .. 5xx */
	atomic_ullong bucket[NB + 1]; /* per bucket (not cumulative); the last: above 10 s */
	atomic_ullong sum_us;
};

static struct slot slots[MAX_ROUTES + 1]; /* [MAX_ROUTES]: no route */
static atomic_llong in_flight, conns_open;
static atomic_ullong conns_total;
static atomic_ullong req_seq;
static _Atomic uint32_t req_prefix; /* random, set by the first request */

#define ADD(x, v) atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)
#define GET(x) atomic_load_explicit(&(x), memory_order_relaxed)

void metrics_request_start(void)
{
	ADD(in_flight, 1);
}

void metrics_request_end(const struct req *r, double ms)
{
	ADD(in_flight, -1);
	long idx = r->route ? (long)(r->route - routes) : MAX_ROUTES;
	if (idx < 0 || idx > MAX_ROUTES)
		idx = MAX_ROUTES;
	struct slot *s = &slots[idx];
	int cls = r->status / 100;
	if (cls < 1 || cls > 5)
		cls = 5; /* no answer given: counted as a server error */
	ADD(s->status[cls - 1], 1);
	unsigned long long us = ms > 0 ? (unsigned long long)(ms * 1000) : 0;
	int b = 0;
	while (b < NB && us > bound_us[b])
		b++;
	ADD(s->bucket[b], 1);
	ADD(s->sum_us, us);
}

void metrics_connection(int delta)
{
	ADD(conns_open, delta);
	if (delta > 0)
		ADD(conns_total, 1);
}

void metrics_request_id(char out[17])
{
	uint32_t prefix = atomic_load_explicit(&req_prefix, memory_order_relaxed);
	if (!prefix) { /* two first requests may both draw one: either will do */
		randombytes_buf(&prefix, sizeof prefix);
		prefix |= 1;
		atomic_store_explicit(&req_prefix, prefix, memory_order_relaxed);
	}
	static const char hex[] = "0123456789abcdef";
	uint64_t v = (uint64_t)prefix << 32 | (uint32_t)(ADD(req_seq, 1) + 1);
	for (int i = 15; i >= 0; i--, v >>= 4) /* not snprintf(): one per request */
		out[i] = hex[v & 15];
	out[16] = 0;
}

static void head(buf *o, const char *name, const char *type, const char *help)
{
	buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* route="...",method="..." for slot i */
static void labels(buf *o, int i)
{
	if (i == MAX_ROUTES)
		buf_adds(o, "method=\"\",route=\"(none)\"");
	else
		buf_printf(o, "method=\"%s\",route=\"%s\"", routes[i].method, routes[i].pattern);
}

static long long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long long size = 0, res = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%lld %lld", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * sysconf(_SC_PAGESIZE);
}

void metrics_render(buf *o, const struct metrics_db *m)
{
	int nroutes = 0;
	while (routes[nroutes].method && nroutes < MAX_ROUTES)
		nroutes++;
	static const char *const cls[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

	head(o, "clr_http_requests_total", "counter", "HTTP requests by route pattern and status class.");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		if (i == nroutes)
			i = MAX_ROUTES;
		for (int c = 0; c < 5; c++) {
			unsigned long long v = GET(slots[i].status[c]);
			if (!v)
				continue;
			buf_adds(o, "clr_http_requests_total{");
			labels(o, i);
			buf_printf(o, ",status=\"%s\"} %llu\n", cls[c], v);
		}
	}
	head(o, "clr_http_request_duration_seconds", "histogram",
	     "Time from a request's arrival to its completion, by route pattern.");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		if (i == nroutes)
			i = MAX_ROUTES;
		unsigned long long b[NB + 1], total = 0;
		for (int k = 0; k <= NB; k++)
			total += b[k] = GET(slots[i].bucket[k]);
		if (!total)
			continue;
		unsigned long long cum = 0;
		for (int k = 0; k <= NB; k++) {
			cum += b[k];
			buf_adds(o, "clr_http_request_duration_seconds_bucket{");
			labels(o, i);
			buf_printf(o, ",le=\"%s\"} %llu\n", k < NB ? bound_txt[k] : "+Inf", cum);
		}
		buf_adds(o, "clr_http_request_duration_seconds_sum{");
		labels(o, i);
		buf_printf(o, "} %.6f\n", (double)GET(slots[i].sum_us) / 1e6);
		buf_adds(o, "clr_http_request_duration_seconds_count{");
		labels(o, i);
		buf_printf(o, "} %llu\n", cum);
	}
	head(o, "clr_http_requests_in_flight", "gauge", "Requests received and not yet completed.");
	buf_printf(o, "clr_http_requests_in_flight %lld\n", (long long)GET(in_flight));
	head(o, "clr_http_connections", "gauge", "Open TCP connections.");
	buf_printf(o, "clr_http_connections %lld\n", (long long)GET(conns_open));
	head(o, "clr_http_connections_total", "counter", "TCP connections accepted.");
	buf_printf(o, "clr_http_connections_total %llu\n", GET(conns_total));

	head(o, "clr_login_failures_total", "counter", "Logins refused for a wrong e-mail or password.");
	buf_printf(o, "clr_login_failures_total %llu\n", metric_get(M_LOGIN_FAILURES));
	head(o, "clr_login_throttled_total", "counter", "Login attempts refused by the throttling (HTTP 429).");
	buf_printf(o, "clr_login_throttled_total %llu\n", metric_get(M_LOGIN_THROTTLED));

	head(o, "clr_db_errors_total", "counter", "Failed statements (constraint conflicts excepted).");
	buf_printf(o, "clr_db_errors_total %llu\n", metric_get(M_DB_ERRORS));
	head(o, "clr_db_connections_lost_total", "counter", "PostgreSQL connections found lost.");
	buf_printf(o, "clr_db_connections_lost_total %llu\n", metric_get(M_DB_LOST));
	head(o, "clr_db_reconnections_total", "counter", "PostgreSQL connections re-established.");
	buf_printf(o, "clr_db_reconnections_total %llu\n", metric_get(M_DB_RECONNECTS));
	head(o, "clr_db_unreachable_total", "counter",
	     "Times reconnecting to PostgreSQL gave up after CLR_DB_WAIT_S.");
	buf_printf(o, "clr_db_unreachable_total %llu\n", metric_get(M_DB_UNREACHABLE));
	head(o, "clr_db_up", "gauge", "1 if this scrape could read the database.");
	buf_printf(o, "clr_db_up %d\n", m->db_ok ? 1 : 0);

	if (m->db_ok) {
		static const char *const st[4] = {"pending", "sending", "sent", "failed"};
		head(o, "clr_outbox_messages", "gauge", "E-mails of the outbox by status.");
		for (int i = 0; i < 4; i++)
			buf_printf(o, "clr_outbox_messages{status=\"%s\"} %lld\n", st[i], m->outbox[i]);
		head(o, "clr_outbox_oldest_pending_age_seconds", "gauge",
		     "Age of the oldest message not delivered yet (pending or sending); 0 if none.");
		buf_printf(o, "clr_outbox_oldest_pending_age_seconds %lld\n", m->oldest_pending_s);
		head(o, "clr_migrations_pending", "gauge", "Migrations of this binary not applied to the database.");
		buf_printf(o, "clr_migrations_pending %d\n", m->migrations_pending);
	}

	struct cand_index_stats cs;
	cand_index_stats(&cs);
	head(o, "clr_list_index_bytes", "gauge", "Memory held by the candidate lists' in-memory indexes.");
	buf_printf(o, "clr_list_index_bytes %zu\n", cs.bytes);
	head(o, "clr_list_index_indexes", "gauge", "Candidate lists indexed in memory now.");
	buf_printf(o, "clr_list_index_indexes %lld\n", cs.count);
	head(o, "clr_list_index_builds_total", "counter", "List indexes built (or rebuilt) since start.");
	buf_printf(o, "clr_list_index_builds_total %lld\n", cs.builds);
	head(o, "clr_list_index_hits_total", "counter", "List pages answered from an index.");
	buf_printf(o, "clr_list_index_hits_total %lld\n", cs.hits);

	head(o, "clr_process_resident_memory_bytes", "gauge", "Resident set size of the process.");
	buf_printf(o, "clr_process_resident_memory_bytes %lld\n", rss_bytes());
}
