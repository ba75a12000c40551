/* pdf.c - the document layer (see pdf.h): text layout with pango, a display
 * list of positioned operations (text, rectangles, rules) built as blocks
 * are added, and the drawing of every page with its header and footer onto
 * a cairo PDF surface once the page count is known.
 *
 * Units are PDF points (1/72 inch); pango works at 72 dpi so that a 10 pt
 * font is 10 units, without hinting or rounded glyph positions (what is
 * measured is what the PDF draws).
 */
#include "pdf/pdf.h"
#include "core/err.h"
#include <cairo-pdf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- page geometry and house style ---------------------------------------- */

#define PAGE_W 595.2756 /* A4: 210 x 297 mm */
#define PAGE_H 841.8898
#define MARGIN_X 56.69  /* 20 mm */
#define TEXT_W (PAGE_W - 2 * MARGIN_X)
#define HEADER_Y 30.0   /* top of the logo */
#define LOGO_SIZE 24.0
#define RULE_Y 64.0     /* the red rule under the header */
#define BODY_TOP 88.0
#define BODY_BOTTOM (PAGE_H - 62.0)
#define BODY_H (BODY_BOTTOM - BODY_TOP)
#define FOOTER_RULE_Y (PAGE_H - 46.0)
#define FOOTER_TEXT_Y (PAGE_H - 40.0)

/* static/app.css */
#define C_RED 0xc8102e
#define C_RED_DARK 0x9e0c24
#define C_INK 0x1d1d1f
#define C_MUTED 0x5f6368
#define C_LINE 0xd9dce1
#define C_BG 0xf5f6f8
#define C_ZEBRA 0xf7f8fa
#define C_HEAD_BG 0xeceef1

#define FONT_FAMILY "DejaVu Sans"
#define MONO_FAMILY "DejaVu Sans Mono"
#define PARA_GAP 6.0   /* after a paragraph */
#define CELL_PAD_X 5.0
#define CELL_PAD_Y 4.0
#define PANEL_PAD 11.0
#define PANEL_BAR 3.0
#define MAX_COLS 12
#define BOX_GAP 14.0  /* between boxes side by side */
#define TICK_SIZE 11.0 /* a table's square to tick */

/* Font sizes; the style flags choose one. */
enum size { SZ_SMALL, SZ_TABLE, SZ_BODY, SZ_LARGE, SZ_HEADING, SZ_TITLE, SZ_COUNT };
static const double sizes[SZ_COUNT] = {8.5, 9.0, 10.0, 12.0, 12.5, 19.0};

/* ---- the display list -------------------------------------------------------- */

enum op_kind { OP_TEXT, OP_FILL, OP_STROKE, OP_IMAGE };

struct op {
	enum op_kind kind;
	int page;
	int under;           /* 1: drawn before the page's other ops (a panel's background) */
	double x, y, w, h;   /* OP_TEXT: top-left; rectangles: x, y, w, h */
	double line_width;   /* OP_STROKE */
	unsigned rgb;
	PangoLayout *layout; /* OP_TEXT: one reference owned by the op */
	int line0, line1;    /* OP_TEXT: lines [line0, line1) drawn; line1 < 0: all */
	double yoff;         /* OP_TEXT with a line range: layout y of line0's top */
	cairo_surface_t *image; /* OP_IMAGE: one reference owned by the op, drawn into x, y, w, h */
};

struct pdf {
	PangoContext *ctx;
	PangoFontDescription *fonts[SZ_COUNT][2][2][2]; /* [size][mono][bold][italic], made on first use */
	struct op *ops;
	size_t nops, cap;
	int page;       /* current page, from 0 */
	double y;       /* next block's top */
	double x0, w;   /* the flow's left edge and width (panels indent them) */
	char *title, *subject, *keywords, *note;
	long long created;
	int finished;
	/* the open panel */
	int in_panel, panel_page;
	double panel_y;
	/* the open table */
	const struct pdf_col *cols;
	int ncols, rows, header_page;
	double colw[MAX_COLS], min_row_h, header_h;
	PangoLayout *head[MAX_COLS];
};

/* Appends op; on the current page unless op.under (which states its page). */
static void add_op(struct pdf *d, struct op op)
{
	if (d->nops == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 256;
		d->ops = realloc(d->ops, d->cap * sizeof *d->ops);
		if (!d->ops)
			abort();
	}
	if (!op.under)
		op.page = d->page;
	d->ops[d->nops++] = op;
}

