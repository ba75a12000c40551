/* cand_index.c - the in-memory search index of large organisations'
 * candidate lists (see cand_index.h): building one from the database,
 * searching it, and the registry (one index per organisation, reference
 * counted, least recently used dropped past the memory budget) shared by the
 * server's threads and fed by one background builder thread.
 *
 * Layout of an index: the organisation's candidates in the list's name
 * order (ORDER BY sort_name, id, as the SQL path sorts) are positions
 * 0..n-1; ids[], status[] and the NUL-separated search texts (text + off[])
 * are indexed by position.  Every distinct three-byte sequence of the texts
 * (trigram) has a posting list: the positions whose text contains it,
 * ascending, delta-encoded as LEB128 varints in one byte array, or a bitmap
 * when the trigram is in one text in DENSE_DIV or more.  A search
 * of 3 bytes or more intersects the posting lists of the query's trigrams
 * (shortest first) and checks each remaining position with contains(); a
 * shorter one checks every position.  Positions come out in name order, so
 * the count and the page fall out of one pass. */
#include "domain/cand_index.h"
#include "core/log.h"
#include "domain/candidate.h"
#include <malloc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tri {
	uint32_t key;	/* trigram + 1; 0 = empty slot */
	uint32_t count; /* positions in the list */
	uint32_t last;	/* while building: last position + 1 added; built: 1 if dense */
	uint32_t len;	/* bytes of the encoded list */
	size_t off;	/* start in post[] */
};

struct cand_index {
	long long org_id, version;
	uint32_t n;
	long long *ids;
	unsigned char *status;
	uint32_t *off; /* n + 1 */
	char *text;
	uint32_t *doff; /* n: the row's shown fields in disp (struct disp_head, then bytes) */
	char *disp;
	struct tri *tab;
	uint32_t mask;
	unsigned char *post;
	size_t bytes;
	atomic_int refs;
};

/* ------------------------------------------------------------ building */

static const char *s0(const char *s)
{
	return s ? s : "";
}

static uint32_t tri_key(const unsigned char *p)
{
	return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) + 1;
}

static struct tri *tri_slot(struct tri *tab, uint32_t mask, uint32_t key)
{
	uint32_t h = (key * 2654435761u) & mask;
	while (tab[h].key && tab[h].key != key)
		h = (h + 1) & mask;
	return &tab[h];
}

static int varint_len(uint32_t v)
{
	return v < 1u << 7 ? 1 : v < 1u << 14 ? 2 : v < 1u << 21 ? 3 : v < 1u << 28 ? 4 : 5;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);
	if (!p)
		abort();
	return p;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void index_free(struct cand_index *ix)
{
	if (!ix)
		return;
	free(ix->ids);
	free(ix->status);
	free(ix->off);
	free(ix->text);
	free(ix->doff);
	free(ix->disp);
	free(ix->tab);
	free(ix->post);
	free(ix);
}

/* Doubles the table when half full (while counting: no positions yet). */
static void tab_grow(struct cand_index *ix)
{
	uint32_t cap = (ix->mask + 1) * 2;
	struct tri *t = xcalloc(cap, sizeof *t);
	for (uint32_t i = 0; i <= ix->mask; i++)
		if (ix->tab[i].key)
			*tri_slot(t, cap - 1, ix->tab[i].key) = ix->tab[i];
	free(ix->tab);
	ix->tab = t;
	ix->mask = cap - 1;
}

/* A posting is the position's delta (LEB128 varint) and one byte: the
 * offset of the trigram's first occurrence in that text, FIRST_UNKNOWN when
 * 255 or more.  The offsets prove most matches without reading the text
 * (cand_index_find). */
#define FIRST_UNKNOWN 255

/* A trigram in at least one text in DENSE_DIV (e-mail domains, « .fr »,
 * common syllables) has a dense list instead: a bitmap of the positions
 * (W = (n + 63) / 64 words), per word the number of positions in the words
 * before it (W uint32), then the first-occurrence bytes in position order.
 * A position is tested in constant time: a search intersects such a list
 * at the cost of its candidates, not of the list (« orange.fr »: its « .fr »
 * in 80 % of the texts).  Three times the varints' size at the threshold,
 * smaller past one text in eight: 1.7 MB more for 100 000 candidates
 * (docs/PERFORMANCE.md, change 27). */
#define DENSE_DIV 32

static int is_dense(const struct tri *t)
{
	return t->last == 1;
}

static size_t dense_words(uint32_t n)
{
	return ((size_t)n + 63) / 64;
}

