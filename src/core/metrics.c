/* metrics.c - the storage of core/metrics.h's counters. */
#include "core/metrics.h"

atomic_ullong metric_counters[M_COUNTERS];
