/* test_password.c - domain/password.c: the embedded common-password list is
 * folded exactly as text_fold() folds a password and sorted by bytes (so the
 * generator, scripts/gen-passwords.mjs, and the C lookup agree), and the
 * rules of an administrator's password. */
#include "test.h"
#include "core/arena.h"
#include "core/embedded.h"
#include "core/text.h"
#include "domain/password.h"

TEST(password_list_folded_and_sorted)
{
	const struct embedded_file *f = embedded_find("data/common_passwords.tsv");
	CHECK(f != NULL);
	if (!f)
		return;
	arena *a = arena_new();
	const char *s = (const char *)f->data, *end = s + f->len, *prev = NULL;
	size_t prevn = 0;
	int n = 0, unfolded = 0, unsorted = 0;
	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((eol ? eol : end) - s);
		if (len && *s != '#') {
			char *w = arena_strndup(a, s, len);
			if (!utf8_valid(w, len) || strcmp(text_fold(a, w), w) != 0) {
				if (unfolded++ < 5)
					fprintf(stderr, "  not folded: %s -> %s\n", w, text_fold(a, w));
			}
			if (prev) {
				int c = memcmp(prev, s, prevn < len ? prevn : len);
				if (c > 0 || (c == 0 && prevn >= len))
					unsorted++;
			}
			prev = s;
			prevn = len;
			n++;
		}
		s += len + 1;
	}
	CHECK(n > 30000);
	CHECK(unfolded == 0);
	CHECK(unsorted == 0);
	CHECK(password_is_listed("azertyuiop"));
	CHECK(password_is_listed("motdepasse"));
	CHECK(password_is_listed("developpement"));
	CHECK(password_is_listed(prev ? arena_strndup(a, prev, prevn) : "")); /* the last word */
	CHECK(!password_is_listed("voltaire-2026"));
	CHECK(!password_is_listed(""));
	arena_free(a);
}

TEST(password_rules)
{
	const char *common = "Ce mot de passe figure parmi les plus courants : choisissez-en un autre.";
	const char *mine = "Ce mot de passe reprend votre adresse de courriel ou votre nom : choisissez-en un autre.";
	CHECK_STR(password_refusal("Court-12345", NULL, NULL), "Le mot de passe doit contenir au moins 12 caractères.");
	CHECK(password_refusal("àéèùâêîôûçëï", NULL, NULL) == NULL); /* 12 characters, 24 bytes */
	CHECK_STR(password_refusal("Azertyuiop12", NULL, NULL), common);
	CHECK_STR(password_refusal("2024MotDePasse2024", NULL, NULL), common);
	CHECK_STR(password_refusal("DÉVELOPPEMENT", NULL, NULL), common);
	CHECK_STR(password_refusal("Anniversaire", "", ""), common);
	CHECK(password_refusal("Voltaire-2026", "admin@demo.clr.test", "Camille Martin") == NULL);
	CHECK(password_refusal("LeRobert-2026", "staff@demo.clr.test", "Service commercial") == NULL);
	CHECK_STR(password_refusal("LeRobert-2026", "staff@demo.clr.test", "Service commercial Le Robert"), mine);
	CHECK(password_refusal("Motdepasse-solide-42", "admin.1a2b@example.test", "") == NULL);
	CHECK_STR(password_refusal("Dupont.Jean.1990", "jean.dupont@ecole.fr", ""), mine);
	CHECK_STR(password_refusal("Camille-MARTIN-75", "x@y.fr", "Camille Martin"), mine);
	CHECK_STR(password_refusal("Hélène-Lefèvre!!", "hl@exemple.fr", "Hélène Lefèvre"), mine);
	CHECK(password_refusal("Camille-au-bord-de-l-eau", "camille@y.fr", "Camille Martin") == NULL);
	CHECK(password_refusal("739201856473", "a.b@c.fr", "A B") == NULL); /* digits only: no letters to compare */
	char big[300];
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = 0;
	CHECK_STR(password_refusal(big, NULL, NULL), "Le mot de passe ne peut dépasser 200 caractères.");
	CHECK_STR(password_refusal("mauvais\xff" "utf8-xx", NULL, NULL), "Le mot de passe contient des caractères invalides.");
}
