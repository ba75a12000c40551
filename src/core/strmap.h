/* strmap.h - a string-keyed hash map (open addressing, linear probing,
 * at most half full): the one such table of the tree, used by the database
 * statement caches (SQL text -> prepared statement) and by the bulk
 * import's sets of e-mails.
 *
 * Keys are copied (malloc) when the map was made with copy_keys, else
 * borrowed: the caller keeps them alive (arena strings) as long as the map.
 * Values are opaque pointers; strmap_clear() hands each to drop().  A zeroed
 * struct strmap is an empty map that borrows its keys.  Not thread-safe. */
#ifndef CLR_STRMAP_H
#define CLR_STRMAP_H
#include <stddef.h>

struct strmap {
	struct strmap_slot {
		const char *key;
		void *val;
	} *slots;
	size_t cap, n;
	int copy_keys;
};

/* The hash of a string, 8 bytes a step (SQL texts of a few hundred bytes
 * are looked up on every statement: FNV-1a's multiply per byte was most of
 * that lookup, docs/perf-log.md, run 7). */
size_t strmap_hash(const char *s);
/* The value of key, or NULL; *found (may be NULL) tells a NULL value from
 * an absent key. */
void *strmap_get(const struct strmap *m, const char *key, int *found);
/* Adds key -> val unless key is present.  Returns 1 if added, 0 if it was
 * there (then *old, if not NULL, gets its value), -1 if out of memory. */
int strmap_put(struct strmap *m, const char *key, void *val, void **old);
/* Empties the map, calling drop(val) for each entry when drop is not NULL;
 * it can be used again. */
void strmap_clear(struct strmap *m, void (*drop)(void *val));

#endif
