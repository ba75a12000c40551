/* view.h - the view model handed to templates.
 *
 * A view is a small arena-owned dictionary: keys map to text (escaped on
 * output), trusted HTML (emitted as is), booleans, lists of child views,
 * or the name of a template to render there.
 * Lookups that miss fall back to the parent view, so a list item sees the
 * page's values too.  Values are not copied: they must live as long as the
 * arena (use view_setf, or strings that are arena-owned or static).
 */
#ifndef CLR_VIEW_H
#define CLR_VIEW_H
#include "core/arena.h"

/* V_TMPL: the name of a template, rendered in place with the view at that
 * point (the layout's {{content}}: see resp_page()). */
enum vkind { V_TEXT, V_HTML, V_BOOL, V_LIST, V_TMPL };

typedef struct view view;
struct vitem;

struct vval {
	enum vkind kind;
	int b;                /* V_BOOL */
	const char *s;        /* V_TEXT, V_HTML */
	view **items;         /* V_LIST */
	int nitems, cap;
};

view *view_new(arena *a);
view *view_parent(const view *v);
arena *view_arena(const view *v);
void view_set(view *v, const char *key, const char *text);
/* view_set() of a key not set in v yet (a fresh row's distinct keys): no
 * search for an existing entry (docs/PERFORMANCE.md, run 6). */
void view_set_new(view *v, const char *key, const char *text);
void view_setf(view *v, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void view_set_html(view *v, const char *key, const char *html);
void view_set_tmpl(view *v, const char *key, const char *tmpl_name);
void view_set_bool(view *v, const char *key, int b);
/* Appends a child view to the list `key` (created if missing); an empty
 * list exists once view_list() has been called. */
view *view_add(view *v, const char *key);
void view_list(view *v, const char *key);
/* Appends {value, label, selected} to the list `key`: one <option> of a
 * <select>, rendered by templates as {{#key}}<option value="{{value}}"
 * {{#selected}}selected{{/selected}}>{{label}}</option>{{/key}}. */
void view_option(view *v, const char *key, const char *value, const char *label, int selected);
/* Lookup through the parent chain; NULL if absent. */
const struct vval *view_get(const view *v, const char *key);
/* The same with HASH = view_key_hash(key) computed beforehand (templates
 * hash their names once, when compiled). */
unsigned view_key_hash(const char *key);
const struct vval *view_get_hashed(const view *v, const char *key, unsigned hash);
/* A child view whose parent is v, not stored anywhere (for sections). */
view *view_child(view *v);

/* For the renderer's per-list cache (tmpl.c): the items of a list are
 * usually built by one loop, so they hold the same keys in the same order
 * and a key found at position i of one item is at position i of the others.
 * view_own_index() is the position of key in v itself (not its parents),
 * -1 if absent; view_own_at() the value at that position;
 * view_same_keys() whether a and b have the same parent and the very same
 * key pointers in the same order (then they answer every lookup alike, by
 * position). */
int view_own_index(const view *v, const char *key, unsigned hash);
const struct vval *view_own_at(const view *v, int i);
int view_same_keys(const view *a, const view *b);

#endif
