/* log.h - structured one-line logs on stderr: "ts=... level=... msg=... k=v".
 * Thread-safe (one write() per line). */
#ifndef CLR_LOG_H
#define CLR_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silences log_info (tests, quiet CLI commands). */
void log_set_quiet(int quiet);
/* One JSON object per line (1) or key=value (0); by default, JSON when
 * CLR_LOG_FORMAT=json at the first line logged. */
void log_set_json(int json);

#endif
