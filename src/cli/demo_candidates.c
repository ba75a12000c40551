/* demo_candidates.c - the demo organisation's candidates for `clr demo`: a
 * few dozen French names born in France (metropolitan and overseas) and
 * abroad, in every status: the planned, waiting and passed ones get their
 * certifications from demo_certifications.c.  Runs inside demo's transaction; idempotent (a candidate
 * whose e-mail already exists in the organisation is left alone). */
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/candidate.h"
#include "domain/place.h"
#include <stdio.h>
#include <string.h>

static const struct {
	const char *civ, *last, *first, *born, *cp, *city, *country;
	const char *status;
	int exam_days;       /* days to the exam (« Prévue ») or since it (« En attente », « Passée ») */
	const char *laposte; /* « Prévue » at the La Poste centre of that city, else NULL */
} people[] = {
	{"monsieur", "Allera", "Sébastien", "12/04/1985", "69003", "Lyon 3e Arrondissement", "FR", CAND_PLANNED, 21, "Lyon"},
	{"madame", "Lefèvre", "Hélène", "03/11/1992", "42000", "Saint-Étienne", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "Nguyen", "Thi Mai", "22/01/1990", "", "Hanoï", "VN", CAND_DONE, -40, NULL},
	{"monsieur", "Martin", "Lucas", "07/07/2001", "75011", "Paris", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "Bernard", "Chloé", "19/02/1998", "33000", "Bordeaux", "FR", CAND_WAITING, 7, NULL},
	{"monsieur", "Dubois", "Hugo", "30/09/1995", "59000", "Lille", "FR", CAND_DRAFT, 0, NULL},
	{"madame", "Thomas", "Manon", "15/05/1999", "31000", "Toulouse", "FR", CAND_DONE, -75, NULL},
	{"monsieur", "Robert", "Nathan", "01/12/1987", "44000", "Nantes", "FR", CAND_PLANNED, 35, NULL},
	{"madame", "Richard", "Camille", "11/03/1993", "67000", "Strasbourg", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"monsieur", "Petit", "Théo", "28/08/2003", "34000", "Montpellier", "FR", CAND_WAITING, 3, NULL},
	{"madame", "Durand", "Léa", "09/10/2000", "06000", "Nice", "FR", CAND_DONE, -12, NULL},
	{"monsieur", "Leroy", "Louis", "17/06/1979", "35000", "Rennes", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "Moreau", "Inès", "05/04/1997", "13001", "Marseille 1er Arrondissement", "FR", CAND_PLANNED, 14, "Marseille"},
	{"monsieur", "Simon", "Gabriel", "23/01/1991", "97400", "Saint-Denis", "RE", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "Laurent", "Jade", "14/02/2004", "97200", "Fort-de-France", "MQ", CAND_DRAFT, 0, NULL},
	{"monsieur", "Lefebvre", "Arthur", "02/09/1989", "21000", "Dijon", "FR", CAND_DONE, -200, NULL},
	{"madame", "Michel", "Louise", "26/12/1994", "37000", "Tours", "FR", CAND_WAITING, 10, NULL},
	{"monsieur", "Garcia", "Raphaël", "08/08/1996", "", "Barcelone", "ES", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "David", "Emma", "19/03/2002", "49000", "Angers", "FR", CAND_PLANNED, 28, NULL},
	{"monsieur", "Bertrand", "Jules", "13/05/1983", "87000", "Limoges", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "Roux", "Alice", "21/07/1998", "38000", "Grenoble", "FR", CAND_DONE, -5, NULL},
	{"monsieur", "Vincent", "Adam", "04/04/2005", "76000", "Rouen", "FR", CAND_DRAFT, 0, NULL},
	{"madame", "Fournier", "Lina", "10/10/1990", "80000", "Amiens", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"monsieur", "Morel", "Paul", "29/11/1986", "25000", "Besançon", "FR", CAND_WAITING, 1, NULL},
	{"madame", "Girard", "Rose", "06/06/1992", "", "Montréal", "CA", CAND_PLANNED, 42, NULL},
	{"monsieur", "André", "Maël", "18/02/1999", "29200", "Brest", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "Mercier", "Anna", "27/09/1988", "63000", "Clermont-Ferrand", "FR", CAND_DONE, -90, NULL},
	{"monsieur", "Dupont", "Noah", "12/12/2000", "54000", "Nancy", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"madame", "Lambert", "Zoé", "03/03/1997", "86000", "Poitiers", "FR", CAND_DRAFT, 0, NULL},
	{"monsieur", "Bonnet", "Ethan", "24/05/1994", "97110", "Pointe-à-Pitre", "GP", CAND_PLANNED, 60, NULL},
	{"madame", "François", "Juliette", "16/08/1991", "14000", "Caen", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"monsieur", "Diallo", "Mamadou", "09/01/1993", "", "Dakar", "SN", CAND_WAITING, 5, NULL},
	{"madame", "Benali", "Yasmine", "31/10/1996", "93200", "Saint-Denis", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"monsieur", "N'Guessan", "Kouadio", "20/04/1990", "", "Abidjan", "CI", CAND_DONE, -30, NULL},
	{"madame", "Le Goff", "Maëlle", "07/02/2003", "29000", "Quimper", "FR", CAND_TO_ASSIGN, 0, NULL},
	{"monsieur", "Rousseau", "Victor", "25/06/1984", "45000", "Orléans", "FR", CAND_PLANNED, 7, "Paris"},
};

