/* tmpl.c - template compiler and renderer.
 *
 * Each template is parsed once into a flat array of nodes; a section node
 * records the index just past its closing tag, so rendering is a simple
 * recursive walk with no re-parsing.  Once every template is compiled, each
 * partial ({{>name}}) is resolved to the template it includes: an unknown
 * one fails the start-up, not the page that happens to include it.  The
 * text of every template gets French typography when compiled (no-break
 * spaces before : ; ! ? and inside « »: fr_typography()).
 */
#include "core/tmpl.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum ntype { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_PARTIAL };

struct node {
	enum ntype type;
	const char *s; /* text start or name (NUL-terminated copy) */
	size_t len;    /* text length */
	int end;       /* sections: index of the first node after the section */
	unsigned h;    /* variables and sections: view_key_hash(s) */
	const struct tmpl *part; /* partials: the template included (resolve()) */
};

struct tmpl {
	char *name;
	char *src; /* the source, French typography applied (fr_typography()): text nodes point into it */
	int text; /* .txt: no escaping */
	struct node *nodes;
	int n;
	atomic_bool *reported; /* strict mode: per node, its unset variable logged once */
};

static struct tmpl *tmpls;
static int ntmpls;
static int strict; /* tmpl_set_strict() */

static int cmp_tmpl(const void *a, const void *b)
{
	return strcmp(((const struct tmpl *)a)->name, ((const struct tmpl *)b)->name);
}

/* Sort order: by name, then .html before .txt (a mail's two bodies share
 * a name: "mail/x.txt" and "mail/x.html"). */
static int cmp_tmpl_sort(const void *a, const void *b)
{
	int c = cmp_tmpl(a, b);
	return c ? c : ((const struct tmpl *)a)->text - ((const struct tmpl *)b)->text;
}

/* The template named STEM (no suffix) of kind KIND (1 text, 0 HTML, -1
 * either), or NULL. */
static const struct tmpl *find_stem(const char *stem, int kind)
{
	if (!ntmpls)
		return NULL;
	struct tmpl key = {.name = (char *)stem};
	const struct tmpl *t = bsearch(&key, tmpls, (size_t)ntmpls, sizeof *tmpls, cmp_tmpl);
	if (!t || kind < 0 || t->text == kind)
		return t;
	int i = (int)(t - tmpls);
	if (i > 0 && tmpls[i - 1].text == kind && strcmp(tmpls[i - 1].name, stem) == 0)
		return &tmpls[i - 1];
	if (i + 1 < ntmpls && tmpls[i + 1].text == kind && strcmp(tmpls[i + 1].name, stem) == 0)
		return &tmpls[i + 1];
	return NULL;
}

/* "name.txt" / "name.html" finds that very file; "name" either, of kind
 * PREFER (as find_stem()) when both exist. */
static const struct tmpl *find_kind(const char *name, int prefer)
{
	size_t n = strlen(name);
	int want = -1;
	char stem[256];
	if (n > 4 && strcmp(name + n - 4, ".txt") == 0)
		want = 1, n -= 4;
	else if (n > 5 && strcmp(name + n - 5, ".html") == 0)
		want = 0, n -= 5;
	if (want < 0) {
		const struct tmpl *t = prefer >= 0 ? find_stem(name, prefer) : NULL;
		return t ? t : find_stem(name, -1);
	}
	if (n >= sizeof stem)
		return NULL;
	memcpy(stem, name, n);
	stem[n] = 0;
	return find_stem(stem, want);
}

static const struct tmpl *find(const char *name)
{
	return find_kind(name, -1);
}

int tmpl_exists(const char *name)
{
	return find(name) != NULL;
}

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

/* Frees nodes[0..n) and the names they own (every node but text). */
static void free_nodes(struct node *nodes, int n)
{
	for (int k = 0; k < n; k++)
		if (nodes[k].type != N_TEXT)
			free((char *)nodes[k].s);
	free(nodes);
}

