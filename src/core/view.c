/* view.c - view model: a linear-probe-free small dictionary (pages have a few
 * dozen keys, so a linked list scanned from the newest entry is enough). */
#include "core/view.h"
#include <stdarg.h>
#include <string.h>

struct vitem {
	struct vitem *next;
	const char *key;
	unsigned h; /* key_hash(key): most lookups miss (a row's template asks
		     * for page keys, a page for unset flags), and comparing hashes
		     * first made them cheap (docs/PERFORMANCE.md, change 6) */
	struct vval val;
};

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

struct view {
	arena *a;
	view *parent;
	struct vitem *items;
};

view *view_new(arena *a)
{
	view *v = arena_alloc(a, sizeof *v);
	v->a = a;
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

static struct vval *slot(view *v, const char *key)
{
	unsigned h = key_hash(key);
	for (struct vitem *it = v->items; it; it = it->next)
		if (it->h == h && strcmp(it->key, key) == 0)
			return &it->val;
	struct vitem *it = arena_alloc(v->a, sizeof *it);
	it->key = key;
	it->h = h;
	it->next = v->items;
	v->items = it;
	return &it->val;
}

void view_set(view *v, const char *key, const char *text)
{
	struct vval *s = slot(v, key);
	s->kind = V_TEXT;
	s->s = text ? text : "";
}

void view_set_new(view *v, const char *key, const char *text)
{
	struct vitem *it = arena_alloc(v->a, sizeof *it);
	it->key = key;
	it->h = key_hash(key);
	it->next = v->items;
	v->items = it;
	it->val.kind = V_TEXT;
	it->val.s = text ? text : "";
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
	struct vval *s = slot(v, key); /* view_list() without a second lookup */
	if (s->kind != V_LIST) {
		memset(s, 0, sizeof *s);
		s->kind = V_LIST;
	}
	if (s->nitems == s->cap) {
		int cap = s->cap ? s->cap * 2 : 8;
		view **n = arena_alloc(v->a, sizeof *n * (size_t)cap);
		if (s->nitems)
			memcpy(n, s->items, sizeof *n * (size_t)s->nitems);
		s->items = n;
		s->cap = cap;
	}
	view *c = view_child(v);
	s->items[s->nitems++] = c;
	return c;
}

const struct vval *view_get(const view *v, const char *key)
{
	return view_get_hashed(v, key, key_hash(key));
}

const struct vval *view_get_hashed(const view *v, const char *key, unsigned h)
{
	for (; v; v = v->parent)
		for (struct vitem *it = v->items; it; it = it->next)
			if (it->h == h && strcmp(it->key, key) == 0)
				return &it->val;
	return NULL;
}

void view_option(view *v, const char *key, const char *value, const char *label, int selected)
{
	view *o = view_add(v, key);
	view_set(o, "value", value);
	view_set(o, "label", label);
	view_set_bool(o, "selected", selected);
}