/* The three parts of a dense list in post[] (writable while building). */
struct dense {
	uint64_t *bits;
	uint32_t *before;
	unsigned char *first;
};

static struct dense dense_of(const struct cand_index *ix, const struct tri *t)
{
	size_t w = dense_words(ix->n);
	unsigned char *list = ix->post + t->off;
	return (struct dense){(uint64_t *)(void *)list, (uint32_t *)(void *)(list + w * sizeof(uint64_t)),
			      list + w * (sizeof(uint64_t) + sizeof(uint32_t))};
}

/* Two passes over the texts: sizes of every posting list, then the lists. */
static void build_postings(struct cand_index *ix)
{
	uint32_t used = 0;
	ix->mask = 4095; /* doubled while half full */
	ix->tab = xcalloc(ix->mask + 1, sizeof *ix->tab);
	for (uint32_t p = 0; p < ix->n; p++) {
		const unsigned char *s = (const unsigned char *)ix->text + ix->off[p];
		uint32_t len = ix->off[p + 1] - ix->off[p] - 1;
		for (uint32_t i = 0; i + 3 <= len; i++) {
			uint32_t key = tri_key(s + i);
			struct tri *t = tri_slot(ix->tab, ix->mask, key);
			if (!t->key) {
				if (++used * 2 > ix->mask) {
					tab_grow(ix);
					t = tri_slot(ix->tab, ix->mask, key);
				}
				t->key = key;
			}
			if (t->last == p + 1)
				continue; /* already in this text */
			t->len += (uint32_t)varint_len(p + 1 - t->last) + 1; /* + the offset byte */
			t->last = p + 1;
			t->count++;
		}
	}
	size_t total = 0, w = dense_words(ix->n);
	for (uint32_t i = 0; i <= ix->mask; i++) {
		struct tri *t = &ix->tab[i];
		if (t->key && (uint64_t)t->count * DENSE_DIV >= ix->n) {
			total = (total + 7) & ~(size_t)7; /* the bitmap's words */
			t->len = (uint32_t)(w * (sizeof(uint64_t) + sizeof(uint32_t)) + t->count);
		}
		t->off = total;
		total += t->len;
		t->len = 0;
		t->last = 0;
	}
	ix->post = xcalloc(total ? total : 1, 1); /* dense bitmaps start empty */
	for (uint32_t p = 0; p < ix->n; p++) {
		const unsigned char *s = (const unsigned char *)ix->text + ix->off[p];
		uint32_t len = ix->off[p + 1] - ix->off[p] - 1;
		for (uint32_t i = 0; i + 3 <= len; i++) {
			struct tri *t = tri_slot(ix->tab, ix->mask, tri_key(s + i));
			if (t->last == p + 1)
				continue;
			unsigned char at = (unsigned char)(i < FIRST_UNKNOWN ? i : FIRST_UNKNOWN); /* first occurrence */
			if ((uint64_t)t->count * DENSE_DIV >= ix->n) { /* len counts the positions */
				struct dense dl = dense_of(ix, t);
				dl.bits[p >> 6] |= (uint64_t)1 << (p & 63);
				dl.first[t->len++] = at;
				t->last = p + 1;
				continue;
			}
			uint32_t d = p + 1 - t->last;
			unsigned char *o = ix->post + t->off + t->len;
			while (d >= 0x80) {
				*o++ = (unsigned char)(d | 0x80);
				d >>= 7;
				t->len++;
			}
			*o++ = (unsigned char)d;
			*o = at;
			t->len += 2;
			t->last = p + 1;
		}
	}
	for (uint32_t i = 0; i <= ix->mask; i++) {
		struct tri *t = &ix->tab[i];
		t->last = 0;
		if (!t->key || (uint64_t)t->count * DENSE_DIV < ix->n)
			continue;
		struct dense dl = dense_of(ix, t);
		uint32_t c = 0;
		for (size_t k = 0; k < w; k++) {
			dl.before[k] = c;
			c += (uint32_t)__builtin_popcountll(dl.bits[k]);
		}
		t->len = (uint32_t)(w * (sizeof(uint64_t) + sizeof(uint32_t)) + t->count);
		t->last = 1;
	}
	ix->bytes += total + (size_t)(ix->mask + 1) * sizeof *ix->tab;
}

long long cand_index_version(db *d, arena *a, long long org_id)
{
	db_rows r;
	if (db_query(d, a, &r, "SELECT COALESCE(SUM(v), 0) FROM candidate_counts WHERE org_id = $1",
		     DB_P(db_int(a, org_id))) < 0)
		return -1;
	return db_ll(&r, 0, 0);
}