static int compile(struct tmpl *t, const char *src)
{
	int cap = 64, n = 0;
	struct node *nodes = malloc(sizeof *nodes * (size_t)cap);
	int stack[64], depth = 0;
	const char *p = src;
	if (!nodes)
		abort();
	for (;;) {
		const char *open = strstr(p, "{{");
		size_t tl = open ? (size_t)(open - p) : strlen(p);
		if (n + 2 >= cap) {
			cap *= 2;
			nodes = realloc(nodes, sizeof *nodes * (size_t)cap);
			if (!nodes)
				abort();
		}
		if (tl)
			nodes[n++] = (struct node){.type = N_TEXT, .s = p, .len = tl};
		if (!open)
			break;
		const char *close = strstr(open + 2, "}}");
		if (!close) {
			log_error("msg=\"template: unclosed tag\" template=%s", t->name);
			free_nodes(nodes, n);
			return CLR_EINVAL;
		}
		const char *in = open + 2;
		char sigil = *in;
		if (strchr("#^/>!", sigil))
			in++;
		while (*in == ' ')
			in++;
		const char *ie = close;
		while (ie > in && ie[-1] == ' ')
			ie--;
		char *name = dupn(in, (size_t)(ie - in));
		p = close + 2;
		switch (sigil) {
		case '!':
			free(name);
			break;
		case '#':
		case '^':
			if (depth == 64) {
				free(name);
				free_nodes(nodes, n);
				return CLR_EINVAL;
			}
			stack[depth++] = n;
			nodes[n++] = (struct node){.type = sigil == '#' ? N_SECTION : N_INVERTED, .s = name, .h = view_key_hash(name)};
			break;
		case '/':
			if (!depth || strcmp(nodes[stack[depth - 1]].s, name) != 0) {
				log_error("msg=\"template: unbalanced section\" template=%s section=%s", t->name, name);
				free(name);
				free_nodes(nodes, n);
				return CLR_EINVAL;
			}
			free(name);
			nodes[stack[--depth]].end = n;
			break;
		case '>':
			nodes[n++] = (struct node){.type = N_PARTIAL, .s = name};
			break;
		default:
			nodes[n++] = (struct node){.type = N_VAR, .s = name, .h = view_key_hash(name)};
		}
	}
	if (depth) {
		log_error("msg=\"template: unclosed section\" template=%s section=%s", t->name, nodes[stack[depth - 1]].s);
		free_nodes(nodes, n);
		return CLR_EINVAL;
	}
	t->nodes = nodes;
	t->n = n;
	return 0;
}

static void free_set(void)
{
	for (int i = 0; i < ntmpls; i++) {
		struct tmpl *t = &tmpls[i];
		free_nodes(t->nodes, t->n);
		free(t->src);
		free(t->reported);
		free(t->name);
	}
	free(tmpls);
	tmpls = NULL;
	ntmpls = 0;
}

/* Points every partial node at the template it includes (of the
 * including template's kind when a .txt and a .html share the name);
 * CLR_EINVAL, logged, for each that names no template. */
static int resolve(void)
{
	int rc = 0;
	for (int i = 0; i < ntmpls; i++) {
		struct tmpl *t = &tmpls[i];
		for (int k = 0; k < t->n; k++) {
			struct node *nd = &t->nodes[k];
			if (nd->type != N_PARTIAL)
				continue;
			nd->part = find_kind(nd->s, t->text);
			if (!nd->part) {
				log_error("msg=\"template: unknown partial\" template=%s partial=%s", t->name, nd->s);
				rc = CLR_EINVAL;
			}
		}
	}
	return rc;
}

int tmpl_load(const struct embedded_file *files, size_t n)
{
	free_set();
	tmpls = calloc(n + 1, sizeof *tmpls);
	if (!tmpls)
		abort();
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const char *name = files[i].name;
		if (strncmp(name, "templates/", 10) != 0)
			continue;
		name += 10;
		const char *dot = strrchr(name, '.');
		if (!dot || (strcmp(dot, ".html") != 0 && strcmp(dot, ".txt") != 0))
			continue;
		struct tmpl *t = &tmpls[ntmpls];
		t->name = dupn(name, (size_t)(dot - name));
		t->text = strcmp(dot, ".txt") == 0;
		t->src = fr_typography((const char *)files[i].data);
		if (!t->src)
			abort();
		rc = compile(t, t->src);
		if (rc) {
			free(t->name);
			free(t->src);
			break;
		}
		t->reported = calloc((size_t)t->n + 1, sizeof *t->reported);
		if (!t->reported)
			abort();
		ntmpls++;
	}
	qsort(tmpls, (size_t)ntmpls, sizeof *tmpls, cmp_tmpl_sort);
	if (!rc)
		rc = resolve();
	if (rc)
		free_set();
	return rc;
}

int tmpl_init(void)
{
	if (tmpls)
		return 0;
	const char *s = getenv("CLR_TMPL_STRICT");
	tmpl_set_strict(s && *s && strcmp(s, "0") != 0);
	return tmpl_load(embedded_files, embedded_count);
}

void tmpl_set_strict(int on)
{
	strict = on;
}

static int truthy(const struct vval *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case V_TEXT:
	case V_HTML:
	case V_TMPL:
		return v->s && *v->s;
	case V_BOOL:
		return v->b;
	case V_LIST:
		return v->nitems > 0;
	}
	return 0;
}

/* Per-list lookup cache.  The items of a list are usually built by one
 * loop (a table's rows): same keys, same order, same parent.  For the items
 * that have the first one's keys (view_same_keys()), each variable or
 * section node of the list's section is looked up once: either a position
 * in the item's own entries, or the value its parents give (views do not
 * change while rendering).  The other items are looked up as usual.
 * −8.0 % instructions on /candidats (bench/instr.sh, 2026-11-30) */
