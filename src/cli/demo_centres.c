/* demo_centres.c - the La Poste exam centres of `clr demo`: fourteen
 * centres in French cities (Paris to Fort-de-France, through Ajaccio for
 * the « 2A » département), one of them inactive, each with two or three
 * slots a week over the next eight weeks (10 to 30 seats), some half
 * booked, a few full and a few closed.  Runs inside demo's transaction
 * through the domain functions (slot_book() for the seats taken) and is
 * idempotent: a centre that already exists is left alone, and slots are
 * only added to a centre just created. */
#include "cli/cli.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/centre.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct {
	const char *name, *address, *postal_code, *city;
	int active;
	int days[3]; /* days after Monday (0 = Monday) of its weekly slots; -1 = none */
	const char *times[3];
} centres[] = {
	{"La Poste Paris Louvre", "52 rue du Louvre", "75001", "Paris", 1, {1, 3, 5}, {"09:00", "14:00", "09:30"}},
	{"La Poste Lyon Bellecour", "10 place Antonin-Poncet", "69002", "Lyon", 1, {1, 3, 5}, {"09:00", "14:00", "10:00"}},
	{"La Poste Marseille Colbert", "1 place de l'Hôtel-des-Postes", "13001", "Marseille", 1, {0, 2, 4},
	 {"09:00", "14:00", "09:00"}},
	{"La Poste Lille République", "8 place de la République", "59000", "Lille", 1, {1, 4, -1}, {"09:30", "14:00", ""}},
	{"La Poste Bordeaux Château-d'Eau", "29 rue du Château-d'Eau", "33000", "Bordeaux", 1, {2, 5, -1},
	 {"09:00", "09:30", ""}},
	{"La Poste Toulouse Capitole", "9 rue Lafayette", "31000", "Toulouse", 1, {1, 3, -1}, {"14:00", "09:00", ""}},
	{"La Poste Nantes Bretagne", "2 place de Bretagne", "44000", "Nantes", 1, {0, 3, -1}, {"09:00", "14:00", ""}},
	{"La Poste Strasbourg Cathédrale", "5 place de la Cathédrale", "67000", "Strasbourg", 1, {1, 4, -1},
	 {"09:00", "14:00", ""}},
	{"La Poste Rennes Colombier", "27 boulevard du Colombier", "35000", "Rennes", 1, {2, 5, -1}, {"14:00", "09:30", ""}},
	{"La Poste Montpellier Rondelet", "13 place Rondelet", "34000", "Montpellier", 1, {1, 3, -1},
	 {"09:00", "14:00", ""}},
	{"La Poste Nice Thiers", "23 avenue Thiers", "06000", "Nice", 1, {0, 2, 4}, {"09:00", "14:00", "09:00"}},
	{"La Poste Saint-Étienne Libération", "8 avenue de la Libération", "42000", "Saint-Étienne", 1, {2, 4, -1},
	 {"09:00", "14:00", ""}},
	{"La Poste Ajaccio Napoléon", "13 cours Napoléon", "20000", "Ajaccio", 1, {3, -1, -1}, {"09:00", "", ""}},
	{"La Poste Fort-de-France Liberté", "Rue de la Liberté", "97200", "Fort-de-France", 0, {2, -1, -1},
	 {"08:30", "", ""}},
};

#define WEEKS 8

/* "YYYY-MM-DD" of the Monday after today plus `days`. */
static void demo_date(int days, char out[11])
{
	time_t t = now_s();
	struct tm tm;
	localtime_r(&t, &tm);
	int to_monday = (8 - tm.tm_wday) % 7; /* tm_wday: 0 = Sunday */
	if (to_monday == 0)
		to_monday = 7;
	tm.tm_mday += to_monday + days;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	mktime(&tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int demo_centres(db *d, arena *a)
{
	struct actor who = {0, 0, ""};
	int n = (int)(sizeof centres / sizeof *centres);
	for (int i = 0; i < n; i++) {
		struct errs e = {0};
		struct centre_input in = {centres[i].name, centres[i].address, centres[i].postal_code, centres[i].city,
					  centres[i].active ? "1" : ""};
		long long cid;
		int rc = centre_create(d, a, &who, &in, &e, &cid);
		if (rc == CLR_EINVAL && errs_get(&e, "name") && e.n == 1)
			continue; /* already there */
		if (rc) {
			for (int k = 0; k < e.n; k++)
				fprintf(stderr, "clr: demo centre « %s »: %s: %s\n", centres[i].name, e.e[k].field, e.e[k].msg);
			return rc;
		}
		for (int w = 0; w < WEEKS; w++)
			for (int k = 0; k < 3 && centres[i].days[k] >= 0; k++) {
				char date[11];
				demo_date(7 * w + centres[i].days[k], date);
				int seats = 10 + (i * 7 + w * 3 + k * 5) % 21;
				long long sid;
				rc = slot_create(d, a, &who, cid, date, centres[i].times[k], db_int(a, seats), &e, &sid);
				if (rc)
					return rc;
				struct slot_info si;
				int booked = w == 0 ? seats / 2 : w == 1 ? seats / 4 : w == 2 && k == 0 ? 3 : 0;
				if (w == 1 && k == 0 && i % 6 == 0)
					booked = seats; /* full */
				if (booked && centres[i].active && (rc = slot_book(d, a, sid, booked, &si)) != 0)
					return rc;
				if (w == 3 && k == 1 && i % 5 == 1 && (rc = slot_set_closed(d, a, &who, cid, sid, 1)) != 0)
					return rc; /* closed (the centre's room is not available) */
			}
	}
	return 0;
}