/* Takes over the caller's reference to l. */
static void op_text(struct pdf *d, PangoLayout *l, double x, double y, unsigned rgb)
{
	add_op(d, (struct op){.kind = OP_TEXT, .x = x, .y = y, .rgb = rgb, .layout = l, .line1 = -1});
}

static void op_fill(struct pdf *d, double x, double y, double w, double h, unsigned rgb)
{
	add_op(d, (struct op){.kind = OP_FILL, .x = x, .y = y, .w = w, .h = h, .rgb = rgb});
}

static void op_stroke(struct pdf *d, double x, double y, double w, double h, double lw, unsigned rgb)
{
	add_op(d, (struct op){.kind = OP_STROKE, .x = x, .y = y, .w = w, .h = h, .line_width = lw, .rgb = rgb});
}

/* ---- fonts and layouts ----------------------------------------------------- */

static const PangoFontDescription *font(struct pdf *d, enum size sz, int mono, int bold, int italic)
{
	PangoFontDescription **f = &d->fonts[sz][!!mono][!!bold][!!italic];
	if (!*f) {
		*f = pango_font_description_new();
		pango_font_description_set_family_static(*f, mono ? MONO_FAMILY : FONT_FAMILY);
		pango_font_description_set_size(*f, (gint)lround(sizes[sz] * PANGO_SCALE));
		pango_font_description_set_weight(*f, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
		pango_font_description_set_style(*f, italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
	}
	return *f;
}

static enum size style_size(int style)
{
	return style & PDF_SMALL ? SZ_SMALL : style & PDF_LARGE ? SZ_LARGE : SZ_BODY;
}

static unsigned style_rgb(int style)
{
	return style & PDF_ACCENT ? C_RED_DARK : style & PDF_MUTED ? C_MUTED : C_INK;
}

/* A layout of text (plain, or markup when is_markup) wrapped at width. */
static PangoLayout *layout_sized(struct pdf *d, enum size sz, int style, double width, const char *text, int is_markup)
{
	PangoLayout *l = pango_layout_new(d->ctx);
	pango_layout_set_font_description(l, font(d, sz, style & PDF_MONO, style & PDF_BOLD, style & PDF_ITALIC));
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_line_spacing(l, sz == SZ_TITLE ? 1.1f : 1.2f);
	pango_layout_set_alignment(l, style & PDF_CENTER  ? PANGO_ALIGN_CENTER
				      : style & PDF_RIGHT ? PANGO_ALIGN_RIGHT
							  : PANGO_ALIGN_LEFT);
	if (!text)
		text = "";
	char *valid = g_utf8_validate(text, -1, NULL) ? NULL : g_utf8_make_valid(text, -1);
	const char *t = valid ? valid : text;
	if (is_markup && pango_parse_markup(t, -1, 0, NULL, NULL, NULL, NULL))
		pango_layout_set_markup(l, t, -1);
	else
		pango_layout_set_text(l, t, -1);
	g_free(valid);
	return l;
}

static PangoLayout *layout(struct pdf *d, int style, double width, const char *text)
{
	return layout_sized(d, style_size(style), style, width, text, 0);
}

static double height_of(PangoLayout *l)
{
	PangoRectangle r;
	pango_layout_get_extents(l, NULL, &r);
	return (double)r.height / PANGO_SCALE;
}

static int str_has_text(const char *s)
{
	return s && *s;
}

/* ---- the flow ------------------------------------------------------------- */

static void new_page(struct pdf *d)
{
	d->page++;
	d->y = BODY_TOP;
}

static int page_empty(const struct pdf *d)
{
	return d->y <= BODY_TOP + 0.01;
}

/* Moves to the next page unless h more points fit on this one (or the page
 * is empty: a block taller than a page starts at the top and runs over). */
static void ensure(struct pdf *d, double h)
{
	if (d->y + h > BODY_BOTTOM && !page_empty(d))
		new_page(d);
}

/* Places a layout in the flow at indent dx, continuing on the next pages
 * line by line if it does not fit; the cursor moves below it. */
static void place(struct pdf *d, PangoLayout *l, double dx, unsigned rgb)
{
	double h = height_of(l);
	if (d->y + h <= BODY_BOTTOM || (page_empty(d) && h <= BODY_H)) {
		op_text(d, l, d->x0 + dx, d->y, rgb);
		d->y += h;
		return;
	}
	PangoLayoutIter *it = pango_layout_get_iter(l);
	int line = 0, first = 0;
	double top = 0, bottom = 0; /* layout y of the chunk's first line top, of the last line's bottom */
	do {
		int y0, y1;
		pango_layout_iter_get_line_yrange(it, &y0, &y1);
		double ly0 = (double)y0 / PANGO_SCALE, ly1 = (double)y1 / PANGO_SCALE;
		if (d->y + (ly1 - top) > BODY_BOTTOM && !(line == first && page_empty(d))) {
			if (line > first) {
				g_object_ref(l);
				add_op(d, (struct op){.kind = OP_TEXT, .x = d->x0 + dx, .y = d->y, .rgb = rgb, .layout = l,
						      .line0 = first, .line1 = line, .yoff = top});
			}
			new_page(d);
			first = line;
			top = ly0;
		}
		bottom = ly1;
		line++;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	add_op(d, (struct op){.kind = OP_TEXT, .x = d->x0 + dx, .y = d->y, .rgb = rgb, .layout = l, .line0 = first,
			      .line1 = line, .yoff = top});
	d->y += bottom - top;
}

void pdf_space(struct pdf *d, double points)
{
	if (!page_empty(d))
		d->y = fmin(d->y + points, BODY_BOTTOM);
}

void pdf_page_break(struct pdf *d)
{
	if (!page_empty(d))
		new_page(d);
}

int pdf_page_count(const struct pdf *d)
{
	return d->page + 1;
}

void pdf_title(struct pdf *d, const char *text)
{
	PangoLayout *l = layout_sized(d, SZ_TITLE, PDF_BOLD, d->w, text, 0);
	ensure(d, height_of(l) + 40);
	place(d, l, 0, C_INK);
	d->y += 10;
}

void pdf_heading(struct pdf *d, const char *text)
{
	PangoLayout *l = layout_sized(d, SZ_HEADING, PDF_BOLD, d->w, text, 0);
	if (!page_empty(d))
		d->y += 8;
	ensure(d, height_of(l) + 3 * 14.0); /* never alone at the bottom of a page */
	place(d, l, 0, C_RED_DARK);
	d->y += 5;
}

void pdf_text(struct pdf *d, int style, const char *text)
{
	place(d, layout(d, style, d->w, text), 0, style_rgb(style));
	d->y += PARA_GAP;
}

void pdf_paragraph(struct pdf *d, const char *text)
{
	pdf_text(d, PDF_NORMAL, text);
}

void pdf_markup(struct pdf *d, int style, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_markup_vprintf_escaped(fmt, ap);
	va_end(ap);
	place(d, layout_sized(d, style_size(style), style, d->w, m, 1), 0, style_rgb(style));
	g_free(m);
	d->y += PARA_GAP;
}

void pdf_kv(struct pdf *d, const struct pdf_kv *rows, int n)
{
	double kw = fmin(d->w * 0.3, 130.0), gap = 10;
	for (int i = 0; i < n; i++) {
		PangoLayout *k = layout(d, PDF_MUTED, kw, rows[i].key);
		PangoLayout *v = layout(d, rows[i].style, d->w - kw - gap, rows[i].value);
		double h = fmax(height_of(k), height_of(v));
		ensure(d, h);
		op_text(d, k, d->x0, d->y, C_MUTED);
		op_text(d, v, d->x0 + kw + gap, d->y, style_rgb(rows[i].style));
		d->y += h + 5;
	}
	d->y += PARA_GAP - 5;
}

void pdf_bullets(struct pdf *d, const char *const *items, int n)
{
	const double indent = 16;
	for (int i = 0; i < n; i++) {
		PangoLayout *t = layout(d, PDF_NORMAL, d->w - indent, items[i]);
		PangoLayout *b = layout(d, PDF_BOLD, indent, "•");
		ensure(d, fmin(height_of(t), BODY_H)); /* the bullet and its first line together */
		op_text(d, b, d->x0 + 3, d->y, C_RED);
		place(d, t, indent, C_INK);
		d->y += 3;
	}
	d->y += PARA_GAP - 3;
}

void pdf_matrix(struct pdf *d, const unsigned char *dark, int n, double size)
{
	if (n <= 0 || size <= 0)
		return;
	if (size > d->w)
		size = d->w;
	double m = size / n, x0 = d->x0 + (d->w - size) / 2;
	ensure(d, size);
	for (int r = 0; r < n; r++)
		for (int c = 0; c < n;) {
			if (!dark[r * n + c]) {
				c++;
				continue;
			}
			int e = c;
			while (e < n && dark[r * n + e])
				e++;
			/* one rectangle per run of dark modules, a hair taller than a
			 * module so that rows leave no seam when rasterised */
			op_fill(d, x0 + c * m, d->y + r * m, (e - c) * m, m + (r + 1 < n ? 0.05 : 0), 0x000000);
			c = e;
		}
	d->y += size + PARA_GAP;
}

void pdf_box(struct pdf *d, const char *caption, double width, double height)
{
	if (width <= 0 || width > d->w)
		width = d->w;
	PangoLayout *c = layout(d, PDF_SMALL | PDF_MUTED, width, caption);
	double ch = height_of(c);
	ensure(d, ch + 3 + height);
	op_text(d, c, d->x0, d->y, C_MUTED);
	op_stroke(d, d->x0, d->y + ch + 3, width, height, 0.8, C_MUTED);
	d->y += ch + 3 + height + PARA_GAP;
}

void pdf_boxes(struct pdf *d, const char *const *captions, const double *weights, int n, double height)
{
	if (n <= 0)
		return;
	if (n > MAX_COLS)
		n = MAX_COLS;
	double total = 0, ch = 0, avail = d->w - BOX_GAP * (n - 1);
	for (int i = 0; i < n; i++)
		total += weights && weights[i] > 0 ? weights[i] : 1;
	PangoLayout *c[MAX_COLS];
	double w[MAX_COLS];
	for (int i = 0; i < n; i++) {
		w[i] = avail * (weights && weights[i] > 0 ? weights[i] : 1) / total;
		c[i] = layout(d, PDF_SMALL | PDF_MUTED, w[i], captions[i]);
		ch = fmax(ch, height_of(c[i]));
	}
	ensure(d, ch + 3 + height);
	double x = d->x0;
	for (int i = 0; i < n; i++) {
		op_text(d, c[i], x, d->y + ch - height_of(c[i]), C_MUTED); /* captions share their last line */
		op_stroke(d, x, d->y + ch + 3, w[i], height, 0.8, C_MUTED);
		x += w[i] + BOX_GAP;
	}
	d->y += ch + 3 + height + PARA_GAP;
}

void pdf_lines(struct pdf *d, const char *caption, int lines, double spacing)
{
	if (spacing < 12)
		spacing = 12;
	const double tail = spacing / 2; /* under the last rule, inside the frame */
	PangoLayout *c = caption ? layout(d, PDF_SMALL | PDF_MUTED, d->w, caption) : NULL;
	double ch = c ? height_of(c) + 3 : 0;
	if (lines > 0) {
		ensure(d, ch + lines * spacing + tail);
	} else {
		if (BODY_BOTTOM - d->y - ch - tail < 4 * spacing)
			new_page(d);
		lines = (int)((BODY_BOTTOM - d->y - ch - tail) / spacing);
	}
	if (c)
		op_text(d, c, d->x0, d->y, C_MUTED);
	double top = d->y + ch, h = lines * spacing + tail;
	for (int i = 1; i <= lines; i++)
		op_fill(d, d->x0 + 8, top + i * spacing - 0.25, d->w - 16, 0.5, C_LINE);
	op_stroke(d, d->x0, top, d->w, h, 0.8, C_MUTED);
	d->y = top + h + PARA_GAP;
}

void pdf_fill_in(struct pdf *d, const char *const *labels, const double *weights, int n)
{
	const double row_h = 28, gap = 16;
	if (n <= 0)
		return;
	double total = 0;
	for (int i = 0; i < n; i++)
		total += weights && weights[i] > 0 ? weights[i] : 1;
	ensure(d, row_h);
	double x = d->x0, avail = d->w - gap * (n - 1), rule_y = d->y + row_h - 5;
	for (int i = 0; i < n; i++) {
		double w = avail * (weights && weights[i] > 0 ? weights[i] : 1) / total;
		PangoLayout *l = layout(d, PDF_NORMAL, w, labels[i]);
		pango_layout_set_width(l, -1); /* one line: its own width */
		PangoRectangle r;
		pango_layout_get_extents(l, NULL, &r);
		double lw = (double)r.width / PANGO_SCALE, base = (double)pango_layout_get_baseline(l) / PANGO_SCALE;
		op_text(d, l, x, rule_y - 2 - base, C_INK);
		if (lw + 6 < w)
			op_fill(d, x + lw + 6, rule_y, w - lw - 6, 0.7, C_MUTED);
		x += w + gap;
	}
	d->y += row_h + PARA_GAP;
}

/* cairo's PNG reader over a block of memory. */
struct png_src {
	const unsigned char *p;
	size_t len, off;
};

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int length)
{
	struct png_src *s = closure;
	if (length > s->len - s->off)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, s->p + s->off, length);
	s->off += length;
	return CAIRO_STATUS_SUCCESS;
}

int pdf_image(struct pdf *d, const unsigned char *png, size_t len, double max_h, const char *caption)
{
	struct png_src src = {png, len, 0};
	cairo_surface_t *img = cairo_image_surface_create_from_png_stream(png_read, &src);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(img);
		return CLR_EINVAL;
	}
	double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
	if (max_h <= 0 || max_h > BODY_H - 40)
		max_h = BODY_H - 40;
	double w = d->w, h = w * ih / iw;
	if (h > max_h) {
		h = max_h;
		w = h * iw / ih;
	}
	PangoLayout *c = str_has_text(caption) ? layout(d, PDF_SMALL | PDF_MUTED | PDF_CENTER, d->w, caption) : NULL;
	double ch = c ? height_of(c) + 4 : 0;
	ensure(d, h + ch + 2);
	double x = d->x0 + (d->w - w) / 2;
	add_op(d, (struct op){.kind = OP_IMAGE, .x = x, .y = d->y, .w = w, .h = h, .image = img});
	op_stroke(d, x, d->y, w, h, 0.6, C_LINE);
	d->y += h + 4;
	if (c)
		op_text(d, c, d->x0, d->y, C_MUTED);
	d->y += ch + PARA_GAP;
	return 0;
}

