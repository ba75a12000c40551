/* view.c - view model: a small dictionary per view, its entries in one
 * array in the order they were set, searched from the newest (pages have a
 * few dozen keys, list items a handful: a scan of their hashes is enough). */
#include "core/view.h"
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

struct vitem {
	const char *key;
	unsigned h; /* key_hash(key): most lookups miss (a row's template asks
		     * for page keys, a page for unset flags), and comparing hashes
		     * first made them cheap (docs/PERFORMANCE.md, change 6) */
	struct vval val;
};

/* Entries allocated with the view itself: a list item (a row of a table,
 * an <option>) has fewer, so it costs one allocation; a page's entries
 * move to a larger array as they grow (docs/PERFORMANCE.md, run 7). */
#define VIEW_INLINE 8

struct view {
	arena *a;
	view *parent;
	const view *prev;    /* the previous item of the same list (view_add),
			      * whose keys' hashes view_set_new() reuses */
	struct vitem *items; /* n entries in insertion order, room for cap */
	int n, cap;
	int last_list;       /* entry of the last view_add(), or -1: a table's
			      * rows are added one after the other */
	uint16_t *index;      /* see INDEX_FROM; NULL: entries are scanned */
	unsigned nslots;      /* of index: a power of two, at least twice n */
	struct vitem inline_items[VIEW_INLINE];
};

/* A page's view has a few dozen entries, some a few hundred,
 * asked for a few hundred times (every flag of its templates, mostly
 * unset, and each new key set): from INDEX_FROM entries on, an
 * open-addressing table of their positions (plus one; 0 is a free slot) by
 * hash, doubled when half full (a fixed 256 slots sent views of over 128
 * entries back to scanning them all at every set); past INDEX_MAX
 * entries, scanning again. */
#define INDEX_FROM 16
#define INDEX_MAX 32767

static unsigned key_hash(const char *k)
{
	/* rotate-xor: only a filter before strcmp, and FNV-1a's multiply per
	 * byte was 7.5 % of the list page (docs/PERFORMANCE.md, run 5) */
	unsigned h = 0;
	for (; *k; k++)
		h = ((h << 5) | (h >> 27)) ^ (unsigned char)*k;
	return h;
}

unsigned view_key_hash(const char *key)
{
	return key_hash(key);
}

view *view_new(arena *a)
{
	/* not zeroed: the entries are written as they are added */
	view *v = arena_alloc_raw(a, sizeof *v);
	v->a = a;
	v->parent = NULL;
	v->prev = NULL;
	v->items = v->inline_items;
	v->n = 0;
	v->cap = VIEW_INLINE;
	v->last_list = -1;
	v->index = NULL;
	return v;
}

view *view_child(view *v)
{
	view *c = view_new(v->a);
	c->parent = v;
	return c;
}

view *view_parent(const view *v)
{
	return v->parent;
}

arena *view_arena(const view *v)
{
	return v->a;
}

/* Appends an entry for key (hash h); its value is for the caller to set. */
/* Records entry pos in v's index; it replaces an older entry of the same
 * key (view_set_new() of a key already set: the newest wins, as when
 * scanning). */
static void index_add(view *v, int pos)
{
	const struct vitem *e = &v->items[pos];
	unsigned m = v->nslots - 1;
	for (unsigned i = e->h & m;; i = (i + 1) & m) {
		int p = v->index[i];
		if (!p || (v->items[p - 1].h == e->h && strcmp(v->items[p - 1].key, e->key) == 0)) {
			v->index[i] = (uint16_t)(pos + 1);
			return;
		}
	}
}

/* A fresh index of NSLOTS slots holding every entry (in order: the newest
 * of a key wins). */
static void index_build(view *v, unsigned nslots)
{
	v->nslots = nslots;
	v->index = arena_alloc(v->a, nslots * sizeof *v->index);
	for (int i = 0; i < v->n; i++)
		index_add(v, i);
}

static struct vitem *append(view *v, const char *key, unsigned h)
{
	if (v->n == v->cap) {
		int cap = v->cap * 2;
		struct vitem *n = arena_alloc_raw(v->a, sizeof *n * (size_t)cap);
		memcpy(n, v->items, sizeof *n * (size_t)v->n);
		v->items = n;
		v->cap = cap;
	}
	struct vitem *it = &v->items[v->n++];
	it->key = key;
	it->h = h;
	if (v->index) {
		if (v->n > INDEX_MAX)
			v->index = NULL;
		else if ((unsigned)v->n * 2 > v->nslots)
			index_build(v, v->nslots * 2);
		else
			index_add(v, v->n - 1);
	} else if (v->n == INDEX_FROM) {
		index_build(v, 64);
	}
	return it;
}