/* What a row shows, in disp: this header, then the display name « NOM
 * Prénom » (as candidate_display_name()), the e-mail unless it is the
 * folded one of the search text (nearly always: then it is read there, at
 * email_at), and the exam date.  Lengths, so that a page reads no strlen(). */
struct disp_head {
	uint16_t name_len, email_len, email_at, exam_len;
};
#define EMAIL_IN_TEXT 0xffff

/* Offset of the e-mail in a search text: its last part, after " | " (names
 * and e-mails hold no '|'; candidate_search_text()). */
static size_t text_email_at(const char *text)
{
	const char *e = text, *p;
	while ((p = strstr(e, " | ")) != NULL)
		e = p + 3;
	return (size_t)(e - text);
}

/* Appends row R's shown fields to DISP at *OD (DISP NULL: only counts). */
static void disp_put(const db_rows *r, int row, arena *a, char *disp, size_t *od)
{
	const char *name = candidate_display_name(a, db_cell(r, row, 3), db_cell(r, row, 4));
	const char *email = s0(db_cell(r, row, 5)), *exam = s0(db_cell(r, row, 6)), *text = s0(db_cell(r, row, 2));
	size_t at = text_email_at(text);
	struct disp_head h = {(uint16_t)strnlen(name, 65535), (uint16_t)strnlen(email, 65534), 0,
			      (uint16_t)strnlen(exam, 65535)};
	if (!strcmp(email, text + at) && at < 65535) {
		h.email_at = (uint16_t)at;
		h.email_len = EMAIL_IN_TEXT;
	}
	size_t el = h.email_len == EMAIL_IN_TEXT ? 0 : h.email_len;
	if (disp) {
		char *o = disp + *od;
		memcpy(o, &h, sizeof h);
		memcpy(o + sizeof h, name, h.name_len);
		memcpy(o + sizeof h + h.name_len, email, el);
		memcpy(o + sizeof h + h.name_len + el, exam, h.exam_len);
	}
	*od += sizeof h + h.name_len + el + h.exam_len;
}

/* One consistent read: the rows between two equal versions (a change
 * commits with its version increment, so none happened in between). */
struct cand_index *cand_index_build(db *d, long long org_id)
{
	arena *a = arena_new();
	struct cand_index *ix = NULL;
	for (int attempt = 0; attempt < 3 && !ix; attempt++) {
		arena_reset(a);
		db_rows r;
		long long v1 = cand_index_version(d, a, org_id);
		if (v1 < 0 || db_query(d, a, &r,
				       "SELECT id, status, search, last_name, first_name, email, exam_date FROM candidates "
				       "WHERE org_id = $1 ORDER BY sort_name, id",
				       DB_P(db_int(a, org_id))) < 0)
			break;
		if (cand_index_version(d, a, org_id) != v1)
			continue;
		ix = xcalloc(1, sizeof *ix);
		ix->org_id = org_id;
		ix->version = v1;
		ix->n = (uint32_t)r.nrows;
		ix->ids = xcalloc(ix->n, sizeof *ix->ids);
		ix->status = xcalloc(ix->n, 1);
		ix->off = xcalloc((size_t)ix->n + 1, sizeof *ix->off);
		ix->doff = xcalloc(ix->n, sizeof *ix->doff);
		size_t tlen = 0, dlen = 0;
		for (uint32_t p = 0; p < ix->n; p++) {
			tlen += strlen(s0(db_cell(&r, (int)p, 2))) + 1;
			disp_put(&r, (int)p, a, NULL, &dlen);
		}
		ix->text = xmalloc(tlen);
		ix->disp = xmalloc(dlen);
		size_t o = 0, od = 0;
		for (uint32_t p = 0; p < ix->n; p++) {
			ix->ids[p] = db_ll(&r, (int)p, 0);
			const char *st = db_cell(&r, (int)p, 1), *s = db_cell(&r, (int)p, 2);
			ix->status[p] = 0xff;
			for (int k = 0; k < CAND_NSTATUS; k++)
				if (st && !strcmp(st, cand_statuses[k].code))
					ix->status[p] = (unsigned char)k;
			size_t l = strlen(s ? s : "");
			ix->off[p] = (uint32_t)o;
			memcpy(ix->text + o, s ? s : "", l + 1);
			o += l + 1;
			ix->doff[p] = (uint32_t)od;
			disp_put(&r, (int)p, a, ix->disp, &od);
		}
		ix->off[ix->n] = (uint32_t)o;
		ix->bytes = sizeof *ix + (size_t)ix->n * (sizeof *ix->ids + 1 + 2 * sizeof *ix->off) + tlen + dlen;
		build_postings(ix);
		atomic_init(&ix->refs, 1);
	}
	arena_free(a);
	malloc_trim(0); /* the rows read (~100 bytes a candidate) go back to the system */
	return ix;
}

