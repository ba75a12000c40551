/* log.c - structured logging to stderr, one write() per line. */
#include "core/log.h"
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int quiet;

void log_set_quiet(int q)
{
	quiet = q;
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts.tv_nsec / 1000000, level);
	if (n < 0)
		return;
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	ssize_t w = write(2, line, len);
	(void)w;
}

#define DEF(name, level, gate)                   \
	void name(const char *fmt, ...)          \
	{                                        \
		if (gate)                        \
			return;                  \
		va_list ap;                      \
		va_start(ap, fmt);               \
		emit(level, fmt, ap);            \
		va_end(ap);                      \
	}
DEF(log_info, "info", quiet)
DEF(log_warn, "warn", 0)
DEF(log_error, "error", 0)