void pdf_need(struct pdf *d, double points)
{
	ensure(d, points);
}

void pdf_panel_begin(struct pdf *d)
{
	if (d->in_panel)
		return;
	ensure(d, 60);
	d->in_panel = 1;
	d->panel_page = d->page;
	d->panel_y = d->y;
	d->y += PANEL_PAD;
	d->x0 += PANEL_BAR + PANEL_PAD;
	d->w -= PANEL_BAR + 2 * PANEL_PAD;
}

void pdf_panel_end(struct pdf *d)
{
	if (!d->in_panel)
		return;
	d->in_panel = 0;
	d->x0 -= PANEL_BAR + PANEL_PAD;
	d->w += PANEL_BAR + 2 * PANEL_PAD;
	d->y += PANEL_PAD - PARA_GAP; /* the last block's gap is inside the padding */
	/* The background is drawn under the panel's content, one piece per
	 * page the panel spans. */
	int cur = d->page;
	for (int p = d->panel_page; p <= cur; p++) {
		double y0 = p == d->panel_page ? d->panel_y : BODY_TOP, y1 = p == cur ? d->y : BODY_BOTTOM;
		add_op(d, (struct op){.kind = OP_FILL, .page = p, .under = 1, .x = d->x0, .y = y0, .w = d->w,
				      .h = y1 - y0, .rgb = C_BG});
		add_op(d, (struct op){.kind = OP_FILL, .page = p, .under = 1, .x = d->x0, .y = y0, .w = PANEL_BAR,
				      .h = y1 - y0, .rgb = C_RED});
	}
	d->y += PARA_GAP + 2;
}