/* ------------------------------------------------------------ searching */

/* The rest of a varint whose first byte B had its high bit set. */
static inline uint32_t varint_rest(const unsigned char **pp, uint32_t b)
{
	const unsigned char *p = *pp;
	uint32_t d = b & 0x7f;
	int sh = 7;
	while (*p & 0x80) {
		d |= (uint32_t)(*p++ & 0x7f) << sh;
		sh += 7;
	}
	d |= (uint32_t)*p++ << sh;
	*pp = p;
	return d;
}

/* The next posting of a varint list at *PP, LAST being the previous one's
 * position + 1: its position; *PP is left on its first-occurrence byte. */
static inline uint32_t varint_next(const unsigned char **pp, uint32_t *last)
{
	uint32_t d = *(*pp)++;
	if (__builtin_expect(d >= 0x80, 0)) /* most deltas take one byte */
		d = varint_rest(pp, d);
	*last += d;
	return *last - 1;
}

/* Decodes the posting list of T into OUT and the first-occurrence offsets,
 * minus REL (the trigram's place in the query), into AT: the query's start
 * in the text if it is there (T->count entries each). */
static void decode(const struct cand_index *ix, const struct tri *t, int rel, uint32_t *out, int16_t *at)
{
	if (is_dense(t)) {
		size_t w = dense_words(ix->n);
		struct dense dl = dense_of(ix, t);
		uint32_t i = 0;
		for (size_t k = 0; k < w; k++)
			for (uint64_t b = dl.bits[k]; b; b &= b - 1) {
				out[i] = (uint32_t)(k * 64 + (size_t)__builtin_ctzll(b));
				at[i] = dl.first[i] == FIRST_UNKNOWN ? -1 : (int16_t)(dl.first[i] - rel);
				i++;
			}
		return;
	}
	const unsigned char *p = ix->post + t->off;
	uint32_t last = 0;
	for (uint32_t i = 0; i < t->count; i++) {
		out[i] = varint_next(&p, &last);
		at[i] = *p == FIRST_UNKNOWN ? -1 : (int16_t)(*p - rel);
		p++;
	}
}

/* Keeps the positions of CAND (ascending) that are in T's list; AT[k]
 * becomes -1 where T's first occurrence is not at AT[k] + REL (then the
 * proof fails and the text is read).  T's list is decoded into a bitmap of
 * the positions (BM, (n + 63) / 64 words) and their first-occurrence bytes
 * (FIRST, n bytes, read only where the bitmap is set), then CAND is
 * compacted without a branch per candidate: a merge of two lists of
 * thousands mispredicted at almost every step (« gmail »: 10 636
 * mispredicted branches a search, 2 170 now). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
/* the dense lists' ranks count bits: the POPCNT instruction where the CPU
 * has it (chosen once at load time), else libgcc's loop */
__attribute__((target_clones("popcnt", "default")))
#endif
static uint32_t intersect(const struct cand_index *ix, const struct tri *t, int rel, uint32_t *cand, int16_t *at,
			  uint32_t n, uint64_t *bm, unsigned char *first)
{
	uint32_t k = 0;
	if (is_dense(t)) { /* its bitmap, and a position's rank gives its byte */
		struct dense dl = dense_of(ix, t);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t pos = cand[i];
			uint64_t word = dl.bits[pos >> 6], below = word & (((uint64_t)1 << (pos & 63)) - 1);
			unsigned in = (unsigned)(word >> (pos & 63)) & 1;
			unsigned f = in ? dl.first[dl.before[pos >> 6] + (uint32_t)__builtin_popcountll(below)] : FIRST_UNKNOWN;
			int16_t a = at[i];
			cand[k] = pos;
			at[k] = a >= 0 && f != FIRST_UNKNOWN && (int)f - rel == a ? a : -1;
			k += in;
		}
		return k;
	}
	memset(bm, 0, dense_words(ix->n) * sizeof *bm);
	const unsigned char *p = ix->post + t->off;
	uint32_t last = 0;
	for (uint32_t j = 0; j < t->count; j++) {
		uint32_t pos = varint_next(&p, &last);
		bm[pos >> 6] |= (uint64_t)1 << (pos & 63);
		first[pos] = *p++;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pos = cand[i];
		unsigned in = (unsigned)(bm[pos >> 6] >> (pos & 63)) & 1;
		unsigned f = in ? first[pos] : FIRST_UNKNOWN;
		int16_t a = at[i];
		cand[k] = pos;
		at[k] = a >= 0 && f != FIRST_UNKNOWN && (int)f - rel == a ? a : -1;
		k += in;
	}
	return k;
}

