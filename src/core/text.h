/* text.h - small string utilities shared by every layer: UTF-8 checks,
 * Unicode folding for search (libunistring), dates typed « jj/mm/aaaa »,
 * trimming, strict percent-decoding, French number and date formatting.
 * Results that allocate are arena-owned. */
#ifndef CLR_TEXT_H
#define CLR_TEXT_H
#include <stddef.h>
#include <time.h>
#include "core/arena.h"

/* 1 if s[0..n) is well-formed UTF-8 without NUL bytes or C0 controls other
 * than tab, CR and LF. */
int utf8_valid(const char *s, size_t n);
/* Number of code points (s assumed valid UTF-8). */
size_t utf8_len(const char *s);
/* Copy of s without leading/trailing ASCII whitespace and with inner runs of
 * whitespace collapsed to one space (collapse != 0). */
char *str_trim(arena *a, const char *s, int collapse);
/* A form's line of text: "" for NULL, NULL when not valid UTF-8 (see
 * utf8_valid()), else str_trim(a, s, 1) (every run of whitespace, tabs and
 * line breaks included, one space). */
const char *str_clean(arena *a, const char *s);
/* ASCII lower-case copy. */
char *str_lower(arena *a, const char *s);
int str_eq(const char *a, const char *b); /* NULL-safe strcmp()==0 */
int str_empty(const char *s);             /* NULL or "" */
int str_starts(const char *s, const char *prefix);

/* French typography of a text of ours (a template, a message): a space
 * before : becomes U+00A0, before ; ! ? U+202F (narrow), and the spaces
 * inside « » U+00A0, so that a line never breaks between a word and its
 * sign.  Other text is copied as is.  malloc'd (free it); NULL if out of
 * memory. */
char *fr_typography(const char *s);
/* A positive decimal id written s (digits only, at most 18), or 0. */
long long str_id(const char *s);
/* Strict application/x-www-form-urlencoded decoding ('+' = space when
 * plus_space): returns NULL on a malformed escape or invalid UTF-8. */
char *url_decode(arena *a, const char *s, size_t n, int plus_space);
/* s as it may be echoed to its author: its first max code points and « … »
 * when it is longer (a 9 MiB spreadsheet cell in an error message). */
char *text_excerpt(arena *a, const char *s, size_t max);
/* Case-folded, accents removed (NFKD then combining marks dropped), « œ »
 * -> "oe", « æ » -> "ae", whitespace runs collapsed to one space, trimmed.
 * The key of the candidates' search column and of search queries.  Input
 * must be valid UTF-8 (NULL gives ""). */
char *text_fold(arena *a, const char *s);
/* SQL LIKE pattern matching q anywhere: '%q%' with \ % _ escaped by a
 * backslash (use with ESCAPE '\'). */
char *like_contains(arena *a, const char *q);
/* Encodes everything but unreserved characters. */
char *url_encode(arena *a, const char *s);

/* "1 710,00 €" with U+202F between thousands and U+00A0 before the sign. */
char *money_fmt(arena *a, long long cents);
/* "1 710" (U+202F thousands separator). */
char *int_fmt(arena *a, long long v);
/* PREFIX followed by v in decimal: arena_printf(a, "%s%lld", prefix, v)
 * without vsnprintf (list rows: docs/PERFORMANCE.md, runs 5 and 7). */
char *ll_fmt(arena *a, const char *prefix, long long v);
/* "jj/mm/aaaa" and "jj/mm/aaaa à HH:MM" in Europe/Paris time. */
char *date_fmt(arena *a, time_t t);
char *datetime_fmt(arena *a, time_t t);
/* "YYYY-MM-DD" -> "jj/mm/aaaa"; other text unchanged, NULL -> "". */
const char *date_iso_fr(arena *a, const char *iso);
/* "YYYY-MM-DD" -> "mardi 15 décembre 2026" ("mardi 1er décembre 2026" on
 * the first); other text unchanged, NULL -> "". */
const char *date_long_fr(arena *a, const char *iso);
/* A calendar date typed as "jj/mm/aaaa" (or ISO "aaaa-mm-jj") -> y, m, d:
 * 1 if it is a real date (leap years counted, year >= 1000), else 0. */
int date_parse(const char *s, int *y, int *m, int *d);
/* The same, written "YYYY-MM-DD" into iso (11 bytes): 1, or 0 if invalid. */
int date_to_iso(const char *s, char iso[11]);
/* Today's date in Europe/Paris (the process's TZ), honouring
 * CLR_TIME_OFFSET: "YYYY-MM-DD", arena-owned. */
char *date_today_iso(arena *a);
/* "HH:MM" (or "HHhMM", "H:MM", "HHh") -> minutes since midnight, written
 * back as "HH:MM" into out (6 bytes); -1 if not a time of day. */
int time_parse(const char *s, char out[6]);

/* Seconds since the epoch (tests may shift it with CLR_TIME_OFFSET). */
time_t now_s(void);
/* The same in milliseconds. */
long long now_ms(void);
/* Monotonic milliseconds. */
double mono_ms(void);

#endif
