/* pdf.h - the document layer: A4 portrait PDF documents drawn with cairo
 * and pango, with the Certification Le Robert header on every page and a
 * « Page N sur M » footer.  Convocations, activation-code lists, proctoring
 * documents and manuals are built on it (one file per family in src/pdf/).
 *
 * A document is a flow of blocks placed top to bottom: titles, headings,
 * paragraphs, key/value blocks, bullet lists, boxes to sign in (alone or
 * side by side), ruled areas and form lines to write on, tinted panels, and
 * tables (column widths, a header row repeated on each page,
 * rows never split across pages, zebra rows, automatic page breaks).  Each
 * block is laid out (wrapped, measured, given its page and position) when
 * it is added (and PNG images: pdf_image()); everything is drawn by pdf_finish(), when the page count is
 * known.  Paragraphs taller than what is left of a page continue on the
 * next one line by line; a heading never ends a page alone; key/value
 * rows, bullet items and table rows move to the next page whole.
 *
 * Text: every `const char *text` argument is plain UTF-8 (never markup;
 * invalid sequences are shown as U+FFFD).  pdf_markup() is the one entry
 * that takes Pango markup, and it escapes every %s argument itself
 * (g_markup_vprintf_escaped), so user data can never inject markup.
 * Font: DejaVu Sans through fontconfig, DejaVu Sans Mono for PDF_MONO
 * (both in Debian's fonts-dejavu-core).
 *
 * Memory: `struct pdf` owns all its layouts; pdf_free() releases them.  The
 * PDF bytes are appended to the caller's buf.
 *
 * Threads: a document belongs to the thread that made it.  Fonts come from
 * pango's per-thread default font map (created on a thread's first
 * document, then reused: that is what keeps a convocation at a few ms);
 * pdf_thread_cleanup() releases the calling thread's map (tests call it
 * before exit so that LeakSanitizer sees only library caches).
 *
 * Determinism: with cairo 1.16 the same calls give the same bytes: the
 * creation and modification dates come from pdf_meta.created (cairo would
 * otherwise write the current time; 1.16 writes them without the "D:"
 * prefix, which readers accept), cairo 1.16 writes no /ID, and the font
 * subset tags are derived from their content (tests/unit/test_pdf.c checks
 * two renders a second apart byte for byte).  The bytes still depend on the
 * versions of cairo, pango, harfbuzz, zlib and DejaVu installed.
 *
 * Speed: a one-page convocation takes 2.5-3.5 ms (up to ~6 ms on a busy
 * machine), a third of it in zlib (cairo compresses every stream and font
 * subset); the first document of a thread adds ~20 ms (its font map).
 */
#ifndef CLR_PDF_H
#define CLR_PDF_H
#include "core/buf.h"

struct pdf;

struct pdf_meta {
	const char *title;    /* document title (metadata, footer) */
	const char *subject;  /* may be NULL */
	const char *keywords; /* may be NULL */
	const char *header_note; /* small text at the top right of every page (a reference), may be NULL */
	long long created;    /* seconds since the epoch: CreationDate and ModDate */
};

/* A new empty document (first page started).  Never NULL (out of memory
 * aborts, as everywhere in the project).  Release with pdf_free(). */
struct pdf *pdf_new(const struct pdf_meta *meta);
void pdf_free(struct pdf *d);
/* Draws every page and appends the PDF to out: 0, or CLR_ESYS (cairo
 * failed; out is then left as it was).  Call once; then pdf_free(). */
int pdf_finish(struct pdf *d, buf *out);
/* Pages laid out so far. */
int pdf_page_count(const struct pdf *d);
/* Releases the calling thread's font map (see above). */
void pdf_thread_cleanup(void);

/* Text styles, combined with | (one size at most). */
enum pdf_style {
	PDF_NORMAL = 0,
	PDF_BOLD = 1 << 0,
	PDF_ITALIC = 1 << 1,
	PDF_MUTED = 1 << 2,  /* grey */
	PDF_ACCENT = 1 << 3, /* Le Robert red */
	PDF_SMALL = 1 << 4,  /* 8.5 pt instead of 10 */
	PDF_LARGE = 1 << 5,  /* 12 pt */
	PDF_CENTER = 1 << 6,
	PDF_RIGHT = 1 << 7,
	PDF_MONO = 1 << 8,   /* DejaVu Sans Mono: an activation code, read and typed character by character */
};

/* ---- flow blocks -------------------------------------------------------- */

/* The document's title (18 pt, bold). */
void pdf_title(struct pdf *d, const char *text);
/* A section heading: kept on the same page as at least the next lines. */
void pdf_heading(struct pdf *d, const char *text);
/* A paragraph in body text, wrapped to the text width. */
void pdf_paragraph(struct pdf *d, const char *text);
/* A paragraph in the given style. */
void pdf_text(struct pdf *d, int style, const char *text);
/* A paragraph from Pango markup (<b>, <i>, <span ...>) whose %s arguments
 * are escaped, e.g. pdf_markup(d, 0, "Madame <b>%s</b>", name). */
