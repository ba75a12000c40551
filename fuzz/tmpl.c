/* fuzz/tmpl.c - the template compiler and renderer (src/core/tmpl.c) with
 * the view model (src/core/view.c): tmpl_load() of a fuzzed template set,
 * then tmpl_render() of each template with a view that gives every name the
 * templates use a value of some kind (text holding HTML, trusted HTML,
 * true, false, a list of rows that share their keys or not, the name of a
 * template to render there).
 *
 * Input: one byte of options (bit 0: names may end in .txt, whose values are
 * not escaped), then up to 8 templates separated by NUL bytes, each
 * "NAME\nSOURCE" ("NAME" without ".html"/".txt" gets ".html"; a piece
 * without a line feed is the source of "tN").  Byte 0x01 is kept for the
 * values: it is replaced in sources.
 * Invariants beyond « no crash, no leak, no hang »:
 *   - tmpl_load() returns 0 or CLR_EINVAL, and a failed load leaves no
 *     template; a loaded set has every template it was given;
 *   - rendering returns 0, CLR_EINVAL (nesting deeper than 32) or
 *     CLR_ENOTFOUND (a V_TMPL naming no template);
 *   - with .html templates only, the output never holds an unescaped '<'
 *     of a text value (the values hold "<\x01", which no source can);
 *   - a template without tags renders as its source with French typography.
 * Templates are trusted code: nested sections over lists and partials
 * included several times multiply the output legitimately, so a set whose
 * list sections, partials and V_TMPL variables together exceed a budget is
 * compiled but not rendered (a page's templates stay far below it).
 */
#include "fuzz.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/embedded.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "core/tmpl.h"
#include "core/view.h"

#define MAX_TMPL 8
#define MAX_NAMES 64
#define RENDER_BUDGET 12

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_quiet(1);
	tmpl_set_strict(1); /* also the « variable not set » path */
	return 0;
}

enum kind { K_TEXT, K_HTML, K_TRUE, K_FALSE, K_LIST, K_UNSET, K_NKINDS };

static enum kind kind_of(const char *name)
{
	unsigned h = view_key_hash(name);
	return (enum kind)((h ^ (h >> 7)) % K_NKINDS);
}

/* The tag names of src, as tmpl.c reads them; counts into *cost the tags
 * that can multiply the output (list sections, partials, "content"). */
static int scan(arena *a, const char *src, const char **names, int n, int *cost)
{
	const char *p = src;
	for (;;) {
		const char *open = strstr(p, "{{");
		if (!open)
			break;
		const char *close = strstr(open + 2, "}}");
		if (!close)
			break;
		const char *in = open + 2;
		char sigil = *in;
		if (sigil && strchr("#^/>!", sigil))
			in++;
		while (*in == ' ')
			in++;
		const char *ie = close;
		while (ie > in && ie[-1] == ' ')
			ie--;
		char *name = arena_strndup(a, in, (size_t)(ie - in));
		p = close + 2;
		if (sigil == '>' || (sigil != '!' && strcmp(name, "content") == 0) ||
		    ((sigil == '#' || sigil == '^') && kind_of(name) == K_LIST))
			(*cost)++;
		if (sigil == '!' || sigil == '>' || sigil == '/')
			continue;
		int seen = 0;
		for (int i = 0; i < n && !seen; i++)
			seen = strcmp(names[i], name) == 0;
		if (!seen && n < MAX_NAMES)
			names[n++] = name;
	}
	return n;
}

