/* arena.h - per-request bump allocator.
 *
 * An arena hands out memory that lives until arena_free() (or arena_reset()).
 * Every request gets one; view models, parsed forms, query results and
 * rendered pages are "arena-owned": callers never free them one by one.
 * Allocation never fails silently: on out-of-memory the process aborts,
 * which is the only sane answer for a server of this size.
 */
#ifndef CLR_ARENA_H
#define CLR_ARENA_H
#include <stddef.h>
#include <stdarg.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
/* Frees everything allocated so far but keeps the first chunk for reuse. */
void arena_reset(arena *a);
/* Zeroed, 16-byte aligned memory. */
void *arena_alloc(arena *a, size_t n);
/* Not zeroed, 16-byte aligned: for bytes written at once. */
void *arena_alloc_raw(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
/* printf into the arena.  Formats made only of %s %d %u %lld %llu %zu %%
 * are written by arena.c itself (faster), others by vsnprintf(). */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);
/* Total bytes handed out (for tests and statistics). */
size_t arena_used(const arena *a);

#endif
