/* strmap.c - the string-keyed hash map of strmap.h. */
#include "core/strmap.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t strmap_hash(const char *s)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	size_t n = strlen(s);
	uint64_t h = 1469598103934665603ULL ^ n, w;
	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * k;
	return (size_t)(h ^ (h >> 32));
}

/* The slot holding key, or the empty slot where it would go. */
static struct strmap_slot *find(const struct strmap *m, const char *key)
{
	for (size_t i = strmap_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
		if (!m->slots[i].key || strcmp(m->slots[i].key, key) == 0)
			return &m->slots[i];
}

void *strmap_get(const struct strmap *m, const char *key, int *found)
{
	struct strmap_slot *s = m->cap ? find(m, key) : NULL;
	if (found)
		*found = s && s->key;
	return s && s->key ? s->val : NULL;
}

int strmap_put(struct strmap *m, const char *key, void *val, void **old)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct strmap grown = {calloc(m->cap ? m->cap * 2 : 64, sizeof *grown.slots), m->cap ? m->cap * 2 : 64, 0,
				       m->copy_keys};
		if (!grown.slots)
			return -1;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				*find(&grown, m->slots[i].key) = m->slots[i];
		free(m->slots);
		grown.n = m->n;
		*m = grown;
	}
	struct strmap_slot *s = find(m, key);
	if (s->key) {
		if (old)
			*old = s->val;
		return 0;
	}
	s->key = m->copy_keys ? strdup(key) : key;
	if (!s->key)
		return -1;
	s->val = val;
	m->n++;
	return 1;
}

void strmap_clear(struct strmap *m, void (*drop)(void *val))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		if (drop)
			drop(m->slots[i].val);
		if (m->copy_keys)
			free((char *)m->slots[i].key);
	}
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