#define LIST_CACHE_NODES 64

struct list_slot {
	int state; /* 0 unknown, 1 the item's own entry at pos, 2 the parents' val */
	int pos;
	const struct vval *val;
};

struct list_cache {
	const struct tmpl *t;
	int base, n;       /* the section's nodes: [base, base + n) of t */
	const view *first; /* the list's first item */
	const view *cur;   /* the item being rendered if it has first's keys */
	struct list_slot slot[LIST_CACHE_NODES];
};

static const struct vval *lookup(const struct tmpl *t, int i, const view *v, struct list_cache *lc)
{
	const struct node *nd = &t->nodes[i];
	if (!lc || v != lc->cur || t != lc->t || i < lc->base || i >= lc->base + lc->n)
		return view_get_hashed(v, nd->s, nd->h);
	struct list_slot *s = &lc->slot[i - lc->base];
	if (s->state == 1)
		return view_own_at(v, s->pos);
	if (s->state == 2)
		return s->val;
	s->pos = view_own_index(v, nd->s, nd->h);
	if (s->pos >= 0) {
		s->state = 1;
		return view_own_at(v, s->pos);
	}
	s->state = 2;
	s->val = view_parent(v) ? view_get_hashed(view_parent(v), nd->s, nd->h) : NULL;
	return s->val;
}

static int render(const struct tmpl *t, int from, int to, const view *v, buf *out, int depth,
		  struct list_cache *lc);

/* Strict mode: variable node I of T was set nowhere in the view chain (a
 * misspelt {{name}}, or a value the handler forgot).  Logged once per node
 * (the test harness fails a test on it). */
static void report_unset(const struct tmpl *t, int i)
{
	if (atomic_exchange(&t->reported[i], true))
		return;
	log_error("msg=\"template variable not set\" template=%s variable=%s", t->name, t->nodes[i].s);
}

/* Template `name` rendered whole with v (tmpl_render(), a V_TMPL value). */
static int render_named(const char *name, const view *v, buf *out, int depth)
{
	const struct tmpl *t = find(name);
	if (!t) {
		log_error("msg=\"template not found\" template=%s", name);
		return CLR_ENOTFOUND;
	}
	return render(t, 0, t->n, v, out, depth, NULL);
}

static int render(const struct tmpl *t, int from, int to, const view *v, buf *out, int depth,
		  struct list_cache *lc)
{
	if (depth > 32)
		return CLR_EINVAL;
	for (int i = from; i < to; i++) {
		const struct node *nd = &t->nodes[i];
		const struct vval *val;
		switch (nd->type) {
		case N_TEXT:
			buf_add_inline(out, nd->s, nd->len);
			break;
		case N_VAR:
			val = lookup(t, i, v, lc);
			if (val && (val->kind == V_TEXT || val->kind == V_HTML)) {
				if (val->kind == V_HTML || t->text)
					buf_adds(out, val->s);
				else
					buf_add_html(out, val->s);
			} else if (val && val->kind == V_TMPL) {
				int rc = render_named(val->s, v, out, depth + 1);
				if (rc)
					return rc;
			} else if (!val && strict) {
				report_unset(t, i);
			}
			break;
		case N_SECTION:
			val = lookup(t, i, v, lc);
			if (val && val->kind == V_LIST && val->nitems > 1 && nd->end - i - 1 <= LIST_CACHE_NODES) {
				struct list_cache ilc;
				ilc.t = t;
				ilc.base = i + 1;
				ilc.n = nd->end - i - 1;
				ilc.first = val->items[0];
				memset(ilc.slot, 0, sizeof ilc.slot[0] * (size_t)ilc.n);
				for (int k = 0; k < val->nitems; k++) {
					const view *item = val->items[k];
					ilc.cur = k == 0 || view_same_keys(item, ilc.first) ? item : NULL;
					if (render(t, i + 1, nd->end, item, out, depth + 1, &ilc))
						return CLR_EINVAL;
				}
			} else if (val && val->kind == V_LIST) {
				for (int k = 0; k < val->nitems; k++)
					if (render(t, i + 1, nd->end, val->items[k], out, depth + 1, NULL))
						return CLR_EINVAL;
			} else if (truthy(val)) {
				if (render(t, i + 1, nd->end, v, out, depth + 1, lc))
					return CLR_EINVAL;
			}
			i = nd->end - 1;
			break;
		case N_INVERTED:
			if (!truthy(lookup(t, i, v, lc)))
				if (render(t, i + 1, nd->end, v, out, depth + 1, lc))
					return CLR_EINVAL;
			i = nd->end - 1;
			break;
		case N_PARTIAL:
			if (render(nd->part, 0, nd->part->n, v, out, depth + 1, NULL))
				return CLR_EINVAL;
			break;
		}
	}
	return 0;
}

int tmpl_render(const char *name, const view *v, buf *out)
{
	return render_named(name, v, out, 0);
}