/* ---- tables ---------------------------------------------------------------- */

void pdf_table_begin(struct pdf *d, const struct pdf_col *cols, int ncols, double min_row_height)
{
	if (d->cols)
		pdf_table_end(d);
	if (ncols > MAX_COLS)
		ncols = MAX_COLS;
	d->cols = cols;
	d->ncols = ncols;
	d->rows = 0;
	d->header_page = -1;
	d->min_row_h = min_row_height;
	double total = 0;
	for (int i = 0; i < ncols; i++)
		total += cols[i].weight > 0 ? cols[i].weight : 1;
	d->header_h = 0;
	for (int i = 0; i < ncols; i++) {
		d->colw[i] = d->w * (cols[i].weight > 0 ? cols[i].weight : 1) / total;
		int align = cols[i].align == PDF_ALIGN_RIGHT ? PDF_RIGHT : cols[i].align == PDF_ALIGN_CENTER ? PDF_CENTER : 0;
		d->head[i] = layout_sized(d, SZ_SMALL, PDF_BOLD | align, d->colw[i] - 2 * CELL_PAD_X, cols[i].title, 0);
		d->header_h = fmax(d->header_h, height_of(d->head[i]) + 2 * CELL_PAD_Y + 2);
	}
}

static void table_header(struct pdf *d)
{
	op_fill(d, d->x0, d->y, d->w, d->header_h, C_HEAD_BG);
	double x = d->x0;
	for (int i = 0; i < d->ncols; i++) {
		g_object_ref(d->head[i]);
		op_text(d, d->head[i], x + CELL_PAD_X, d->y + (d->header_h - height_of(d->head[i])) / 2, C_INK);
		x += d->colw[i];
	}
	op_fill(d, d->x0, d->y + d->header_h - 1.2, d->w, 1.2, C_RED);
	d->y += d->header_h;
	d->header_page = d->page;
}

