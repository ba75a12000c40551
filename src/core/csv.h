/* csv.h - reading spreadsheet-made CSV files (wrapping libcsv): encoding
 * detection, separator detection, quoted fields with separators and line
 * breaks inside, and writing fields back with the same quoting rules.
 *
 * Reading is two calls: csv_to_utf8() turns the raw bytes of an uploaded
 * file into UTF-8 text (a UTF-8 BOM is dropped; bytes that are not valid
 * UTF-8 are read as Windows-1252, what Excel writes on a French Windows),
 * then csv_read() splits it into records of fields with the separator of
 * the header line (";" or ","), with strict quoting (a quote inside an
 * unquoted field, or one never closed, refuses the file).  Empty lines are
 * skipped.  Everything is arena-owned.
 */
#ifndef CLR_CSV_H
#define CLR_CSV_H
#include <stddef.h>
#include "core/arena.h"
#include "core/buf.h"

enum csv_encoding { CSV_UTF8 = 1, CSV_UTF8_BOM = 2, CSV_CP1252 = 3 };

/* NUL-terminated UTF-8 copy of data[0..n) (*len_out its length, may be
 * NULL), *enc the encoding found.  NULL when the bytes contain a NUL (not a
 * text file). */
/* The French names of an encoding and a separator, for reports:
 * « UTF-8 (avec BOM) », « Windows-1252 »...; « point-virgule », « virgule ». */
const char *csv_encoding_label(enum csv_encoding enc);
const char *csv_separator_label(char sep);
char *csv_to_utf8(arena *a, const char *data, size_t n, enum csv_encoding *enc, size_t *len_out);

/* ';' or ',': whichever occurs more often outside quotes in the first line
 * (';' on a tie, as French Excel writes it). */
char csv_detect_sep(const char *text, size_t n);

struct csv_record {
	int line;           /* 1-based number of the record (the header is 1) */
	int nfields;
	const char **fields; /* trimmed of surrounding spaces by libcsv */
};

struct csv_table {
	struct csv_record *recs;
	int n;
	char sep;
	const char *error; /* French message when csv_read() fails */
};

/* Parses text (UTF-8) with separator sep (0: detect).  At most max_records
 * records (0: no limit) and 200 fields each.  0, or CLR_EINVAL with
 * t->error set (unterminated quote, too many lines or fields). */
int csv_read(arena *a, const char *text, size_t n, char sep, int max_records, struct csv_table *t);

/* Appends one field, quoted when it holds the separator, a quote, CR or LF
 * (quotes doubled); a field starting with = + - @ gets a leading
 * apostrophe so that a spreadsheet never reads it as a formula. */
void csv_add_field(buf *b, const char *s, char sep);

#endif