/* A varint list longer than this many times the candidates left costs
 * more to decode (~1-2 ns a posting) than reading the candidates' texts
 * (~20-40 ns a text, scattered over megabytes).  A dense list costs its
 * candidates only: always intersected. */
#define INTERSECT_MAX 16

/* A trigram of the query and its place in it. */
struct qtri {
	const struct tri *t;
	int rel;
};

static int cmp_count(const void *x, const void *y)
{
	const struct qtri *a = x, *b = y;
	return a->t->count < b->t->count ? -1 : a->t->count > b->t->count;
}

/* At most this many dense lists are ANDed at once (dense_and()); the
 * others are intersected one by one. */
#define DENSE_AND_MAX 8

/* The dense lists DS[0..ND-1] (ND <= DENSE_AND_MAX) intersected: per
 * 64-bit word, their bitmaps ANDed, then for each position left its
 * first-occurrence byte in each list (its rank in the word, POPCNT); AT is
 * the query's start where they all agree, each at its place, else -1.  The
 * positions go to CAND, ascending; returns their number.  The e-mail
 * domains' searches: lists of 10 000-80 000 positions, intersected in one
 * pass. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
static uint32_t dense_and(const struct cand_index *ix, const struct qtri *ds, int nd, uint32_t *cand, int16_t *at)
{
	size_t w = dense_words(ix->n);
	const uint64_t *bits[DENSE_AND_MAX];
	const uint32_t *before[DENSE_AND_MAX];
	const unsigned char *first[DENSE_AND_MAX];
	int rel[DENSE_AND_MAX];
	for (int j = 0; j < nd; j++) {
		struct dense dl = dense_of(ix, ds[j].t);
		bits[j] = dl.bits;
		before[j] = dl.before;
		first[j] = dl.first;
		rel[j] = ds[j].rel;
	}
	uint32_t nc = 0;
	for (size_t k = 0; k < w; k++) {
		uint64_t x = bits[0][k];
		for (int j = 1; j < nd && x; j++)
			x &= bits[j][k];
		if (!x)
			continue;
		uint64_t word[DENSE_AND_MAX];
		const unsigned char *f[DENSE_AND_MAX]; /* the word's first bytes in each list */
		for (int j = 0; j < nd; j++) {
			word[j] = bits[j][k];
			f[j] = first[j] + before[j][k];
		}
		for (; x; x &= x - 1) {
			unsigned bit = (unsigned)__builtin_ctzll(x);
			uint64_t below = ((uint64_t)1 << bit) - 1;
			unsigned b0 = f[0][__builtin_popcountll(word[0] & below)];
			int start = b0 == FIRST_UNKNOWN ? -1 : (int)b0 - rel[0];
			for (int j = 1; j < nd && start >= 0; j++) {
				unsigned b = f[j][__builtin_popcountll(word[j] & below)];
				if (b == FIRST_UNKNOWN || (int)b - rel[j] != start)
					start = -1;
			}
			cand[nc] = (uint32_t)(k * 64 + bit);
			at[nc++] = (int16_t)start;
		}
	}
	return nc;
}

/* Whether S (N bytes) contains Q (M >= 1 bytes).  The 16-bytes-at-a-time
 * filter on Q's first and last bytes (SSE2, part of every x86-64) leaves
 * few places to compare; glibc's memmem() costs more than the whole check
 * on texts of ~90 bytes (a quarter of a search's time in perf). */
static int contains(const char *s, size_t n, const char *q, size_t m)
{
	if (m > n)
		return 0;
	if (m == 1)
		return memchr(s, q[0], n) != NULL;
	size_t i = 0, starts = n - m + 1; /* places where Q may begin */
#ifdef __SSE2__
	if (starts >= 16) { /* blocks of 16 places, the last one overlapping */
		const __m128i first = _mm_set1_epi8(q[0]), last = _mm_set1_epi8(q[m - 1]);
		for (;;) {
			if (i > starts - 16)
				i = starts - 16;
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + m - 1));
			unsigned mask =
				(unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
			while (mask) {
				unsigned bit = (unsigned)__builtin_ctz(mask);
				if (!memcmp(s + i + bit + 1, q + 1, m - 2))
					return 1;
				mask &= mask - 1;
			}
			if (i == starts - 16)
				return 0;
			i += 16;
		}
	}
