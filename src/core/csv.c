/* csv.c - CSV reading on top of libcsv (see csv.h): encoding and separator
 * detection, records with their line numbers, and field quoting for
 * writing.  libcsv handles the quoting rules (doubled quotes, separators and
 * line breaks inside quotes); this file adds limits and French errors. */
#include "core/csv.h"
#include "core/err.h"
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#define CSV_MAX_FIELDS 200

char *csv_to_utf8(arena *a, const char *data, size_t n, enum csv_encoding *enc, size_t *len_out)
{
	if (memchr(data, '\0', n))
		return NULL;
	*enc = CSV_UTF8;
	if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		n -= 3;
		*enc = CSV_UTF8_BOM;
	}
	if (u8_check((const uint8_t *)data, n) == NULL) {
		if (len_out)
			*len_out = n;
		return arena_strndup(a, data, n);
	}
	/* Windows-1252: every byte is one character (at most 3 UTF-8 bytes). */
	*enc = CSV_CP1252;
	static const unsigned short c1[32] = {
		0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
		0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
		0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
	};
	char *out = arena_alloc(a, n * 3 + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];
		unsigned cp = c < 0x80 ? c : c < 0xA0 ? c1[c - 0x80] : c;
		if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xC0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = (char)(0xE0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*o = 0;
	if (len_out)
		*len_out = (size_t)(o - out);
	return out;
}

char csv_detect_sep(const char *text, size_t n)
{
	int semi = 0, comma = 0, inq = 0;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '"')
			inq = !inq;
		else if (!inq && (c == '\n' || c == '\r'))
			break;
		else if (!inq && c == ';')
			semi++;
		else if (!inq && c == ',')
			comma++;
	}
	return comma > semi ? ',' : ';';
}

struct pstate {
	arena *a;
	struct csv_table *t;
	int cap, max;
	const char **fields;
	int nf, fcap;
	int overflow; /* 1: too many fields, 2: too many records */
};

static void on_field(void *s, size_t len, void *vp)
{
	struct pstate *p = vp;
	if (p->nf >= CSV_MAX_FIELDS) {
		p->overflow = p->overflow ? p->overflow : 1;
		return;
	}
	if (p->nf == p->fcap) {
		p->fcap = p->fcap ? p->fcap * 2 : 32;
		const char **nf = arena_alloc(p->a, sizeof *nf * (size_t)p->fcap);
		if (p->nf)
			memcpy(nf, p->fields, sizeof *nf * (size_t)p->nf);
		p->fields = nf;
	}
	p->fields[p->nf++] = s ? arena_strndup(p->a, s, len) : "";
}

static void on_record(int c, void *vp)
{
	(void)c;
	struct pstate *p = vp;
	struct csv_table *t = p->t;
	if (p->max && t->n >= p->max) {
		p->overflow = 2;
		p->nf = 0;
		return;
	}
	if (t->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		struct csv_record *nr = arena_alloc(p->a, sizeof *nr * (size_t)p->cap);
		if (t->n)
			memcpy(nr, t->recs, sizeof *nr * (size_t)t->n);
		t->recs = nr;
	}
	struct csv_record *r = &t->recs[t->n++];
	r->line = t->n;
	r->nfields = p->nf;
	r->fields = arena_alloc(p->a, sizeof *r->fields * (size_t)(p->nf + 1));
	memcpy(r->fields, p->fields, sizeof *r->fields * (size_t)p->nf);
	p->nf = 0;
}

int csv_read(arena *a, const char *text, size_t n, char sep, int max_records, struct csv_table *t)
{
	memset(t, 0, sizeof *t);
	t->sep = sep ? sep : csv_detect_sep(text, n);
	/* quotes always come in pairs (opening/closing, or doubled inside):
	 * an odd count is a quote never closed, which would swallow the end
	 * of the file into one field */
	size_t quotes = 0;
	for (const char *q = text; (q = memchr(q, '"', n - (size_t)(q - text))) != NULL; q++)
		quotes++;
	if (quotes % 2) {
		t->error = "Le fichier est mal formé : un guillemet ouvert n'est jamais refermé.";
		return CLR_EINVAL;
	}
	struct csv_parser cp;
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		t->error = "Lecture du fichier impossible.";
		return CLR_ESYS;
	}
	csv_set_delim(&cp, (unsigned char)t->sep);
	/* libcsv grows a field's buffer by a fixed block (128 bytes): a cell of
	 * megabytes meant a realloc every 128 bytes, quadratic wherever realloc
	 * copies (under ASan a 9 MiB cell took over 5 minutes).  A block of a
	 * sixteenth of the text bounds it to 16 reallocs for any cell. */
	csv_set_blk_size(&cp, n / 16 > 4096 ? n / 16 : 4096);
	struct pstate p = {a, t, 0, max_records, NULL, 0, 0, 0};
	int rc = 0;
	if (csv_parse(&cp, text, n, on_field, on_record, &p) != n || csv_fini(&cp, on_field, on_record, &p) != 0) {
		t->error = csv_error(&cp) == CSV_EPARSE
				   ? arena_printf(a, "Le fichier est mal formé après la ligne %d : un guillemet est mal placé ou "
						     "n'est jamais refermé.", t->n)
				   : "Lecture du fichier impossible.";
		rc = CLR_EINVAL;
	}
	csv_free(&cp);
	if (!rc && p.overflow == 1) {
		t->error = "Une ligne du fichier compte plus de 200 colonnes.";
		rc = CLR_EINVAL;
	} else if (!rc && p.overflow == 2) {
		t->error = arena_printf(a, "Le fichier compte plus de %d lignes : découpez-le en plusieurs fichiers.",
					max_records - 1);
		rc = CLR_EINVAL;
	}
	return rc;
}

void csv_add_field(buf *b, const char *s, char sep)
{
	if (!s)
		s = "";
	int formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';
	int quote = formula || strchr(s, sep) || strchr(s, '"') || strchr(s, '\n') || strchr(s, '\r');
	if (!quote) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	if (formula)
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

const char *csv_encoding_label(enum csv_encoding enc)
{
	return enc == CSV_CP1252 ? "Windows-1252" : enc == CSV_UTF8_BOM ? "UTF-8 (avec BOM)" : "UTF-8";
}

const char *csv_separator_label(char sep)
{
	return sep == ',' ? "virgule" : "point-virgule";
}