/* Sets NAME in v by its kind; rows (lists) only at the top. */
static void set_value(view *v, const char *name, const char *content, int top, int variant)
{
	if (strcmp(name, "content") == 0) {
		if (top)
			view_set_tmpl(v, name, content);
		return;
	}
	switch (kind_of(name)) {
	case K_TEXT:
		view_set(v, name, variant ? "l'« élève » <\x01b> & \"co\" ?" : "<\x01script>alert(1)</script>");
		break;
	case K_HTML:
		view_set_html(v, name, "<b class=\"x\">gras</b>");
		break;
	case K_TRUE:
		view_set_bool(v, name, 1);
		break;
	case K_FALSE:
		if (variant)
			view_set(v, name, "");
		else
			view_set_bool(v, name, 0);
		break;
	case K_LIST:
		if (top)
			view_list(v, name);
		break;
	case K_UNSET:
	case K_NKINDS:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int allow_txt = data[0] & 1;
	char *piece[MAX_TMPL];
	int np = fuzz_split(data + 1, size - 1, '\0', MAX_TMPL, piece);
	arena *a = arena_new();
	struct embedded_file files[MAX_TMPL];
	const char *stems[MAX_TMPL];
	int txt_any = 0;
	for (int i = 0; i < np; i++) {
		char *nl = strchr(piece[i], '\n');
		const char *name, *src;
		if (nl && nl > piece[i]) {
			*nl = 0;
			name = piece[i];
			src = nl + 1;
		} else if (nl) { /* an empty name */
			name = arena_printf(a, "t%d", i);
			src = nl + 1;
		} else {
			name = arena_printf(a, "t%d", i);
			src = piece[i];
		}
		size_t nlen = strlen(name);
		if (nlen > 100) /* template names are paths: "candidates/list" (find_kind() stops at 255) */
			name = arena_strndup(a, name, nlen = 100);
		int is_txt = nlen > 4 && strcmp(name + nlen - 4, ".txt") == 0;
		int is_html = nlen > 5 && strcmp(name + nlen - 5, ".html") == 0;
		if (is_txt && !allow_txt)
			is_txt = 0;
		const char *stem = arena_strndup(a, name, nlen - (is_txt ? 4 : is_html ? 5 : 0));
		files[i].name = arena_printf(a, "templates/%s%s", stem, is_txt ? ".txt" : ".html");
		for (int k = 0; k < i; k++) /* file names are unique (a .txt and a .html may share a stem) */
			if (strcmp(files[k].name, files[i].name) == 0) {
				stem = arena_printf(a, "%s~%d", stem, i);
				files[i].name = arena_printf(a, "templates/%s%s", stem, is_txt ? ".txt" : ".html");
				k = -1; /* again, with the new name */
			}
		txt_any |= is_txt;
		stems[i] = stem;
		char *s = arena_strdup(a, src);
		for (char *q = s; *q; q++)
			if (*q == '\x01')
				*q = '?';
		files[i].data = (const unsigned char *)s;
		files[i].len = strlen(s);
	}

	int rc = tmpl_load(files, (size_t)np);
	FUZZ_CHECK(rc == 0 || rc == CLR_EINVAL);
	if (rc) {
		for (int i = 0; i < np; i++)
			FUZZ_CHECK(!tmpl_exists(files[i].name + 10));
	} else {
		for (int i = 0; i < np; i++)
			FUZZ_CHECK(tmpl_exists(files[i].name + 10));
	}

	const char *names[MAX_NAMES];
	int nn = 0, cost = 0;
	for (int i = 0; i < np; i++)
		nn = scan(a, (const char *)files[i].data, names, nn, &cost);

	if (rc == 0 && cost <= RENDER_BUDGET) {
		view *v = view_new(a);
		for (int i = 0; i < nn; i++)
			set_value(v, names[i], files[0].name + 10, 1, 0);
		/* rows: two with the same keys (the renderer's list cache), one
		 * with other keys in another order */
		for (int i = 0; i < nn; i++) {
			if (kind_of(names[i]) != K_LIST)
				continue;
			for (int r = 0; r < 3; r++) {
				view *row = view_add(v, names[i]);
				if (r < 2)
					for (int k = 0; k < nn; k++)
						set_value(row, names[k], files[0].name + 10, 0, r);
				else
					for (int k = nn - 1; k >= 0; k -= 2)
						set_value(row, names[k], files[0].name + 10, 0, 1);
			}
		}
		for (int i = 0; i < np; i++) {
			buf out = BUF_INIT;
			int r = tmpl_render(files[i].name + 10, v, &out); /* "x.html": a .txt may share its stem */
			FUZZ_CHECK(r == 0 || r == CLR_EINVAL || r == CLR_ENOTFOUND);
			if (!txt_any)
				FUZZ_CHECK(!memmem(out.data, out.len, "<\x01", 2));
			if (r == 0 && !strstr((const char *)files[i].data, "{{")) {
				char *typo = fr_typography((const char *)files[i].data);
				FUZZ_CHECK(strcmp(out.data, typo) == 0);
				free(typo);
			}
			buf_free(&out);
		}
	}

	/* nothing kept from one input to the next */
	tmpl_load(NULL, 0);
	arena_free(a);
	free(piece[0]);
	return 0;
}
