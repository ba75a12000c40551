/* pdf_read.h - what the PDF tests share (tests/unit/pdf_read.c): documents
 * are saved to a file and read back with poppler-utils (pdftotext,
 * pdfinfo), as a person or a search tool would; without them a test calls
 * test_skip().
 *
 * CLR_PDF_KEEP=DIR keeps the rendered PDFs there as NAME.pdf (to look at
 * them with pdftoppm); otherwise they go to /tmp and are removed.
 */
#ifndef CLR_TEST_PDF_READ_H
#define CLR_TEST_PDF_READ_H
#include "core/buf.h"

/* Every PDF test calls this first: the thread's font map lives until exit,
 * as on a server thread, and is released then (atexit handlers run before
 * LeakSanitizer's check). */
void fonts_released_at_exit(void);
/* 1 if pdftotext and pdfinfo are on the PATH. */
int have_poppler(void);
/* Writes pdf to a temporary file (or to $CLR_PDF_KEEP/NAME.pdf); its path
 * into path: 0, or -1. */
int pdf_save(const buf *pdf, const char *name, char path[256]);
/* Removes what pdf_save() wrote, unless CLR_PDF_KEEP is set. */
void pdf_drop(const char *path);
/* Output of "TOOL 'path'" (a poppler tool with its options, e.g.
 * "pdftotext -layout") into out; 0 if it exited with 0. */
int pdf_run(const char *tool, const char *path, buf *out);
/* Occurrences of needle in hay. */
int count_of(const char *hay, const char *needle);
/* pdfinfo's "Pages:" value, or -1. */
int info_pages(const char *info);
/* 1 if pdfinfo's output has the line "FIELD:   value". */
int info_is(const char *info, const char *field, const char *value);

#endif
