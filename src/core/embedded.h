/* embedded.h - files compiled into the binary (see tools/embed.c):
 * templates/..., static/..., migrations/...  Sorted by name, each data
 * block NUL-terminated (len excludes the NUL). */
#ifndef CLR_EMBEDDED_H
#define CLR_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_count;

/* Exact name lookup ("templates/login.html"); NULL if absent. */
const struct embedded_file *embedded_find(const char *name);

#endif
