/* metrics.h - the HTTP server's own measurements and GET /metrics.
 *
 * server.c calls metrics_request_start() when a request arrives,
 * metrics_request_end() when it completes, and metrics_connection() when a
 * TCP connection opens or closes; each is a handful of relaxed atomic adds
 * into fixed arrays indexed by the route's place in the route table (no
 * lock, no allocation).  metrics_render() writes everything in the
 * Prometheus text format (version 0.0.4): these, the counters of
 * core/metrics.h, the list index's and the outbox's state, process RSS. */
#ifndef CLR_HTTP_METRICS_H
#define CLR_HTTP_METRICS_H
#include "core/buf.h"
#include "http/request.h"

void metrics_request_start(void);
/* r->route (NULL: no route matched), r->status; MS the request's duration. */
void metrics_request_end(const struct req *r, double ms);
void metrics_connection(int delta); /* +1 opened, -1 closed */

/* What the database says, read by the caller (web/ops.c) for the page:
 * db_ok = 0 when it could not be read (the rest is then not shown). */
struct metrics_db {
	int db_ok;
	long long outbox[4]; /* pending, sending, sent, failed */
	long long oldest_pending_s; /* age of the oldest pending or sending message; 0 if none */
	int migrations_pending;
};
void metrics_render(buf *out, const struct metrics_db *m);

/* A fresh request id (16 hex digits: a random per-process prefix and a
 * counter), written into out. */
void metrics_request_id(char out[17]);

#endif