void pdf_table_row(struct pdf *d, const char *const *cells)
{
	if (!d->cols)
		return;
	PangoLayout *l[MAX_COLS] = {0};
	double h = 0, room = BODY_H - d->header_h - 2 * CELL_PAD_Y;
	for (int i = 0; i < d->ncols; i++) {
		if (d->cols[i].box)
			continue;
		int align = d->cols[i].align == PDF_ALIGN_RIGHT	   ? PDF_RIGHT
			    : d->cols[i].align == PDF_ALIGN_CENTER ? PDF_CENTER
								   : 0;
		int st = d->cols[i].style & (PDF_BOLD | PDF_ITALIC | PDF_MONO | PDF_SMALL | PDF_LARGE);
		l[i] = layout_sized(d, st & (PDF_SMALL | PDF_LARGE) ? style_size(st) : SZ_TABLE, align | st,
				    d->colw[i] - 2 * CELL_PAD_X, cells[i], 0);
		pango_layout_set_height(l[i], (int)(room * PANGO_SCALE));
		pango_layout_set_ellipsize(l[i], PANGO_ELLIPSIZE_END);
		h = fmax(h, height_of(l[i]));
	}
	double row_h = fmax(h + 2 * CELL_PAD_Y, d->min_row_h);
	if (d->header_page != d->page || d->y + row_h > BODY_BOTTOM) {
		if (d->y + row_h + (d->header_page == d->page ? 0 : d->header_h) > BODY_BOTTOM && !page_empty(d))
			new_page(d);
		table_header(d);
	}
	if (d->rows % 2)
		op_fill(d, d->x0, d->y, d->w, row_h, C_ZEBRA);
	double x = d->x0;
	for (int i = 0; i < d->ncols; i++) {
		if (d->cols[i].box == PDF_CELL_TICK)
			op_stroke(d, x + (d->colw[i] - TICK_SIZE) / 2, d->y + (row_h - TICK_SIZE) / 2, TICK_SIZE, TICK_SIZE,
				  0.8, C_MUTED);
		else if (d->cols[i].box)
			op_stroke(d, x + 4, d->y + 4, d->colw[i] - 8, row_h - 8, 0.6, C_MUTED);
		else
			op_text(d, l[i], x + CELL_PAD_X, d->y + (row_h - height_of(l[i])) / 2, C_INK);
		x += d->colw[i];
	}
	op_fill(d, d->x0, d->y + row_h - 0.5, d->w, 0.5, C_LINE);
	d->y += row_h;
	d->rows++;
}

