/* server.h - the HTTP server (libmicrohttpd). */
#ifndef CLR_SERVER_H
#define CLR_SERVER_H

#define FORM_BODY_LIMIT (1024 * 1024)
#define UPLOAD_BODY_LIMIT (10 * 1024 * 1024)
#define API_BODY_LIMIT (64 * 1024) /* R_API routes (413 past it, before parsing) */

struct server_opts {
	const char *listen; /* IPv4/IPv6 literal */
	int port;
	int threads;  /* 0: one per core */
	int timeout_s;
	int max_conns;        /* 0: from the file-descriptor limit and memory */
	int max_conns_per_ip; /* 0: none (trusted proxies are never limited) */
};

/* Serves until SIGINT/SIGTERM (blocked in the calling thread, and so in
 * the threads it starts), then finishes the requests in flight.  Returns 0
 * on a clean stop.  The request threads' database connections stay open:
 * db_close_all_threads() once nothing uses the database any more. */
int server_run(const struct server_opts *o);

#endif
