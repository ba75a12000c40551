/* manual.c - the user manuals (see manual.h): their text, embedded from
 * data/doc/, is read line by line into blocks of the document layer.  The
 * document is laid out twice: the first pass learns on which page each
 * chapter starts, the second writes those pages into the « Sommaire » (its
 * height does not change between the passes, so neither do the pages).
 */
#include "pdf/manual.h"
#include "core/arena.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/text.h"
#include "pdf/pdf.h"
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAPTERS 32
#define MAX_ITEMS 40
#define IMAGE_MAX_H 330.0

static const char *const sources[] = {
	[MANUAL_ADMIN] = "data/doc/administrateur.txt",
	[MANUAL_PROCTOR] = "data/doc/surveillant.txt",
};

struct toc {
	int n;
	const char *title[MAX_CHAPTERS];
	int page[MAX_CHAPTERS]; /* from 1; 0 = not known yet */
};

/* s with French typography (no-break spaces before : ; ! ? and inside
 * « »), arena-owned. */
static const char *typo(arena *a, const char *s)
{
	char *t = fr_typography(s);
	if (!t)
		return s;
	const char *r = arena_strdup(a, t);
	free(t);
	return r;
}

/* A line without its prefix and surrounding spaces, with French
 * typography, arena-owned. */
static const char *rest(arena *a, const char *line, size_t skip)
{
	return typo(a, str_trim(a, line + skip, 0));
}

/* Pango markup of a paragraph: text escaped, *word* bold; '%' doubled since
 * the markup goes through pdf_markup()'s format. */
static const char *para_markup(arena *a, const char *text)
{
	char *esc = g_markup_escape_text(text, -1);
	buf b = BUF_INIT;
	int bold = 0;
	for (const char *p = esc; *p; p++) {
		if (*p == '*') {
			buf_adds(&b, bold ? "</b>" : "<b>");
			bold = !bold;
		} else if (*p == '%') {
			buf_adds(&b, "%%");
		} else {
			buf_addc(&b, *p);
		}
	}
	if (bold)
		buf_adds(&b, "</b>");
	g_free(esc);
	const char *s = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

/* Plain text of a line that may hold *bold* marks (bullets, rows). */
static const char *plain(arena *a, const char *text)
{
	char *s = arena_strdup(a, text), *o = s;
	for (const char *p = text; *p; p++)
		if (*p != '*')
			*o++ = *p;
	*o = 0;
	return s;
}

struct flow {
	struct pdf *p;
	arena *a;
	buf para;                  /* the paragraph being gathered */
	const char *items[MAX_ITEMS];
	int nitems;
	struct pdf_kv rows[MAX_ITEMS];
	int nrows;
};

static void flush(struct flow *f)
{
	if (f->para.len) {
		pdf_markup(f->p, 0, para_markup(f->a, typo(f->a, f->para.data)));
		buf_free(&f->para);
		f->para = (buf)BUF_INIT;
	}
	if (f->nitems) {
		pdf_bullets(f->p, f->items, f->nitems);
		f->nitems = 0;
	}
	if (f->nrows) {
		pdf_kv(f->p, f->rows, f->nrows);
		f->nrows = 0;
	}
}

static void toc_block(struct pdf *p, arena *a, const struct toc *t)
{
	static const struct pdf_col cols[] = {
		{"Chapitre", 6, PDF_ALIGN_LEFT, PDF_CELL_TEXT, PDF_LARGE},
		{"Page", 1, PDF_ALIGN_RIGHT, PDF_CELL_TEXT, PDF_LARGE},
	};
	pdf_heading(p, "Sommaire");
	pdf_table_begin(p, cols, 2, 24);
	for (int i = 0; i < t->n; i++) {
		const char *cells[] = {t->title[i], t->page[i] ? int_fmt(a, t->page[i]) : "…"};
		pdf_table_row(p, cells);
	}
	pdf_table_end(p);
}

/* One pass over the text: the document, chapters' pages into t. */
static struct pdf *lay_out(arena *a, const char *text, long long issued, struct toc *t, int first_pass)
{
	struct flow f = {.a = a, .para = BUF_INIT};
	const char *title = "Mode d'emploi";
	/* the title first: it is the document's metadata */
	if (str_starts(text, "= ")) {
		const char *nl = strchr(text, '\n');
		title = str_trim(a, arena_strndup(a, text + 2, nl ? (size_t)(nl - text - 2) : strlen(text + 2)), 0);
	}
	struct pdf_meta meta = {.title = title, .subject = "Certification Le Robert · documentation", .created = issued};
	f.p = pdf_new(&meta);
	int chapter = 0;
	const char *s = text;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		const char *line = arena_strndup(a, s, n);
		s += n + (nl ? 1 : 0);
		const char *l = str_trim(a, line, 0);
		if (str_starts(l, ";;"))
			continue;
		if (!*l) {
			flush(&f);
			continue;
		}
		if (str_starts(l, "= ")) {
			flush(&f);
			pdf_title(f.p, rest(a, l, 2));
		} else if (str_starts(l, "% ")) {
			flush(&f);
			pdf_text(f.p, PDF_MUTED, arena_printf(a, "%s · édité le %s", rest(a, l, 2), date_fmt(a, (time_t)issued)));
		} else if (str_starts(l, "## ")) {
			flush(&f);
			pdf_heading(f.p, rest(a, l, 3));
		} else if (str_starts(l, "# ")) {
			flush(&f);
			pdf_page_break(f.p);
			if (first_pass && chapter < t->n)
				t->page[chapter] = pdf_page_count(f.p);
			chapter++;
			pdf_title(f.p, rest(a, l, 2));
		} else if (str_starts(l, "- ")) {
			if (f.para.len || f.nrows) {
				const int keep = f.nitems;
				f.nitems = 0;
				flush(&f);
				f.nitems = keep;
			}
			if (f.nitems < MAX_ITEMS)
				f.items[f.nitems++] = plain(a, rest(a, l, 2));
		} else if (str_starts(l, "> ")) {
			if (f.para.len || f.nitems)
				flush(&f);
			const char *r = rest(a, l, 2), *bar = strchr(r, '|');
			if (bar && f.nrows < MAX_ITEMS)
				f.rows[f.nrows++] = (struct pdf_kv){str_trim(a, arena_strndup(a, r, (size_t)(bar - r)), 0),
								    plain(a, str_trim(a, bar + 1, 0)), 0};
		} else if (str_starts(l, "! ")) {
			flush(&f);
			pdf_panel_begin(f.p);
			pdf_markup(f.p, 0, para_markup(a, rest(a, l, 2)));
			pdf_panel_end(f.p);
		} else if (str_starts(l, "[image ")) {
			flush(&f);
			const char *r = rest(a, l, 7), *bar = strchr(r, '|'), *end = strrchr(r, ']');
			const char *name = str_trim(a, arena_strndup(a, r, (size_t)((bar ? bar : end ? end : r + strlen(r)) - r)), 0);
			const char *cap = bar ? typo(a, str_trim(a, arena_strndup(a, bar + 1, (size_t)((end ? end : bar + strlen(bar)) - bar - 1)), 0)) : NULL;
			const struct embedded_file *img = embedded_find(arena_printf(a, "data/doc/images/%s", name));
			if (!img || pdf_image(f.p, img->data, img->len, IMAGE_MAX_H, cap) != 0)
				pdf_text(f.p, PDF_MUTED | PDF_ITALIC, arena_printf(a, "[copie d'écran « %s » indisponible]", name));
		} else if (str_eq(l, "@sommaire")) {
			flush(&f);
			toc_block(f.p, a, t);
		} else if (str_eq(l, "@saut")) {
			flush(&f);
			pdf_page_break(f.p);
		} else {
			if (f.nitems || f.nrows)
				flush(&f);
			if (f.para.len)
				buf_addc(&f.para, ' ');
			buf_adds(&f.para, l);
		}
	}
	flush(&f);
	return f.p;
}