#endif
	for (; i < starts; i++)
		if (s[i] == q[0] && s[i + m - 1] == q[m - 1] && !memcmp(s + i + 1, q + 1, m - 2))
			return 1;
	return 0;
}

/* The row at position P, copied into the arena (the index may be dropped
 * once released).  last_name and first_name are NULL: display is set. */
static void row_at(const struct cand_index *ix, arena *a, uint32_t p, struct candidate_row *row)
{
	const char *d = ix->disp + ix->doff[p];
	struct disp_head h;
	memcpy(&h, d, sizeof h);
	d += sizeof h;
	const char *email = d + h.name_len;
	size_t el = h.email_len;
	if (h.email_len == EMAIL_IN_TEXT) {
		email = ix->text + ix->off[p] + h.email_at;
		el = ix->off[p + 1] - ix->off[p] - 1 - h.email_at;
	}
	char *c = arena_alloc_raw(a, (size_t)h.name_len + el + h.exam_len + 3);
	memcpy(c, d, h.name_len);
	c[h.name_len] = 0;
	memcpy(c + h.name_len + 1, email, el);
	c[h.name_len + 1 + el] = 0;
	char *x = c + h.name_len + 1 + el + 1;
	memcpy(x, d + h.name_len + (h.email_len == EMAIL_IN_TEXT ? 0 : el), h.exam_len);
	x[h.exam_len] = 0;
	row->id = ix->ids[p];
	row->display = c;
	row->last_name = row->first_name = NULL;
	row->email = c + h.name_len + 1;
	row->exam_date = h.exam_len ? x : NULL;
	row->status = ix->status[p] < CAND_NSTATUS ? cand_statuses[ix->status[p]].code : "";
}

