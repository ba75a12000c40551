/* worker.c - the delivery loop.  Each pass claims a small batch with a lease
 * (outbox_claim), renews the lease of a message just before sending it (so
 * a slow batch never lets another worker take a message over while it is
 * still queued here), sends, and records the outcome.
 *
 * Guarantee: at least once.  A message is marked sent after the server has
 * accepted it; if the process dies between the two, the lease expires and
 * the message is sent again.  That window is one SMTP reply long.
 */
#include "mail/worker.h"
#include "mail/config.h"
#include "mail/smtp.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "domain/outbox.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 10

long mail_backoff_s(int attempts, long base)
{
	long s = base;
	for (int i = 1; i < attempts && s < 3600; i++)
		s *= 2;
	return s > 3600 ? 3600 : s;
}

static void worker_id(char *out, size_t n)
{
	char host[64] = "";
	gethostname(host, sizeof host - 1);
	unsigned r;
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(&r, sizeof r, 1, f) != 1)
		r = (unsigned)time(NULL);
	if (f)
		fclose(f);
	snprintf(out, n, "%s:%ld:%08x", host, (long)getpid(), r);
}

/* One claimed batch; returns how many messages were handled, or negative. */
static int pass(db *d, arena *a, const char *me, struct mail_counts *c, const atomic_int *stop)
{
	int lease = (int)mail_env_long("CLR_MAIL_LEASE_S", 300, 1, 86400);
	long base = mail_env_long("CLR_MAIL_BACKOFF_S", 30, 0, 86400);
	int max_attempts = (int)mail_env_long("CLR_MAIL_MAX_ATTEMPTS", 8, 1, 100);
	struct outbox_msg *msgs;
	int n, rc = outbox_claim(d, a, me, lease, BATCH, &msgs, &n);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++) {
		struct outbox_msg *m = &msgs[i];
		if (stop && atomic_load(stop)) {
			/* give the rest back at once rather than when the lease ends */
			outbox_release(d, a, m->id, me);
			continue;
		}
		if (i > 0 && outbox_renew(d, a, m->id, me, lease) != 0)
			continue; /* taken over by another worker */
		struct smtp_result res;
		rc = smtp_deliver(m->id, m->kind, m->recipient, m->message, strlen(m->message), &res);
		if (rc == 0) {
			if (outbox_mark_sent(d, a, m->id) < 0)
				log_error("msg=\"mail: sent but not recorded\" id=%lld", m->id);
			log_info("msg=\"mail sent\" id=%lld kind=%s", m->id, m->kind);
			c->sent++;
			continue;
		}
		int permanent = res.permanent || m->attempts >= max_attempts;
		long wait = mail_backoff_s(m->attempts, base);
		if (outbox_mark_error(d, a, m->id, res.answer, permanent, wait) < 0)
			log_error("msg=\"mail: outcome not recorded\" id=%lld", m->id);
		log_warn("msg=\"mail not sent\" id=%lld attempt=%d status=%s retry_in_s=%ld error=\"%s\"", m->id,
			 m->attempts, permanent ? "failed" : "pending", permanent ? 0 : wait, res.answer);
		if (permanent)
			c->failed++;
		else
			c->retried++;
	}
	return n;
}

int mail_deliver_once(db *d, struct mail_counts *counts, const atomic_int *stop)
{
	struct mail_counts local = {0, 0, 0};
	struct mail_counts *c = counts ? counts : &local;
	char me[128];
	worker_id(me, sizeof me);
	arena *a = arena_new();
	int rc = 0;
	while (!(stop && atomic_load(stop))) {
		arena_reset(a);
		int n = pass(d, a, me, c, stop);
		if (n <= 0) {
			rc = n < 0 ? n : 0;
			break;
		}
	}
	arena_free(a);
	return rc;
}

static void nap(const atomic_int *stop, long ms)
{
	for (long t = 0; t < ms && !atomic_load(stop); t += 50) {
		struct timespec ts = {0, (ms - t < 50 ? ms - t : 50) * 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* A storage that cannot take writes now (CLR_EUNAVAIL: PostgreSQL
 * unreachable, SQLite's disk full or file read-only) is asked again after
 * a wait that doubles up to 30 s, so that the log gets a line per wait
 * rather than one per poll. */
void mail_worker(atomic_int *stop)
{
	long poll = mail_env_long("CLR_MAIL_POLL_MS", 1000, 10, 60000), wait = poll;
	log_info("msg=\"mail worker started\" transport=%s poll_ms=%ld", mail_smtp_url() ? "smtp" : "eml", poll);
	while (!atomic_load(stop)) {
		db *d = db_thread();
		if (!d) {
			nap(stop, 1000);
			continue;
		}
		int rc = mail_deliver_once(d, NULL, stop);
		if (rc < 0)
			log_error("msg=\"mail worker: storage failure\" err=\"%s\"%s", db_errmsg(d),
				  rc == CLR_EUNAVAIL ? " unavailable=1" : "");
		wait = rc != CLR_EUNAVAIL ? poll : wait * 2 > 30000 ? 30000 : wait * 2;
		nap(stop, wait);
	}
}
