/* test_core.c - unit tests for the core layer: buf, arena, text helpers,
 * validation, crypto, views and templates. */
#include "test.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include "core/tmpl.h"
#include "core/validate.h"
#include "core/view.h"
#include "http/request.h"
#include <stdlib.h>
#include <unistd.h>

TEST(buf_invariants)
{
	buf b = BUF_INIT;
	CHECK(b.data != NULL && b.data[0] == 0 && b.len == 0);
	buf_adds(&b, "abc");
	buf_printf(&b, "-%d-", 42);
	CHECK_STR(b.data, "abc-42-");
	CHECK_INT(b.len, 7);
	for (int i = 0; i < 1000; i++)
		buf_addc(&b, 'x');
	CHECK_INT(b.len, 1007);
	CHECK(b.data[b.len] == 0);
	size_t n;
	char *p = buf_detach(&b, &n);
	CHECK_INT(n, 1007);
	CHECK(b.data != NULL && b.len == 0);
	free(p);
	buf_free(&b);
}

TEST(buf_html_escape)
{
	buf b = BUF_INIT;
	buf_add_html(&b, "<a href=\"x\">L'été & co</a>");
	CHECK_STR(b.data, "&lt;a href=&quot;x&quot;&gt;L&#39;été &amp; co&lt;/a&gt;");
	buf_free(&b);
}

TEST(arena_alloc_and_printf)
{
	arena *a = arena_new();
	char *s = arena_printf(a, "%s-%d", "n", 7);
	CHECK_STR(s, "n-7");
	void *big = arena_alloc(a, 100000); /* larger than a chunk */
	CHECK(big != NULL && ((unsigned char *)big)[99999] == 0);
	for (int i = 0; i < 10000; i++)
		CHECK(((size_t)arena_alloc(a, 3) & 15) == 0);
	CHECK(arena_used(a) >= 100000);
	arena_reset(a);
	CHECK_INT(arena_used(a), 0);
	CHECK_STR(arena_strdup(a, "après"), "après");
	arena_free(a);
}

/* arena_printf() writes the simple formats itself: as snprintf() would,
 * at the limits of each type; other formats still go to vsnprintf(). */
TEST(arena_printf_as_snprintf)
{
	arena *a = arena_new();
	char want[256];
	const int ints[] = {0, 7, -7, 10, 99, -100, 2147483647, -2147483647 - 1};
	const long long lls[] = {0, 1, -1, 1234567890123LL, 9223372036854775807LL, -9223372036854775807LL - 1};
	for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
		for (size_t j = 0; j < sizeof lls / sizeof *lls; j++) {
			snprintf(want, sizeof want, "/candidats/%lld/etape/%d %u%% %s|%zu %llu", lls[j], ints[i],
				 (unsigned)ints[i], "é", (size_t)i * 1000003, (unsigned long long)lls[j]);
			CHECK_STR(arena_printf(a, "/candidats/%lld/etape/%d %u%% %s|%zu %llu", lls[j], ints[i],
					       (unsigned)ints[i], "é", (size_t)i * 1000003, (unsigned long long)lls[j]),
				  want);
		}
	CHECK_STR(arena_printf(a, "100 %%"), "100 %");
	CHECK_STR(arena_printf(a, "%s", ""), "");
	CHECK_STR(arena_printf(a, "%02d/%02d/%04d", 5, 3, 2026), "05/03/2026"); /* vsnprintf() */
	CHECK_STR(arena_printf(a, "%.2f %x", 1.5, 255u), "1.50 ff");
	arena_free(a);
}

TEST(utf8_validation)
{
	CHECK(utf8_valid("Élodie ÑÜ €", strlen("Élodie ÑÜ €")));
	CHECK(!utf8_valid("\xc3\x28", 2));         /* bad continuation */
	CHECK(!utf8_valid("\xc0\xaf", 2));         /* overlong */
	CHECK(!utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!utf8_valid("a\x01z", 3));           /* control */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CHECK_INT(utf8_len("été"), 3);
}

