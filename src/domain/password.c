/* password.c - an administrator's or staff member's password: length, the
 * common-password list, the account's own e-mail and name; see password.h.
 * The list is the embedded data/common_passwords.tsv, folded and sorted by
 * bytes: its lines are indexed once (pthread_once) and searched by
 * bisection, without copying them. */
#include "domain/password.h"
#include "core/arena.h"
#include "core/embedded.h"
#include "core/text.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct word {
	const char *s;
	size_t n;
};

static struct word *words;
static size_t nwords;

static void index_list(void)
{
	const struct embedded_file *f = embedded_find("data/common_passwords.tsv");
	if (!f)
		return;
	const char *s = (const char *)f->data, *end = s + f->len;
	size_t cap = 0;
	for (const char *p = s; p < end; p++)
		cap += *p == '\n';
	words = malloc(sizeof *words * (cap + 1));
	if (!words)
		return;
	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		if (!eol)
			eol = end;
		if (eol > s && *s != '#')
			words[nwords++] = (struct word){s, (size_t)(eol - s)};
		s = eol + 1;
	}
}

static int cmp_word(const void *k, const void *e)
{
	const struct word *a = k, *b = e;
	int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
	return c ? c : (a->n > b->n) - (a->n < b->n);
}

int password_is_listed(const char *folded)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, index_list);
	if (!words || !folded || !*folded)
		return 0;
	struct word k = {folded, strlen(folded)};
	return bsearch(&k, words, nwords, sizeof *words, cmp_word) != NULL;
}

/* The folded password, then the same without the digits at its ends. */
static int common(arena *a, const char *pw)
{
	char *f = text_fold(a, pw);
	if (password_is_listed(f))
		return 1;
	size_t n = strlen(f), b = strspn(f, "0123456789");
	while (n > b && f[n - 1] >= '0' && f[n - 1] <= '9')
		n--;
	if (b == 0 && n == strlen(f))
		return 0;
	return password_is_listed(arena_strndup(a, f + b, n - b));
}

/* The ASCII letters of text_fold(s). */
static char *letters(arena *a, const char *s)
{
	char *f = text_fold(a, s ? s : ""), *o = f;
	for (const char *p = f; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*o++ = *p;
	*o = 0;
	return f;
}

#define MAX_PIECES 32

/* Adds the runs of two letters or more of text_fold(s) to pieces. */
static void add_pieces(arena *a, const char *s, const char **pieces, int *n)
{
	char *f = text_fold(a, s ? s : "");
	for (char *p = f; *p && *n < MAX_PIECES;) {
		size_t k = 0;
		while (p[k] >= 'a' && p[k] <= 'z')
			k++;
		if (k >= 2)
			pieces[(*n)++] = arena_strndup(a, p, k);
		p += k ? k : 1;
	}
}

/* 1 if the password's letters are nothing but pieces of the e-mail and name
 * (a run of whole pieces, in any order, repeated or not). */
static int made_of_identity(arena *a, const char *pw, const char *email, const char *name)
{
	const char *pieces[MAX_PIECES];
	int np = 0;
	add_pieces(a, email, pieces, &np);
	add_pieces(a, name, pieces, &np);
	const char *l = letters(a, pw);
	size_t n = strlen(l);
	if (n == 0 || np == 0)
		return 0;
	/* ok[i]: l[0..i) is a run of pieces */
	unsigned char *ok = arena_alloc(a, n + 1);
	memset(ok, 0, n + 1);
	ok[0] = 1;
	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		for (int k = 0; k < np; k++) {
			size_t m = strlen(pieces[k]);
			if (i + m <= n && memcmp(l + i, pieces[k], m) == 0)
				ok[i + m] = 1;
		}
	}
	return ok[n];
}

const char *password_refusal(const char *pw, const char *email, const char *name)
{
	if (!pw || !utf8_valid(pw, strlen(pw)))
		return "Le mot de passe contient des caractères invalides.";
	size_t n = utf8_len(pw);
	if (n < PASSWORD_MIN)
		return "Le mot de passe doit contenir au moins 12 caractères.";
	if (n > PASSWORD_MAX)
		return "Le mot de passe ne peut dépasser 200 caractères.";
	arena *a = arena_new();
	const char *why = NULL;
	if (common(a, pw))
		why = "Ce mot de passe figure parmi les plus courants : choisissez-en un autre.";
	else if (made_of_identity(a, pw, email, name))
		why = "Ce mot de passe reprend votre adresse de courriel ou votre nom : choisissez-en un autre.";
	arena_free(a);
	return why;
}
