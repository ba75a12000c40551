/* worker.h - the delivery worker: claims due outbox messages, hands each
 * to smtp_deliver(), records the outcome (sent, retry with exponential
 * back-off, or failed).  Runs on a background thread of `clr serve`
 * (src/cli/serve.c starts and stops it) and once on demand (`clr mail
 * deliver`).
 */
#ifndef CLR_MAIL_WORKER_H
#define CLR_MAIL_WORKER_H
#include "db/db.h"
#include <stdatomic.h>

struct mail_counts {
	int sent, retried, failed;
};

/* The worker thread's body: loops until *stop (smtp_global_init() first). */
void mail_worker(atomic_int *stop);
/* Delivers every message due now, then returns (stop may be NULL).
 * 0 or negative (storage failure); counts may be NULL. */
int mail_deliver_once(db *d, struct mail_counts *counts, const atomic_int *stop);

/* Seconds to wait before attempt `attempts + 1` (attempts >= 1):
 * base * 2^(attempts-1), at most one hour. */
long mail_backoff_s(int attempts, long base);

#endif