TEST(url_decode_strict)
{
	arena *a = arena_new();
	CHECK_STR(url_decode(a, "a%20b+c", 7, 1), "a b c");
	CHECK_STR(url_decode(a, "%C3%A9", 6, 0), "é");
	CHECK(url_decode(a, "%zz", 3, 0) == NULL);
	CHECK(url_decode(a, "%4", 2, 0) == NULL);
	CHECK(url_decode(a, "%", 1, 0) == NULL);
	CHECK(url_decode(a, "%C3%28", 6, 0) == NULL);
	CHECK(url_decode(a, "%00", 3, 0) == NULL);
	CHECK_STR(url_encode(a, "/a b?é"), "%2Fa%20b%3F%C3%A9");
	arena_free(a);
}

TEST(form_parsing)
{
	arena *a = arena_new();
	struct kvs k = {0};
	const char *body = "email=a%40b.fr&password=x+y&empty=&flag&csrf=t";
	CHECK_INT(kvs_parse_urlencoded(a, &k, body, strlen(body)), 0);
	CHECK_STR(kvs_get(&k, "email"), "a@b.fr");
	CHECK_STR(kvs_get(&k, "password"), "x y");
	CHECK_STR(kvs_get(&k, "empty"), "");
	CHECK_STR(kvs_get(&k, "flag"), "");
	CHECK(kvs_get(&k, "missing") == NULL);
	struct kvs bad = {0};
	CHECK(kvs_parse_urlencoded(a, &bad, "a=%G1", 5) != 0);
	arena_free(a);
}

TEST(trim_and_lower)
{
	arena *a = arena_new();
	CHECK_STR(str_trim(a, "  Jean   Dupont \t", 1), "Jean Dupont");
	CHECK_STR(str_trim(a, "  a  b ", 0), "a  b");
	CHECK_STR(str_lower(a, "ABC@Exemple.FR"), "abc@exemple.fr");
	arena_free(a);
}

TEST(money_and_int_format)
{
	arena *a = arena_new();
	CHECK_STR(money_fmt(a, 171000), "1\xe2\x80\xaf" "710,00\xc2\xa0€");
	CHECK_STR(money_fmt(a, 34200), "342,00\xc2\xa0€");
	CHECK_STR(money_fmt(a, 5), "0,05\xc2\xa0€");
	CHECK_STR(money_fmt(a, 123456789), "1\xe2\x80\xaf" "234\xe2\x80\xaf" "567,89\xc2\xa0€");
	CHECK_STR(money_fmt(a, -1050), "-10,50\xc2\xa0€");
	CHECK_STR(int_fmt(a, 100000), "100\xe2\x80\xaf" "000");
	CHECK_STR(int_fmt(a, 999), "999");
	arena_free(a);
}

TEST(date_format_paris)
{
	arena *a = arena_new();
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	CHECK_STR(date_fmt(a, 1774393200), "25/03/2026"); /* 2026-03-24T23:00Z */
	CHECK_STR(datetime_fmt(a, 1774393200), "25/03/2026 à 00:00");
	arena_free(a);
}

TEST(email_and_phone_syntax)
{
	CHECK(valid_email("camille.martin@exemple.fr"));
	CHECK(valid_email("a+b@sous.domaine.org"));
	CHECK(!valid_email("camille"));
	CHECK(!valid_email("a@b"));
	CHECK(!valid_email("a@@b.fr"));
	CHECK(!valid_email(".a@b.fr"));
	CHECK(!valid_email("a..b@b.fr"));
	CHECK(!valid_email("a@-b.fr"));
	CHECK(!valid_email("a b@c.fr"));
	CHECK(valid_phone("06 12 34 56 78"));
	CHECK(valid_phone("+33 6 12 34 56 78"));
	CHECK(!valid_phone("06 12 ab"));
	CHECK(!valid_phone("123"));
}

