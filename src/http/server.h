/* server.h - the HTTP server (libmicrohttpd). */
#ifndef CLR_SERVER_H
#define CLR_SERVER_H

#define FORM_BODY_LIMIT (1024 * 1024)
#define UPLOAD_BODY_LIMIT (10 * 1024 * 1024)

struct server_opts {
	const char *listen; /* IPv4/IPv6 literal */
	int port;
	int threads;  /* 0: one per core */
	int timeout_s;
	int max_conns;
};

/* Serves until SIGINT/SIGTERM, then finishes the requests in flight.
 * Returns 0 on a clean stop. */
int server_run(const struct server_opts *o);

/* Background workers started with the server (mail delivery...): each runs
 * fn(stop_flag) in its own thread until *stop_flag becomes non-zero. */
typedef void (*worker_fn)(volatile int *stop);
void server_add_worker(worker_fn fn);

#endif