void cand_index_find(const struct cand_index *ix, arena *a, const char *folded, int status, int desc,
		     long long offset, int limit, long long *total, struct candidate_row *rows, int *n)
{
	*total = 0;
	*n = 0;
	size_t ql = strlen(folded);
	uint32_t *cand = NULL, nc = ix->n; /* NULL: every position */
	int16_t *at = NULL; /* per candidate: where the query starts in its text, proven; -1: unknown */
	int proven = 0;	    /* at[] >= 0 proves a match (the intersected trigrams cover the query) */
	if (ql >= 3) {
		size_t nt = ql - 2;
		struct qtri *ts = arena_alloc(a, nt * sizeof *ts);
		size_t k = 0;
		int repeated = 0;
		for (size_t i = 0; i < nt; i++) {
			struct tri *t = tri_slot(ix->tab, ix->mask, tri_key((const unsigned char *)folded + i));
			if (!t->key)
				return; /* a trigram no text has */
			size_t j = 0;
			while (j < k && ts[j].t != t)
				j++;
			if (j == k)
				ts[k++] = (struct qtri){t, (int)i};
			else
				repeated = 1; /* a first occurrence proves one place only */
		}
		qsort(ts, k, sizeof *ts, cmp_count);
		cand = arena_alloc_raw(a, (ts[0].t->count ? ts[0].t->count : 1) * sizeof *cand);
		at = arena_alloc_raw(a, (ts[0].t->count ? ts[0].t->count : 1) * sizeof *at);
		/* the shortest list and the cover's other dense lists (e-mail
		 * domains: all of them) in one pass over their bitmaps */
		struct qtri ds[DENSE_AND_MAX];
		int nd = 0;
		if (is_dense(ts[0].t)) {
			ds[nd++] = ts[0];
			for (size_t j = 1; j < k && nd < DENSE_AND_MAX; j++)
				if (is_dense(ts[j].t) && (ts[j].rel % 3 == 0 || ts[j].rel == (int)ql - 3))
					ds[nd++] = ts[j];
		}
		if (nd >= 2) {
			nc = dense_and(ix, ds, nd, cand, at);
		} else {
			nd = 0;
			decode(ix, ts[0].t, ts[0].rel, cand, at);
			nc = ts[0].t->count;
		}
		/* the next lists narrow the candidates while decoding them costs
		 * less than checking what they would remove; contains() checks
		 * what the first-occurrence offsets do not prove */
		/* the intersected trigrams, each first found at start + its place,
		 * prove the bytes they cover; all of them covered: a match.  So
		 * besides the shortest list, only the lists of a cover (places 0,
		 * 3, 6, ... and the last), shortest first, each dense or at most
		 * INTERSECT_MAX times the candidates left: others would only narrow */
		unsigned char cov[100 * 4 + 1] = {0};
		if (ql <= sizeof cov)
			for (int j = 0; j < (nd ? nd : 1); j++)
				memset(cov + (nd ? ds[j].rel : ts[0].rel), 1, 3);
		uint64_t *bm = NULL;
		unsigned char *first = NULL;
		for (size_t j = 1; j < k && nc; j++) {
			int rel = ts[j].rel;
			if ((rel % 3 && rel != (int)ql - 3) || (!is_dense(ts[j].t) && ts[j].t->count > (uint64_t)INTERSECT_MAX * nc))
				continue;
			int done = 0; /* in dense_and() already */
			for (int d = 1; d < nd; d++)
				done |= ds[d].t == ts[j].t;
			if (done)
				continue;
			if (!bm) {
				bm = arena_alloc_raw(a, dense_words(ix->n) * sizeof *bm);
				first = arena_alloc_raw(a, ix->n ? ix->n : 1);
			}
			nc = intersect(ix, ts[j].t, rel, cand, at, nc, bm, first);
			if (ql <= sizeof cov)
				memset(cov + rel, 1, 3);
		}
		proven = !repeated && ql <= sizeof cov && memchr(cov, 0, ql) == NULL;
	}
	if (!ql && status < 0) { /* the whole list: a slice */
		*total = ix->n;
		long long from = desc ? (long long)ix->n - offset - 1 : offset;
		for (int i = 0; i < limit && offset + i < (long long)ix->n; i++)
			row_at(ix, a, (uint32_t)(desc ? from - i : from + i), &rows[(*n)++]);
		return;
	}
	/* matches in name order; descending needs the total first.  Three
	 * bytes are one trigram: its list is exactly the texts containing it */
	int check = ql && !(ql == 3 && cand);
	if (!check && cand && status < 0) { /* the list is the answer: a slice of it */
		*total = nc;
		for (long long i = offset; i < offset + limit && i < (long long)nc; i++)
			row_at(ix, a, cand[desc ? (long long)nc - 1 - i : i], &rows[(*n)++]);
		return;
	}
	if (cand) { /* the candidates that match, compacted in place, then a slice */
		uint32_t m = 0;
		for (uint32_t i = 0; i < nc; i++) {
			uint32_t p = cand[i];
			int ok = status < 0 || ix->status[p] == status;
			if (ok && check && !(proven && at[i] >= 0)) {
				/* unproven (a trigram's first occurrence elsewhere, or not
				 * every byte covered): the text itself, scattered over
				 * megabytes: fetch the next ones ahead */
				if (i + 32 < nc)
					__builtin_prefetch(&ix->off[cand[i + 32]]);
				if (i + 16 < nc) {
					const char *t = ix->text + ix->off[cand[i + 16]];
					__builtin_prefetch(t);
					__builtin_prefetch(t + 64);
				}
				ok = contains(ix->text + ix->off[p], ix->off[p + 1] - ix->off[p] - 1, folded, ql);
			}
			cand[m] = p;
			m += (uint32_t)ok;
		}
		*total = m;
		for (long long i = offset; i < offset + limit && i < (long long)m; i++)
			row_at(ix, a, cand[desc ? (long long)m - 1 - i : i], &rows[(*n)++]);
		return;
	}
	/* fewer than three bytes: every text */
	uint32_t *hits = desc ? arena_alloc_raw(a, (nc ? nc : 1) * sizeof *hits) : NULL;
	long long m = 0;
	for (uint32_t i = 0; i < nc; i++) {
		uint32_t p = i;
		if (status >= 0 && ix->status[p] != status)
			continue;
		if (check && !contains(ix->text + ix->off[p], ix->off[p + 1] - ix->off[p] - 1, folded, ql))
			continue;
		if (desc)
			hits[m] = p;
		else if (m >= offset && m < offset + limit)
			row_at(ix, a, p, &rows[(*n)++]);
		m++;
	}
	*total = m;
	if (desc)
		for (long long j = m - 1 - offset; j >= 0 && *n < limit; j--)
			row_at(ix, a, hits[j], &rows[(*n)++]);
}

size_t cand_index_bytes(const struct cand_index *ix)
{
	return ix->bytes;
}

/* ------------------------------------------------------------ registry */