TEST(errs_first_message_wins)
{
	struct errs e = {0};
	errs_add(&e, "email", "premier");
	errs_add(&e, "email", "second");
	errs_add(&e, "name", "nom");
	CHECK_INT(e.n, 2);
	CHECK_STR(errs_get(&e, "email"), "premier");
	CHECK(errs_get(&e, "phone") == NULL);
}

TEST(password_hashing)
{
	char h[PW_HASH_MAX];
	CHECK_INT(pw_hash("correct horse", h), 0);
	CHECK(strncmp(h, "$argon2id$", 10) == 0);
	CHECK(pw_verify(h, "correct horse"));
	CHECK(!pw_verify(h, "correct horsE"));
	CHECK(!pw_verify(NULL, "x"));
	char h2[PW_HASH_MAX];
	pw_hash("correct horse", h2);
	CHECK(strcmp(h, h2) != 0); /* salted */
}

TEST(tokens)
{
	char t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], hh[TOKEN_HASH_LEN + 1];
	token_new(t1);
	token_new(t2);
	CHECK_INT(strlen(t1), TOKEN_LEN);
	CHECK(strcmp(t1, t2) != 0);
	token_hash(t1, hh);
	CHECK_INT(strlen(hh), 64);
	CHECK(secure_eq(t1, t1));
	CHECK(!secure_eq(t1, t2));
	CHECK(!secure_eq("", ""));
	CHECK(!secure_eq(NULL, t1));
}

TEST(view_lookup_falls_back_to_parent)
{
	arena *a = arena_new();
	view *v = view_new(a);
	view_set(v, "org", "Voltaire");
	view *row = view_add(v, "rows");
	view_set(row, "name", "A");
	CHECK_STR(view_get(row, "org")->s, "Voltaire");
	CHECK_STR(view_get(row, "name")->s, "A");
	CHECK(view_get(v, "name") == NULL);
	CHECK_INT(view_get(v, "rows")->nitems, 1);
	arena_free(a);
}

/* A view of hundreds of keys (its index grows): every key found, the last
 * value set wins, unset keys absent. */
TEST(view_many_keys)
{
	arena *a = arena_new();
	view *v = view_new(a);
	char key[700][16];
	for (int i = 0; i < 700; i++) {
		snprintf(key[i], sizeof key[i], "k%d", i);
		view_set(v, key[i], "first");
	}
	for (int i = 0; i < 700; i += 3)
		view_setf(v, key[i], "v%d", i);
	int bad = 0;
	for (int i = 0; i < 700; i++) {
		const struct vval *x = view_get(v, key[i]);
		char want[16];
		snprintf(want, sizeof want, "v%d", i);
		bad += !x || strcmp(x->s, i % 3 ? "first" : want) != 0;
	}
	CHECK_INT(bad, 0);
	CHECK(view_get(v, "k700") == NULL && view_get(v, "k") == NULL);
	arena_free(a);
}