void pdf_table_end(struct pdf *d)
{
	for (int i = 0; i < d->ncols; i++) {
		g_object_unref(d->head[i]);
		d->head[i] = NULL;
	}
	d->cols = NULL;
	d->ncols = 0;
	d->y += 10;
}

/* ---- document ------------------------------------------------------------ */

struct pdf *pdf_new(const struct pdf_meta *meta)
{
	struct pdf *d = calloc(1, sizeof *d);
	if (!d)
		abort();
	/* pango's default font map is per thread (since 1.32.6), so documents
	 * made on several threads at once never share one. */
	d->ctx = pango_font_map_create_context(pango_cairo_font_map_get_default());
	pango_cairo_context_set_resolution(d->ctx, 72);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(d->ctx, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(d->ctx, FALSE);
	pango_context_set_language(d->ctx, pango_language_from_string("fr-fr"));
	d->title = g_strdup(meta && meta->title ? meta->title : "");
	d->subject = g_strdup(meta && meta->subject ? meta->subject : "");
	d->keywords = g_strdup(meta && meta->keywords ? meta->keywords : "");
	d->note = g_strdup(meta && meta->header_note ? meta->header_note : "");
	d->created = meta ? meta->created : 0;
	d->y = BODY_TOP;
	d->x0 = MARGIN_X;
	d->w = TEXT_W;
	return d;
}

void pdf_free(struct pdf *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nops; i++) {
		if (d->ops[i].layout)
			g_object_unref(d->ops[i].layout);
		if (d->ops[i].image)
			cairo_surface_destroy(d->ops[i].image);
	}
	free(d->ops);
	for (int i = 0; i < d->ncols; i++)
		if (d->head[i])
			g_object_unref(d->head[i]);
	for (int s = 0; s < SZ_COUNT; s++)
		for (int m = 0; m < 2; m++)
			for (int b = 0; b < 2; b++)
				for (int i = 0; i < 2; i++)
					if (d->fonts[s][m][b][i])
						pango_font_description_free(d->fonts[s][m][b][i]);
	g_object_unref(d->ctx);
	g_free(d->title);
	g_free(d->subject);
	g_free(d->keywords);
	g_free(d->note);
	free(d);
}

