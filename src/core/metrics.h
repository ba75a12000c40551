/* metrics.h - process-wide event counters that lower layers bump (the
 * database backends, the login handler) and that GET /metrics reports
 * (src/http/metrics.c renders them with the HTTP layer's own).
 *
 * Each counter is one relaxed atomic add: no lock, no ordering, a few
 * nanoseconds; read with metric_get() at scrape time.  Counting is
 * monotonic from the process's start, as Prometheus counters are. */
#ifndef CLR_METRICS_H
#define CLR_METRICS_H
#include <stdatomic.h>

enum metric_counter {
	M_DB_ERRORS,        /* a statement failed (logged by db_log_sql_error), constraint conflicts excepted */
	M_DB_LOST,          /* a PostgreSQL connection was found lost */
	M_DB_RECONNECTS,    /* a PostgreSQL connection was re-established */
	M_DB_UNREACHABLE,   /* reconnecting gave up after CLR_DB_WAIT_S */
	M_LOGIN_FAILURES,   /* wrong e-mail or password */
	M_LOGIN_THROTTLED,  /* a login attempt refused by the throttling */
	M_COUNTERS,
};

extern atomic_ullong metric_counters[M_COUNTERS];

static inline void metric_inc(enum metric_counter c)
{
	atomic_fetch_add_explicit(&metric_counters[c], 1, memory_order_relaxed);
}

static inline unsigned long long metric_get(enum metric_counter c)
{
	return atomic_load_explicit(&metric_counters[c], memory_order_relaxed);
}

#endif