TEST(templates_escape_sections_partials)
{
	CHECK_INT(tmpl_init(), 0);
	arena *a = arena_new();
	view *v = view_new(a);
	view_set(v, "title", "<script>alert('x')</script>");
	view_set(v, "csrf", "tok");
	view_set(v, "org_name", "Centre « Voltaire » & Cie");
	view_set_bool(v, "is_admin", 1);
	view_set_bool(v, "nav_home", 1);
	view_set_html(v, "content", "<p>corps</p>");
	buf out = BUF_INIT;
	CHECK_INT(tmpl_render("layout", v, &out), 0);
	CHECK(strstr(out.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != NULL);
	CHECK(strstr(out.data, "<script>alert") == NULL);
	CHECK(strstr(out.data, "Centre « Voltaire » &amp; Cie") != NULL);
	CHECK(strstr(out.data, "<p>corps</p>") != NULL);                        /* trusted HTML as is */
	CHECK(strstr(out.data, "href=\"/accueil\" aria-current=\"page\"") != NULL); /* section */
	CHECK(strstr(out.data, "href=\"/commandes\" aria-current") == NULL);
	CHECK(strstr(out.data, "Se connecter") == NULL);
	buf_reset(&out);
	CHECK(tmpl_render("no/such/template", v, &out) != 0);
	buf_reset(&out);
	/* a partial: account/profile includes account/tabs */
	view_set_bool(v, "tab_profile", 1);
	CHECK_INT(tmpl_render("account/profile", v, &out), 0);
	CHECK(strstr(out.data, "Mot de passe</a>") != NULL);
	buf_free(&out);
	arena_free(a);
}

/* What fd 2 receives between stderr_capture() and stderr_captured()
 * (log lines), into OUT. */
static int saved_fd2 = -1;
static FILE *capture_file;

static void stderr_capture(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	saved_fd2 = dup(2);
	dup2(fileno(capture_file), 2);
}

static void stderr_captured(char *out, size_t n)
{
	fflush(stderr);
	dup2(saved_fd2, 2);
	close(saved_fd2);
	rewind(capture_file);
	size_t k = fread(out, 1, n - 1, capture_file);
	out[k] = 0;
	fclose(capture_file);
}

/* A made-up template set: (name, text) pairs as tools/embed.c writes them. */
#define TFILE(name, text) {"templates/" name, (const unsigned char *)(text), sizeof(text) - 1}

TEST(templates_partials_resolved_at_start_up)
{
	static const struct embedded_file good[] = {
		TFILE("a/page.html", "[{{>a/part}}]"),
		TFILE("a/part.html", "<{{x}}>"),
		TFILE("mail/m.html", "<p>{{>mail/sig}}</p>"),
		TFILE("mail/m.txt", "{{>mail/sig}}"),
		TFILE("mail/sig.html", "<i>sig</i>"),
		TFILE("mail/sig.txt", "-- sig"),
	};
	static const struct embedded_file bad[] = {
		TFILE("a/page.html", "[{{>a/prat}}]"),
		TFILE("a/part.html", "<{{x}}>"),
	};
	arena *a = arena_new();
	view *v = view_new(a);
	view_set(v, "x", "&");
	buf out = BUF_INIT;
	CHECK_INT(tmpl_load(good, sizeof good / sizeof *good), 0);
	CHECK_INT(tmpl_render("a/page", v, &out), 0);
	CHECK_STR(out.data, "[<&amp;>]");
	buf_reset(&out);
	CHECK_INT(tmpl_render("mail/m.txt", v, &out), 0); /* a text body includes the text partial */
	CHECK_STR(out.data, "-- sig");
	buf_reset(&out);
	CHECK_INT(tmpl_render("mail/m.html", v, &out), 0);
	CHECK_STR(out.data, "<p><i>sig</i></p>");

	char log[1024];
	stderr_capture();
	int rc = tmpl_load(bad, sizeof bad / sizeof *bad); /* a misspelt partial: the start-up fails */
	stderr_captured(log, sizeof log);
	CHECK(rc != 0);
	CHECK(strstr(log, "template: unknown partial\" template=a/page partial=a/prat") != NULL);
	CHECK(!tmpl_exists("a/part")); /* nothing half-loaded */

	CHECK_INT(tmpl_load(embedded_files, embedded_count), 0); /* the real ones back, for the other tests */
	CHECK(tmpl_exists("layout"));
	buf_free(&out);
	arena_free(a);
}

/* A template that does not compile is refused whole, and what its compiler
 * had built so far (the names of its tags) is freed: the ASan run of the
 * unit tests fails on a leak (found by fuzz/tmpl.c). */
TEST(templates_syntax_errors_refused_without_leaks)
{
	static const char *const broken[] = {
		"{{#a}}{{#b}}x{{/a}}{{/b}}",  /* unbalanced */
		"{{#a}}{{name}} {{x",         /* unclosed tag */
		"{{#a}}{{^b}}{{v}}{{/b}}",    /* unclosed section */
		"{{v}}{{/nope}}",             /* closing what was never opened */
	};
	char log[4096];
	for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
		struct embedded_file f[] = {
			{"templates/ok.html", (const unsigned char *)"{{x}}", 5},
			{"templates/t.html", (const unsigned char *)broken[i], strlen(broken[i])},
		};
		stderr_capture();
		int rc = tmpl_load(f, 2);
		stderr_captured(log, sizeof log);
		CHECK_INT(rc, CLR_EINVAL);
		CHECK(!tmpl_exists("ok") && !tmpl_exists("t"));
	}
	/* sections nested deeper than 64 */
	buf deep = BUF_INIT;
	for (int i = 0; i < 65; i++)
		buf_printf(&deep, "{{#s%d}}", i);
	struct embedded_file f[] = {{"templates/deep.html", (const unsigned char *)deep.data, deep.len}};
	stderr_capture();
	CHECK_INT(tmpl_load(f, 1), CLR_EINVAL);
	stderr_captured(log, sizeof log);
	buf_free(&deep);
	CHECK_INT(tmpl_load(embedded_files, embedded_count), 0);
}

