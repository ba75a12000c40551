/* manual.h - the two user manuals of the « Documentation » tab, drawn from
 * their text in data/doc/ (embedded in the binary) with the document layer
 * (pdf.h): « Mode d'emploi à destination de l'administrateur » (with the
 * screenshots of data/doc/images/, taken by scripts/doc-screenshots.mjs)
 * and « Mode d'emploi à destination du surveillant ».
 *
 * The text's markup, one block per line (a paragraph runs until a blank
 * line or another block):
 *   = Title                 the document's title (first line)
 *   % text                  the line under the title (muted)
 *   # Chapter               a chapter: starts a page, listed in the « Sommaire »
 *                           of page 1 with its page number
 *   ## Section              a heading inside a chapter
 *   - item                  a bullet (consecutive ones make one list)
 *   ! text                  a note in a tinted panel
 *   > Label | text          a label/value row (consecutive ones: one block)
 *   [image name.png | caption]   data/doc/images/name.png, scaled to the
 *                           text width (or at most 300 points high), framed,
 *                           with its caption in grey under it
 *   @sommaire               where the table of contents goes
 *   @saut                   a page break
 *   ;; comment              ignored
 * Text is plain UTF-8 written with ordinary spaces: fr_typography() puts the
 * no-break spaces before : ; ! ? and inside « » ; *word* is bold in
 * paragraphs and notes (the stars are dropped elsewhere).
 */
#ifndef CLR_PDF_MANUAL_H
#define CLR_PDF_MANUAL_H
#include "core/buf.h"

enum manual { MANUAL_ADMIN, MANUAL_PROCTOR };

/* Appends the PDF to out: 0, CLR_ENOTFOUND (its text is not embedded),
 * CLR_ESYS (cairo failed).  issued_at: the PDF's dates and « édité le ». */
int pdf_manual(buf *out, enum manual which, long long issued_at);

#endif