void pdf_markup(struct pdf *d, int style, const char *fmt, ...);

struct pdf_kv {
	const char *key, *value; /* value may hold line breaks; NULL = "" */
	int style;               /* the value's style (enum pdf_style), 0 = body text */
};
/* Rows of a label (left, grey) and a value (right, wrapped). */
void pdf_kv(struct pdf *d, const struct pdf_kv *rows, int n);
/* A bulleted list. */
void pdf_bullets(struct pdf *d, const char *const *items, int n);
/* A square matrix of n x n modules, size points wide, centred: dark[r * n
 * + c] non-zero is a black module (a QR code: pdf/certificate.c).  Moved
 * whole to the next page if it does not fit. */
void pdf_matrix(struct pdf *d, const unsigned char *dark, int n, double size);
/* An empty framed box of the given height (points) with a caption above
 * it, e.g. « Signature du candidat ».  width <= 0: the whole text width. */
void pdf_box(struct pdf *d, const char *caption, double width, double height);
/* n framed boxes (up to 12) side by side on one line, each with its
 * caption above (e.g. « Heure de début », « Heure de fin »), 14 pt apart;
 * widths in proportion to weights (NULL: equal). */
void pdf_boxes(struct pdf *d, const char *const *captions, const double *weights, int n, double height);
/* A framed writing area with pale ruled lines `spacing` points apart (an
 * « Incidents » area, a scratch sheet), a caption above it (NULL: none).
 * lines > 0: that many lines, moved whole to the next page if they do not
 * fit; lines <= 0: as many as fit down to the bottom of the page (on a new
 * page if fewer than 4 would). */
void pdf_lines(struct pdf *d, const char *caption, int lines, double spacing);
/* One line of a form to fill in by hand: n labels, each followed by a rule
 * to write on up to the end of its share of the width (weights, NULL:
 * equal), e.g. « Fait à ______ le ______ ».  28 pt high: room for
 * handwriting. */
void pdf_fill_in(struct pdf *d, const char *const *labels, const double *weights, int n);
/* A PNG image (bytes in memory, e.g. a screenshot embedded in the binary),
 * centred, scaled to the text width or to max_h points high (<= 0: the
 * page's body), framed with a thin rule, with a caption under it in grey
 * (NULL: none); moved whole to the next page if it does not fit.  0, or
 * CLR_EINVAL when the bytes are not a PNG cairo reads (nothing added). */
int pdf_image(struct pdf *d, const unsigned char *png, size_t len, double max_h, const char *caption);
/* Starts a new page unless `points` more fit on this one: keeps a group of
 * blocks together (a heading, its note and a writing area; a closing line
 * and its signature boxes). */
void pdf_need(struct pdf *d, double points);
/* A tinted panel with a red bar on its left behind the blocks added until
 * pdf_panel_end(); panels do not nest. */
void pdf_panel_begin(struct pdf *d);
void pdf_panel_end(struct pdf *d);
/* Vertical space in points (dropped at the top of a page). */
void pdf_space(struct pdf *d, double points);
/* Starts a new page (nothing if the current one is still empty). */
void pdf_page_break(struct pdf *d);

/* ---- tables ------------------------------------------------------------- */

enum pdf_align { PDF_ALIGN_LEFT, PDF_ALIGN_CENTER, PDF_ALIGN_RIGHT };

/* What a column's cells hold (struct pdf_col.box). */
enum pdf_cell {
	PDF_CELL_TEXT = 0, /* the row's text */
	PDF_CELL_SIGN = 1, /* an empty box filling the cell, to sign in (text ignored) */
	PDF_CELL_TICK = 2, /* a small square to tick, centred (text ignored), e.g. « Présent » */
};

struct pdf_col {
	const char *title;    /* header text */
	double weight;        /* share of the text width (weights are normalised) */
	enum pdf_align align;
	int box;              /* enum pdf_cell: 1 = a box to sign in */
	int style;            /* the cells' enum pdf_style flags: PDF_BOLD (= 1: bold, e.g. an
			       * activation code), PDF_MONO; PDF_SMALL / PDF_LARGE (8.5 / 12 pt)
			       * instead of the tables' 9 pt; colour and alignment flags are ignored */
};

/* Starts a table (up to 12 columns; cols must stay valid until
 * pdf_table_end()).  Rows are at least min_row_height points high
 * (0 = as high as their text).  The header row is drawn on each page the
 * table occupies. */
void pdf_table_begin(struct pdf *d, const struct pdf_col *cols, int ncols, double min_row_height);
/* One row: ncols plain-text cells (NULL = empty).  A cell is cut with
 * « … » if it would not fit on one page. */
void pdf_table_row(struct pdf *d, const char *const *cells);
void pdf_table_end(struct pdf *d);

#endif