struct entry {
	long long org_id;
	struct cand_index *ix;
	int queued, building;
	unsigned long long used; /* last get (tick) */
	double not_before;	 /* monotonic seconds: next build allowed */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct entry *ents;
static int nents, capents;
static size_t held, budget;
static long long min_rows;
static atomic_int enabled;
static unsigned long long tick;
static long long n_builds, n_hits;

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long env_ll(const char *name, long long def)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	char *end;
	long long v = strtoll(s, &end, 10);
	return *end || v < 0 ? def : v;
}

void cand_index_enable(void)
{
	min_rows = env_ll("CLR_LIST_INDEX_MIN", 2000);
	budget = (size_t)env_ll("CLR_LIST_INDEX_MB", 64) * 1024 * 1024;
	enabled = min_rows > 0 && budget > 0;
}

int cand_index_enabled(void)
{
	return enabled;
}

static void unref(struct cand_index *ix)
{
	if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
		index_free(ix);
}

void cand_index_put(struct cand_index *ix)
{
	unref(ix);
}

static struct entry *find(long long org_id)
{
	for (int i = 0; i < nents; i++)
		if (ents[i].org_id == org_id)
			return &ents[i];
	return NULL;
}

struct cand_index *cand_index_get(long long org_id, long long version, long long total)
{
	if (!enabled || total < min_rows)
		return NULL;
	struct cand_index *ix = NULL;
	pthread_mutex_lock(&mu);
	struct entry *e = find(org_id);
	if (!e) {
		if (nents == capents) {
			capents = capents ? capents * 2 : 8;
			ents = realloc(ents, (size_t)capents * sizeof *ents);
			if (!ents)
				abort();
		}
		e = &ents[nents++];
		memset(e, 0, sizeof *e);
		e->org_id = org_id;
	}
	e->used = ++tick;
	if (e->ix && e->ix->version == version) {
		ix = e->ix;
		atomic_fetch_add(&ix->refs, 1);
		n_hits++;
	} else if (!e->queued && !e->building) {
		e->queued = 1;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	return ix;
}

/* Drops least recently used indexes (not KEEP) while over the budget. */
static void evict(long long keep)
{
	while (held > budget) {
		struct entry *lru = NULL;
		for (int i = 0; i < nents; i++)
			if (ents[i].ix && ents[i].org_id != keep && (!lru || ents[i].used < lru->used))
				lru = &ents[i];
		if (!lru)
			return;
		held -= lru->ix->bytes;
		unref(lru->ix);
		lru->ix = NULL;
	}
}

void cand_index_worker(atomic_int *stop)
{
	while (!atomic_load(stop)) {
		pthread_mutex_lock(&mu);
		double now = mono();
		struct entry *e = NULL;
		for (int i = 0; i < nents && !e; i++)
			if (ents[i].queued && ents[i].not_before <= now)
				e = &ents[i];
		if (!e) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&cv, &mu, &ts);
			pthread_mutex_unlock(&mu);
			continue;
		}
		long long org = e->org_id;
		e->queued = 0;
		e->building = 1;
		pthread_mutex_unlock(&mu);

		double t0 = mono();
		db *d = db_thread();
		struct cand_index *ix = d ? cand_index_build(d, org) : NULL;
		double took = mono() - t0;

		pthread_mutex_lock(&mu);
		e = find(org);
		e->building = 0;
		/* a busy organisation is rebuilt at most every 4 build times */
		e->not_before = mono() + 4 * took;
		if (ix && ix->bytes > budget) {
			log_warn("msg=\"list index over budget\" org=%lld bytes=%zu", org, ix->bytes);
			e->not_before = mono() + 600;
			unref(ix);
		} else if (ix) {
			if (e->ix) {
				held -= e->ix->bytes;
				unref(e->ix);
			}
			e->ix = ix;
			held += ix->bytes;
			n_builds++;
			evict(org);
			log_info("msg=\"list index built\" org=%lld candidates=%u version=%lld bytes=%zu ms=%.0f", org,
				 ix->n, ix->version, ix->bytes, took * 1000);
		} else {
			log_warn("msg=\"list index build failed\" org=%lld", org);
		}
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	for (int i = 0; i < nents; i++)
		unref(ents[i].ix);
	free(ents);
	ents = NULL;
	nents = capents = 0;
	held = 0;
	enabled = 0;
	pthread_mutex_unlock(&mu);
}

void cand_index_stats(struct cand_index_stats *out)
{
	pthread_mutex_lock(&mu);
	out->builds = n_builds;
	out->hits = n_hits;
	out->bytes = held;
	out->count = 0;
	for (int i = 0; i < nents; i++)
		out->count += ents[i].ix != NULL;
	pthread_mutex_unlock(&mu);
}
