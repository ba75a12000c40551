/* fuzz.h - what the libFuzzer targets of fuzz/ share: splitting one input
 * into several strings, and FUZZ_CHECK() for the invariants a target
 * checks beyond « no crash ».
 *
 * Every target is one fuzz/<target>.c defining LLVMFuzzerTestOneInput(),
 * built by `make fuzz` with clang-14 (-fsanitize=fuzzer,address,undefined)
 * against the project's objects compiled into build/fuzz/obj/.  A broken
 * invariant prints "FUZZ_CHECK failed: ..." through the sanitizer's report
 * channel (still open under -close_fd_mask=2, which the runners use to mute
 * the project's own logs) and aborts: libFuzzer saves the input as a crash.
 */
#ifndef CLR_FUZZ_H
#define CLR_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/common_interface_defs.h>

#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			char msg_[512];                                                       \
			snprintf(msg_, sizeof msg_, "FUZZ_CHECK failed: %s (%s:%d)", #cond, __FILE__, \
				 __LINE__);                                                   \
			__sanitizer_report_error_summary(msg_);                               \
			fprintf(stderr, "%s\n", msg_);                                        \
			abort();                                                              \
		}                                                                             \
	} while (0)

/* A malloc'd NUL-terminated copy of data[0..n) (free it). */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	if (n)
		memcpy(s, data, n);
	s[n] = 0;
	return s;
}

/* Splits data[0..n) at each byte SEP into at most MAX pieces (the last one
 * takes the rest, SEP included), copied NUL-terminated into one malloc'd
 * block: *out[i] (free(out[0]) releases them all).  Missing pieces are "".
 * Returns the number of pieces found (>= 1). */
static inline int fuzz_split(const uint8_t *data, size_t n, char sep, int max, char **out)
{
	char *copy = fuzz_strndup(data, n);
	int k = 0;
	char *p = copy, *end = copy + n;
	while (k < max - 1) {
		char *q = memchr(p, sep, (size_t)(end - p));
		if (!q)
			break;
		*q = 0;
		out[k++] = p;
		p = q + 1;
	}
	out[k++] = p;
	int found = k;
	while (k < max)
		out[k++] = end; /* "" */
	return found;
}

/* 1 if s[0..n) is well-formed UTF-8 (any code point, controls included):
 * an independent check, not the project's utf8_valid(). */
static inline int fuzz_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!len || n - i < len)
			return 0;
		unsigned cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

#endif