static int find(const view *v, const char *key, unsigned h)
{
	if (v->index) {
		unsigned m = v->nslots - 1;
		for (unsigned i = h & m;; i = (i + 1) & m) {
			int p = v->index[i];
			if (!p)
				return -1;
			if (v->items[p - 1].h == h && strcmp(v->items[p - 1].key, key) == 0)
				return p - 1;
		}
	}
	for (int i = v->n - 1; i >= 0; i--)
		if (v->items[i].h == h && strcmp(v->items[i].key, key) == 0)
			return i;
	return -1;
}

/* The entry of key in v, added (zeroed) if missing. */
static int slot_index(view *v, const char *key)
{
	unsigned h = key_hash(key);
	int i = find(v, key, h);
	if (i < 0) {
		memset(&append(v, key, h)->val, 0, sizeof(struct vval));
		i = v->n - 1;
	}
	return i;
}

static struct vval *slot(view *v, const char *key)
{
	int i = slot_index(v, key); /* before reading v->items: it may move */
	return &v->items[i].val;
}

void view_set(view *v, const char *key, const char *text)
{
	struct vval *s = slot(v, key);
	s->kind = V_TEXT;
	s->s = text ? text : "";
}

void view_set_new(view *v, const char *key, const char *text)
{
	/* the previous row set the same key (keys are not copied: the same
	 * pointer is the same key) at the same position: its hash.
	 * −4.8 % instructions on /candidats (bench/instr.sh, 2026-11-30) */
	const view *p = v->prev;
	unsigned h = p && v->n < p->n && p->items[v->n].key == key ? p->items[v->n].h : key_hash(key);
	struct vval *s = &append(v, key, h)->val;
	s->kind = V_TEXT;
	s->b = 0;
	s->s = text ? text : "";
	s->items = NULL;
	s->nitems = s->cap = 0;
}

void view_setf(view *v, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(v->a, fmt, ap);
	va_end(ap);
	view_set(v, key, s);
}

void view_set_html(view *v, const char *key, const char *html)
{
	struct vval *s = slot(v, key);
	s->kind = V_HTML;
	s->s = html ? html : "";
}

void view_set_tmpl(view *v, const char *key, const char *tmpl_name)
{
	struct vval *s = slot(v, key);
	s->kind = V_TMPL;
	s->s = tmpl_name;
}

void view_set_bool(view *v, const char *key, int b)
{
	struct vval *s = slot(v, key);
	s->kind = V_BOOL;
	s->b = b != 0;
}

void view_list(view *v, const char *key)
{
	struct vval *s = slot(v, key);
	if (s->kind != V_LIST) {
		memset(s, 0, sizeof *s);
		s->kind = V_LIST;
	}
}

view *view_add(view *v, const char *key)
{
	/* the same list as last time (the same key pointer): no lookup */
	if (v->last_list < 0 || v->items[v->last_list].key != key)
		v->last_list = slot_index(v, key);
	struct vval *s = &v->items[v->last_list].val;
	if (s->kind != V_LIST) {
		memset(s, 0, sizeof *s);
		s->kind = V_LIST;
	}
	if (s->nitems == s->cap) {
		int cap = s->cap ? s->cap * 2 : 8;
		view **n = arena_alloc_raw(v->a, sizeof *n * (size_t)cap);
		if (s->nitems)
			memcpy(n, s->items, sizeof *n * (size_t)s->nitems);
		s->items = n;
		s->cap = cap;
	}
	view *c = view_child(v);
	c->prev = s->nitems ? s->items[s->nitems - 1] : NULL;
	s->items[s->nitems++] = c;
	return c;
}

const struct vval *view_get(const view *v, const char *key)
{
	return view_get_hashed(v, key, key_hash(key));
}

const struct vval *view_get_hashed(const view *v, const char *key, unsigned h)
{
	for (; v; v = v->parent) {
		int i = find(v, key, h);
		if (i >= 0)
			return &v->items[i].val;
	}
	return NULL;
}

int view_own_index(const view *v, const char *key, unsigned hash)
{
	return find(v, key, hash);
}

const struct vval *view_own_at(const view *v, int i)
{
	return &v->items[i].val;
}

int view_same_keys(const view *a, const view *b)
{
	if (a->parent != b->parent || a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (a->items[i].key != b->items[i].key)
			return 0;
	return 1;
}

void view_option(view *v, const char *key, const char *value, const char *label, int selected)
{
	view *o = view_add(v, key);
	view_set_new(o, "value", value);
	view_set_new(o, "label", label);
	view_set_bool(o, "selected", selected);
}
