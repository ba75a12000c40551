/* ops.c - what monitoring reads: GET /metrics (Prometheus text format,
 * only for the addresses of CLR_METRICS_FROM, default the loopback; 404
 * for anyone else, as if it did not exist) and GET /readyz (200 when this
 * server can serve: its database answers, its schema is this binary's and
 * the outbox is not stuck; else 503; a JSON body says which).  GET /healthz
 * (system.c) stays the liveness probe: the process answers. */
#include "web/web.h"
#include "http/metrics.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/outbox.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define METRICS_FROM_DEFAULT "127.0.0.1, ::1"
#define OUTBOX_STUCK_DEFAULT 900

static void read_db(struct req *r, struct metrics_db *m)
{
	memset(m, 0, sizeof *m);
	if (!r->db)
		return;
	db_set_wait(r->db, 0); /* a lost server is tried once: the answer comes at once */
	int pend = db_migrations_pending(r->db);
	if (pend >= 0) {
		m->migrations_pending = pend;
		/* no outbox table (schema behind): the database answers all the same */
		m->db_ok = outbox_stats(r->db, r->a, (long long)time(NULL), m->outbox, &m->oldest_pending_s) < 0 ? pend > 0 : 1;
	}
	db_set_wait(r->db, -1);
}

int web_metrics(struct req *r)
{
	const char *from = getenv("CLR_METRICS_FROM");
	int in = req_ip_in(r->ip, from && *from ? from : METRICS_FROM_DEFAULT);
	if (in < 0)
		log_error("msg=\"CLR_METRICS_FROM is malformed: /metrics answers 404 to everyone\"");
	if (in != 1)
		return CLR_ENOTFOUND;
	struct metrics_db m;
	read_db(r, &m);
	buf b = BUF_INIT;
	metrics_render(&b, &m);
	int rc = resp_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "");
	buf_free(&b);
	resp_header(r, "Cache-Control", "no-store");
	return rc;
}

int web_readyz(struct req *r)
{
	const char *e = getenv("CLR_OUTBOX_STUCK_S");
	long long stuck_s = e && atoll(e) > 0 ? atoll(e) : OUTBOX_STUCK_DEFAULT;
	struct metrics_db m;
	read_db(r, &m);
	int db_down = !m.db_ok && m.migrations_pending == 0;
	int migrating = m.migrations_pending > 0;
	int stuck = m.db_ok && m.oldest_pending_s > stuck_s;
	int ready = !db_down && !migrating && !stuck;
	buf b = BUF_INIT;
	buf_printf(&b, "{\"ready\":%s,\"reasons\":[", ready ? "true" : "false");
	const char *sep = "";
	if (db_down)
		buf_printf(&b, "%s\"database\"", sep), sep = ",";
	if (migrating)
		buf_printf(&b, "%s\"migrations\"", sep), sep = ",";
	if (stuck)
		buf_printf(&b, "%s\"outbox\"", sep), sep = ",";
	buf_printf(&b, "],\"database\":\"%s\",\"migrations_pending\":%d,"
		       "\"outbox_oldest_pending_s\":%lld,\"outbox_stuck_after_s\":%lld,\"message\":\"%s\"}",
		   db_down ? "unreachable" : "ok", m.migrations_pending, m.oldest_pending_s, stuck_s,
		   ready ? "Prêt." : db_down ? "La base de données ne répond pas."
			 : migrating ? "Des migrations de la base de données sont en attente ou en cours."
				     : "Des courriels attendent leur envoi depuis trop longtemps.");
	int rc = resp_json(r, ready ? 200 : 503, b.data);
	buf_free(&b);
	return rc;
}