void pdf_thread_cleanup(void)
{
	pango_cairo_font_map_set_default(NULL);
}

/* ---- drawing ---------------------------------------------------------------- */

static void set_rgb(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0);
}

/* static/logo.svg (a red rounded square with a white R), drawn at (x, y)
 * size s: cairo cannot read SVG without librsvg, and the path is short. */
static void draw_logo(cairo_t *cr, double x, double y, double s)
{
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_scale(cr, s / 64, s / 64);
	const double r = 12;
	cairo_new_path(cr);
	cairo_arc(cr, 64 - r, r, r, -M_PI / 2, 0);
	cairo_arc(cr, 64 - r, 64 - r, r, 0, M_PI / 2);
	cairo_arc(cr, r, 64 - r, r, M_PI / 2, M_PI);
	cairo_arc(cr, r, r, r, M_PI, 3 * M_PI / 2);
	cairo_close_path(cr);
	set_rgb(cr, C_RED);
	cairo_fill(cr);
	/* M18 14h16c8 0 13 4.5 13 11.5 0 5.4-3 9.2-7.9 10.8L48 50h-9.4l-7.8-12.8H26.4V50H18z
	 * m8.4 7v9.5H33c3.3 0 5.4-1.8 5.4-4.8S36.3 21 33 21z */
	cairo_move_to(cr, 18, 14);
	cairo_line_to(cr, 34, 14);
	cairo_curve_to(cr, 42, 14, 47, 18.5, 47, 25.5);
	cairo_curve_to(cr, 47, 30.9, 44, 34.7, 39.1, 36.3);
	cairo_line_to(cr, 48, 50);
	cairo_line_to(cr, 38.6, 50);
	cairo_line_to(cr, 30.8, 37.2);
	cairo_line_to(cr, 26.4, 37.2);
	cairo_line_to(cr, 26.4, 50);
	cairo_line_to(cr, 18, 50);
	cairo_close_path(cr);
	cairo_move_to(cr, 26.4, 21);
	cairo_line_to(cr, 26.4, 30.5);
	cairo_line_to(cr, 33, 30.5);
	cairo_curve_to(cr, 36.3, 30.5, 38.4, 28.7, 38.4, 25.7);
	cairo_curve_to(cr, 38.4, 22.7, 36.3, 21, 33, 21);
	cairo_close_path(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_fill(cr);
	cairo_restore(cr);
}

static void draw_text(cairo_t *cr, const struct op *o)
{
	set_rgb(cr, o->rgb);
	if (o->line1 < 0) {
		cairo_move_to(cr, o->x, o->y);
		pango_cairo_show_layout(cr, o->layout);
		return;
	}
	PangoLayoutIter *it = pango_layout_get_iter(o->layout);
	int i = 0;
	do {
		if (i >= o->line0) {
			PangoRectangle log;
			pango_layout_iter_get_line_extents(it, NULL, &log);
			double base = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
			cairo_move_to(cr, o->x + (double)log.x / PANGO_SCALE, o->y + base - o->yoff);
			pango_cairo_show_layout_line(cr, pango_layout_iter_get_line_readonly(it));
		}
		i++;
	} while (i < o->line1 && pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

static void draw_op(cairo_t *cr, const struct op *o)
{
	switch (o->kind) {
	case OP_TEXT:
		draw_text(cr, o);
		break;
	case OP_FILL:
		set_rgb(cr, o->rgb);
		cairo_rectangle(cr, o->x, o->y, o->w, o->h);
		cairo_fill(cr);
		break;
	case OP_STROKE:
		set_rgb(cr, o->rgb);
		cairo_set_line_width(cr, o->line_width);
		cairo_rectangle(cr, o->x, o->y, o->w, o->h);
		cairo_stroke(cr);
		break;
	case OP_IMAGE:
		cairo_save(cr);
		cairo_rectangle(cr, o->x, o->y, o->w, o->h);
		cairo_clip(cr);
		cairo_translate(cr, o->x, o->y);
		cairo_scale(cr, o->w / cairo_image_surface_get_width(o->image), o->h / cairo_image_surface_get_height(o->image));
		cairo_set_source_surface(cr, o->image, 0, 0);
		cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
		cairo_paint(cr);
		cairo_restore(cr);
		break;
	}
}

static void draw_header(cairo_t *cr, PangoLayout *brand, PangoLayout *note)
{
	draw_logo(cr, MARGIN_X, HEADER_Y, LOGO_SIZE);
	set_rgb(cr, C_INK);
	cairo_move_to(cr, MARGIN_X + LOGO_SIZE + 9, HEADER_Y + (LOGO_SIZE - height_of(brand)) / 2);
	pango_cairo_show_layout(cr, brand);
	if (note) {
		set_rgb(cr, C_MUTED);
		cairo_move_to(cr, MARGIN_X, HEADER_Y + (LOGO_SIZE - height_of(note)) / 2);
		pango_cairo_show_layout(cr, note);
	}
	set_rgb(cr, C_RED);
	cairo_rectangle(cr, MARGIN_X, RULE_Y, TEXT_W, 1.5);
	cairo_fill(cr);
}

static void draw_footer(struct pdf *d, cairo_t *cr, PangoLayout *left, int page, int pages)
{
	set_rgb(cr, C_LINE);
	cairo_rectangle(cr, MARGIN_X, FOOTER_RULE_Y, TEXT_W, 0.5);
	cairo_fill(cr);
	set_rgb(cr, C_MUTED);
	cairo_move_to(cr, MARGIN_X, FOOTER_TEXT_Y);
	pango_cairo_show_layout(cr, left);
	char s[64];
	snprintf(s, sizeof s, "Page %d sur %d", page, pages);
	PangoLayout *r = layout(d, PDF_SMALL | PDF_RIGHT, TEXT_W, s);
	cairo_move_to(cr, MARGIN_X, FOOTER_TEXT_Y);
	pango_cairo_show_layout(cr, r);
	g_object_unref(r);
}

static cairo_status_t write_buf(void *closure, const unsigned char *data, unsigned int length)
{
	buf_add(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

/* ISO 8601 in UTC, the form cairo_pdf_surface_set_metadata() reads. */
static void iso_utc(char out[32], long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int pdf_finish(struct pdf *d, buf *out)
{
	if (d->finished)
		return CLR_ESYS;
	d->finished = 1;
	if (d->in_panel)
		pdf_panel_end(d);
	if (d->cols)
		pdf_table_end(d);
	int pages = d->page + 1;

	/* Drawing order: by page, a page's `under` ops first, otherwise as
	 * added (a stable counting sort on page * 2 + !under). */
	size_t nkeys = 2 * (size_t)pages;
	size_t *first = calloc(nkeys + 1, sizeof *first), *next = malloc((nkeys + 1) * sizeof *next);
	size_t *order = malloc((d->nops + 1) * sizeof *order);
	if (!first || !next || !order)
		abort();
	for (size_t i = 0; i < d->nops; i++)
		first[2 * (size_t)d->ops[i].page + !d->ops[i].under + 1]++;
	for (size_t k = 0; k < nkeys; k++)
		first[k + 1] += first[k];
	memcpy(next, first, (nkeys + 1) * sizeof *next);
	for (size_t i = 0; i < d->nops; i++)
		order[next[2 * (size_t)d->ops[i].page + !d->ops[i].under]++] = i;
	free(next);

	buf pdf = BUF_INIT;
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_buf, &pdf, PAGE_W, PAGE_H);
	char date[32];
	iso_utc(date, d->created);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, "Certification Le Robert");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Plateforme Certification Le Robert");
	if (*d->subject)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, d->subject);
	if (*d->keywords)
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, d->keywords);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);

	cairo_t *cr = cairo_create(s);
	PangoLayout *brand = layout_sized(d, SZ_LARGE, 0, TEXT_W, "Certification <span weight=\"bold\" foreground=\"#c8102e\">Le Robert</span>", 1);
	PangoLayout *note = *d->note ? layout(d, PDF_SMALL | PDF_RIGHT, TEXT_W, d->note) : NULL;
	PangoLayout *left = layout(d, PDF_SMALL, TEXT_W * 0.7, *d->title ? d->title : "Certification Le Robert");
	pango_layout_set_ellipsize(left, PANGO_ELLIPSIZE_END);
	for (int p = 0; p < pages; p++) {
		draw_header(cr, brand, note);
		for (size_t k = first[2 * (size_t)p]; k < first[2 * (size_t)p + 2]; k++)
			draw_op(cr, &d->ops[order[k]]);
		draw_footer(d, cr, left, p + 1, pages);
		cairo_show_page(cr);
	}
	g_object_unref(brand);
	if (note)
		g_object_unref(note);
	g_object_unref(left);
	free(first);
	free(order);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	cairo_status_t st = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		buf_free(&pdf);
		return CLR_ESYS;
	}
	buf_add(out, pdf.data, pdf.len);
	buf_free(&pdf);
	return 0;
}