TEST(templates_strict_mode_reports_unset_variables)
{
	static const struct embedded_file files[] = {
		TFILE("t/greet.html", "Bonjour {{name}} <{{emial}}>{{#flag}}!{{/flag}}{{^other}}.{{/other}}"
				      "{{#rows}}[{{cell}}{{name}}]{{/rows}}"),
	};
	arena *a = arena_new();
	view *v = view_new(a);
	view_set(v, "name", "Zoé");
	view_set(v, "email", "zoe@example.test");
	view_set(v, "cell", "page"); /* a row's name found in its parent: set */
	for (int i = 0; i < 3; i++)
		view_set_new(view_add(v, "rows"), "cell", "c");
	buf out = BUF_INIT;
	char log[2048];
	CHECK_INT(tmpl_load(files, sizeof files / sizeof *files), 0);

	stderr_capture();
	CHECK_INT(tmpl_render("t/greet", v, &out), 0);
	stderr_captured(log, sizeof log);
	CHECK_STR(out.data, "Bonjour Zoé <>.[cZoé][cZoé][cZoé]");
	CHECK(log[0] == 0); /* not strict: silent */

	tmpl_set_strict(1);
	buf_reset(&out);
	stderr_capture();
	CHECK_INT(tmpl_render("t/greet", v, &out), 0);
	CHECK_INT(tmpl_render("t/greet", v, &out), 0);
	stderr_captured(log, sizeof log);
	CHECK_STR(out.data, "Bonjour Zoé <>.[cZoé][cZoé][cZoé]Bonjour Zoé <>.[cZoé][cZoé][cZoé]");
	/* the misspelt name, once, at level error; sections of unset names are fine */
	const char *line = strstr(log, "level=error msg=\"template variable not set\" template=t/greet variable=emial\n");
	CHECK(line != NULL);
	CHECK(line && strstr(strchr(line, '\n'), "variable=emial") == NULL); /* once */
	CHECK(strstr(log, "variable=flag") == NULL && strstr(log, "variable=other") == NULL);
	CHECK(strstr(log, "variable=name") == NULL && strstr(log, "variable=cell") == NULL);
	tmpl_set_strict(0);

	CHECK_INT(tmpl_load(embedded_files, embedded_count), 0);
	buf_free(&out);
	arena_free(a);
}

TEST(like_pattern_escapes_wildcards)
{
	arena *a = arena_new();
	CHECK_STR(like_contains(a, "mart"), "%mart%");
	CHECK_STR(like_contains(a, "50%_a\\b"), "%50\\%\\_a\\\\b%");
	CHECK_STR(like_contains(a, ""), "%%");
	arena_free(a);
}