/* The chapters' titles, before any layout: the « Sommaire » has its final
 * height from the first pass on. */
static void toc_scan(arena *a, const char *text, struct toc *t)
{
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		const char *l = str_trim(a, arena_strndup(a, s, n), 0);
		if (str_starts(l, "# ") && t->n < MAX_CHAPTERS)
			t->title[t->n++] = rest(a, l, 2);
		s += n + (nl ? 1 : 0);
	}
}

/* The last document made of each manual, with its day (« édité le »): the
 * same bytes all day long.  Drawing the administrator's manual takes about
 * a second (its screenshots are decoded and compressed again), so a
 * process keeps one copy of each (1.5 MB for that one); requests that come
 * while it is drawn wait for it rather than draw it too. */
static struct {
	pthread_mutex_t lock[2]; /* one per manual: a request waits only for the one it asked for */
	buf pdf[2];
	char day[2][16];
} cache = {.lock = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER}};

static int manual_draw(buf *out, enum manual which, long long issued_at);

int pdf_manual(buf *out, enum manual which, long long issued_at)
{
	if ((int)which < 0 || (size_t)which >= sizeof sources / sizeof *sources)
		return CLR_ENOTFOUND;
	arena *a = arena_new();
	const char *day = date_fmt(a, (time_t)issued_at);
	int rc = 0;
	pthread_mutex_lock(&cache.lock[which]);
	if (!cache.pdf[which].len || strcmp(cache.day[which], day) != 0) {
		buf b = BUF_INIT;
		rc = manual_draw(&b, which, issued_at);
		if (rc == 0) {
			buf_free(&cache.pdf[which]);
			cache.pdf[which] = b;
			snprintf(cache.day[which], sizeof cache.day[which], "%s", day);
		} else {
			buf_free(&b);
		}
	}
	if (rc == 0)
		buf_add(out, cache.pdf[which].data, cache.pdf[which].len);
	pthread_mutex_unlock(&cache.lock[which]);
	arena_free(a);
	return rc;
}

static int manual_draw(buf *out, enum manual which, long long issued_at)
{
	const struct embedded_file *src = embedded_find(sources[which]);
	if (!src)
		return CLR_ENOTFOUND;
	arena *a = arena_new();
	struct toc t = {0};
	toc_scan(a, (const char *)src->data, &t);
	struct pdf *p = lay_out(a, (const char *)src->data, issued_at, &t, 1);
	pdf_free(p);
	p = lay_out(a, (const char *)src->data, issued_at, &t, 0);
	int rc = pdf_finish(p, out);
	pdf_free(p);
	arena_free(a);
	return rc;
}