/* "prenom.nom@demo-candidats.clr.test", ASCII-folded. */
static const char *demo_email(arena *a, const char *first, const char *last)
{
	const char *f = place_fold(a, first), *l = place_fold(a, last);
	return arena_printf(a, "%s.%s@demo-candidats.clr.test", f, l);
}

int demo_candidates(db *d, arena *a, long long org_id)
{
	int rc = reference_load(d);
	if (rc < 0)
		return rc;
	char hash[PW_HASH_MAX];
	if (pw_hash("Candidat-2026", hash))
		return CLR_ESYS;
	struct actor who = {0, org_id, ""};
	struct demo_cert certs[sizeof people / sizeof *people];
	int ncerts = 0;
	for (size_t i = 0; i < sizeof people / sizeof *people; i++) {
		struct candidate_input in = {
			.civility = people[i].civ, .last_name = people[i].last, .first_name = people[i].first,
			.email = demo_email(a, people[i].first, people[i].last), .birth_date = people[i].born,
			.birth_postal_code = people[i].cp, .birth_city = people[i].city, .birth_country = people[i].country,
			.password_hash = hash, .send_credentials = "non", .employment = i % 3 ? "salarie" : "etudiant",
			.funding = i % 4 ? "cpf" : "employeur", .education = i % 2 ? "bac3" : "", .csp = i % 2 ? "5" : "",
		};
		int draft = str_eq(people[i].status, CAND_DRAFT);
		struct errs e = {0};
		if (draft)
			in.password_hash = NULL, in.employment = NULL, in.funding = NULL, in.send_credentials = NULL;
		rc = draft ? candidate_validate_identity(d, a, org_id, 0, &in, &e)
			   : candidate_validate_all(d, a, org_id, &in, &e);
		if (rc == CLR_EINVAL && errs_get(&e, "email") && e.n == 1)
			continue; /* already there */
		if (rc) {
			fprintf(stderr, "clr: demo candidate %s %s: %s\n", people[i].first, people[i].last,
				e.n ? e.e[0].msg : clr_strerror(rc));
			return rc < 0 ? rc : CLR_EINVAL;
		}
		long long id;
		rc = candidate_create(d, a, &who, &in, draft ? 1 : 7 | (in.education && *in.education ? 16 : 0),
				      draft ? CAND_DRAFT : CAND_TO_ASSIGN, &id);
		if (rc)
			return rc;
		if (!draft && !str_eq(people[i].status, CAND_TO_ASSIGN))
			certs[ncerts++] = (struct demo_cert){id, people[i].status, people[i].exam_days < 0 ? -people[i].exam_days
													: people[i].exam_days,
							     people[i].laposte};
	}
	return demo_certifications(d, a, org_id, certs, ncerts);
}