TEST(date_and_time_parsing)
{
	char iso[11], t[6];
	int y, m, d;
	CHECK(date_parse("29/02/2028", &y, &m, &d) && y == 2028 && m == 2 && d == 29);
	CHECK(!date_parse("29/02/2027", &y, &m, &d));
	CHECK(!date_parse("31/04/2027", &y, &m, &d));
	CHECK(!date_parse("1/1/27", &y, &m, &d));
	CHECK(!date_parse("", &y, &m, &d));
	CHECK(!date_parse("12/04/2027x", &y, &m, &d));
	/* digits and separators only (found by fuzz/date.c): no white space
	 * or sign, which sscanf's %d would skip or read */
	CHECK(!date_parse("\f1/2/2001", &y, &m, &d));
	CHECK(!date_parse("1/ 2/2001", &y, &m, &d));
	CHECK(!date_parse("+1/+2/2001", &y, &m, &d));
	CHECK(!date_parse("2001-+1-+2", &y, &m, &d));
	CHECK(!date_parse("2001- 1- 2", &y, &m, &d));
	CHECK(date_to_iso("2/3/2027", iso));
	CHECK_STR(iso, "2027-03-02");
	CHECK(date_to_iso("2027-03-02", iso));
	CHECK_STR(iso, "2027-03-02");
	CHECK_INT(time_parse("09:30", t), 570);
	CHECK_STR(t, "09:30");
	CHECK_INT(time_parse("9h", t), 540);
	CHECK_STR(t, "09:00");
	CHECK_INT(time_parse("14h05", t), 845);
	CHECK_INT(time_parse("24:00", t), -1);
	CHECK_INT(time_parse("12:5", t), -1);
	CHECK_INT(time_parse("midi", t), -1);
	CHECK_INT(time_parse(" 9h", t), -1);
	CHECK_INT(time_parse("+9h", t), -1);
	CHECK_INT(time_parse("9:+5", t), -1);
	CHECK_INT(time_parse("09: 5", t), -1);
	arena *a = arena_new();
	CHECK(strlen(date_today_iso(a)) == 10);
	arena_free(a);
}

TEST(text_date_long_fr)
{
	arena *a = arena_new();
	CHECK_STR(date_long_fr(a, "2026-12-15"), "mardi 15 décembre 2026");
	CHECK_STR(date_long_fr(a, "2026-12-01"), "mardi 1er décembre 2026");
	CHECK_STR(date_long_fr(a, "2028-02-29"), "mardi 29 février 2028");
	CHECK_STR(date_long_fr(a, "2027-08-01"), "dimanche 1er août 2027");
	CHECK_STR(date_long_fr(a, "2000-01-01"), "samedi 1er janvier 2000");
	CHECK_STR(date_long_fr(a, "2026-02-30"), "2026-02-30");
	CHECK_STR(date_long_fr(a, "15/12/2026"), "15/12/2026");
	CHECK_STR(date_long_fr(a, NULL), "");
	arena_free(a);
}

TEST(french_typography)
{
	char *s = fr_typography("Statut : prévu ; « En création » ! Vraiment ? a:b x«y» http://h?q=1");
	CHECK(s != NULL);
	CHECK_STR(s, "Statut\xc2\xa0: prévu\xe2\x80\xaf; «\xc2\xa0" "En création\xc2\xa0»\xe2\x80\xaf! Vraiment\xe2\x80\xaf? a:b x«y» http://h?q=1");
	free(s);
}

TEST(text_excerpt_cuts_at_a_character)
{
	arena *a = arena_new();
	CHECK_STR(text_excerpt(a, "court", 80), "court");
	CHECK_STR(text_excerpt(a, "éééé", 4), "éééé");
	CHECK_STR(text_excerpt(a, "ééééé", 4), "éééé…");
	CHECK_STR(text_excerpt(a, "abc", 0), "…");
	CHECK_STR(text_excerpt(a, NULL, 3), "");
	arena_free(a);
}
