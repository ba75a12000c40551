/* test_place.c - birthplace matching: Unicode folding (case, accents,
 * ligatures, punctuation, « St »/« Ste »), name syntax, the postal code and
 * commune lookup against the embedded La Poste data on a temporary SQLite
 * database, and the HTTP-free candidate identity validation the import
 * relies on. */
#include "test.h"
#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "domain/candidate.h"
#include "domain/place.h"
#include <stdlib.h>
#include <unistd.h>

TEST(place_text_fold)
{
	arena *a = arena_new();
	CHECK_STR(text_fold(a, "  Hélène   LEFÈVRE "), "helene lefevre");
	CHECK_STR(text_fold(a, "Œuvre Ærø Straße"), "oeuvre aer\xc3\xb8 strasse");
	CHECK_STR(text_fold(a, "Ça-glar l’Haÿ"), "ca-glar l'hay");
	CHECK_STR(text_fold(a, "JEAN.DUPONT@Exemple.FR"), "jean.dupont@exemple.fr");
	CHECK_STR(text_fold(a, ""), "");
	CHECK_STR(text_fold(a, NULL), "");
	arena_free(a);
}

TEST(place_fold_matching_key)
{
	arena *a = arena_new();
	CHECK_STR(place_fold(a, "Saint-Étienne"), "saintetienne");
	CHECK_STR(place_fold(a, "St Etienne"), "saintetienne");
	CHECK_STR(place_fold(a, "st-étienne"), "saintetienne");
	CHECK_STR(place_fold(a, "ST. ETIENNE"), "saintetienne");
	CHECK_STR(place_fold(a, "Ste-Foy-lès-Lyon"), "saintefoyleslyon");
	CHECK_STR(place_fold(a, "Sainte Foy les Lyon"), "saintefoyleslyon");
	CHECK_STR(place_fold(a, "L'Haÿ-les-Roses"), "lhaylesroses");
	CHECK_STR(place_fold(a, "l’hay les roses"), "lhaylesroses");
	CHECK_STR(place_fold(a, "Paris 1er Arrondissement"), "paris1erarrondissement");
	/* « St » only as a whole word: Stains stays Stains */
	CHECK_STR(place_fold(a, "Stains"), "stains");
	CHECK_STR(place_fold(a, "Ste"), "sainte");
	CHECK(strcmp(place_fold(a, "Saint-Denis"), place_fold(a, "Sainte-Denis")) != 0);
	arena_free(a);
}

TEST(place_valid_name)
{
	CHECK(place_valid_name("Hélène"));
	CHECK(place_valid_name("Jean-Pierre"));
	CHECK(place_valid_name("D'Artagnan"));
	CHECK(place_valid_name("N’Diaye"));
	CHECK(place_valid_name("Ñúñez Ørsted"));
	CHECK(!place_valid_name("Dupont3"));
	CHECK(!place_valid_name("<b>"));
	CHECK(!place_valid_name("-"));
	CHECK(!place_valid_name(""));
	CHECK(place_is_france("FR") && place_is_france("RE") && place_is_france("GP"));
	CHECK(!place_is_france("BE") && !place_is_france(NULL) && !place_is_france(""));
}

/* A migrated temporary SQLite database with the reference data. */
static db *ref_db(char path[64])
{
	char url[80], err[256];
	if (test_tmp_sqlite("place", path, url) != 0)
		return NULL;
	db *d = NULL;
	if (db_open(url, &d, err, sizeof err) != 0)
		return NULL;
	if (db_migrate(d, 0) < 0 || reference_load(d) <= 0) {
		db_close(d);
		return NULL;
	}
	return d;
}

static void drop_db(db *d, const char *path)
{
	db_close(d);
	test_tmp_sqlite_drop(path);
}

TEST(place_match_postal_codes)
{
	char path[64];
	db *d = ref_db(path);
	CHECK(d != NULL);
	if (!d)
		return;
	arena *a = arena_new();
	struct commune c;
	CHECK_INT(place_match(d, a, "42000", "st etienne", &c), 0);
	CHECK_STR(c.name, "Saint-Étienne");
	CHECK_STR(c.insee, "42218");
	CHECK_INT(place_match(d, a, "42000", "SAINT ÉTIENNE", &c), 0);
	CHECK_INT(place_match(d, a, "75001", "Paris", &c), 0); /* La Poste label */
	CHECK_STR(c.name, "Paris 1er Arrondissement");
	CHECK_INT(place_match(d, a, "01000", "saint denis les bourg", &c), 0);
	CHECK_STR(c.name, "Saint-Denis-lès-Bourg");
	CHECK_INT(place_match(d, a, "97400", "Saint-Denis", &c), 0); /* La Réunion */
	CHECK_STR(c.insee, "97411");
	CHECK_INT(place_match(d, a, "75001", "Lyon", &c), CLR_EINVAL);
	CHECK_INT(place_match(d, a, "75001", "", &c), CLR_EINVAL);
	CHECK_INT(place_match(d, a, "99999", "Paris", &c), CLR_ENOTFOUND);
	CHECK_INT(place_match(d, a, "7500", "Paris", &c), CLR_ENOTFOUND);
	CHECK_INT(place_match(d, a, NULL, "Paris", &c), CLR_ENOTFOUND);
	struct commune *list;
	int n = 0;
	CHECK_INT(place_communes(d, a, "01000", &list, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(list[0].name, "Bourg-en-Bresse");
		CHECK_STR(list[1].name, "Saint-Denis-lès-Bourg");
	}
	CHECK_STR(place_country_name(d, a, "BE"), "Belgique");
	CHECK_STR(place_country_name(d, a, "FR"), "France");
	CHECK(place_country_name(d, a, "XX") == NULL);
	/* loading again changes nothing */
	CHECK_INT(reference_load(d), 0);
	arena_free(a);
	drop_db(d, path);
}

TEST(place_candidate_identity_without_http)
{
	char path[64];
	db *d = ref_db(path);
	CHECK(d != NULL);
	if (!d)
		return;
	arena *a = arena_new();
	struct candidate_input in = {
		.civility = "monsieur", .last_name = "  Le   Goff ", .first_name = "Yann", .email = "Yann.LeGoff@Exemple.FR",
		.birth_date = "05/03/1988", .birth_postal_code = "29200", .birth_city = "brest", .birth_country = "FR",
	};
	struct errs e = {0};
	CHECK_INT(candidate_validate_identity(d, a, 1, 0, &in, &e), 0);
	CHECK_INT(e.n, 0);
	CHECK_STR(in.last_name, "Le Goff");
	CHECK_STR(in.email, "yann.legoff@exemple.fr");
	CHECK_STR(in.birth_date, "1988-03-05");
	CHECK_STR(in.birth_city, "Brest");
	CHECK_STR(in.birth_insee, "29019");

	struct candidate_input bad = {
		.civility = "x", .last_name = "R2D2", .first_name = "", .email = "nope", .birth_date = "30/02/2001",
		.birth_postal_code = "29200", .birth_city = "Quimper", .birth_country = "FR",
	};
	struct errs e2 = {0};
	CHECK_INT(candidate_validate_identity(d, a, 1, 0, &bad, &e2), CLR_EINVAL);
	CHECK(errs_get(&e2, "civility") != NULL);
	CHECK(errs_get(&e2, "last_name") != NULL);
	CHECK(errs_get(&e2, "first_name") != NULL);
	CHECK(errs_get(&e2, "email") != NULL);
	CHECK(errs_get(&e2, "birth_date") != NULL);
	CHECK(errs_get(&e2, "birth_city") != NULL);
	arena_free(a);
	drop_db(d, path);
}
