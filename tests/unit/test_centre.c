/* test_centre.c - La Poste slots under contention and the booking API's
 * answers: 200 slot_book() calls from 40 threads (one connection each)
 * compete for a slot of 10 seats, exactly 10 succeed and booked ends at 10;
 * then bookings of 1 to 3 seats at once on another slot never exceed its
 * seats; slot_book() inside a caller's transaction that rolls back leaves
 * nothing booked; closed, past, inactive-centre and full slots are
 * CLR_ECONFLICT with the current state filled in; slot_release() never goes
 * below 0.  Also the département derived from INSEE codes and the search by
 * city, postal code and département.  On a temporary SQLite file and, when
 * CLR_TEST_PG_URL is set, on PostgreSQL. */
#include "test.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/centre.h"
#include "domain/place.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 40
#define CALLS_PER_THREAD 5

struct race {
	const char *url;
	long long slot_id;
	int max_n;            /* each call books 1..max_n seats */
	int ok, conflict, other;
	long long seats_ok;   /* sum of the n of the successful calls */
	int max_seen;         /* largest `booked` reported by a successful call */
	pthread_mutex_t mu;
};

static void *racer(void *p)
{
	struct race *r = p;
	db *d = NULL;
	char err[256];
	if (db_open(r->url, &d, err, sizeof err) != 0) {
		pthread_mutex_lock(&r->mu);
		r->other += CALLS_PER_THREAD;
		pthread_mutex_unlock(&r->mu);
		return NULL;
	}
	arena *a = arena_new();
	unsigned seed = (unsigned)(uintptr_t)&d;
	for (int i = 0; i < CALLS_PER_THREAD; i++) {
		int n = 1 + (int)(rand_r(&seed) % (unsigned)r->max_n);
		struct slot_info si;
		int rc = slot_book(d, a, r->slot_id, n, &si);
		pthread_mutex_lock(&r->mu);
		if (rc == 0) {
			r->ok++;
			r->seats_ok += n;
			if (si.booked > r->max_seen)
				r->max_seen = si.booked;
			if (si.booked > si.seats)
				r->other++;
		} else if (rc == CLR_ECONFLICT) {
			r->conflict++;
			if (si.seats - si.booked >= n) /* a refusal shows why: fewer than n seats left */
				r->other++;
		} else {
			r->other++;
		}
		pthread_mutex_unlock(&r->mu);
		arena_reset(a);
	}
	arena_free(a);
	db_close(d);
	return NULL;
}

static int run_race(struct race *r)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, racer, r);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static long long booked_of(db *d, arena *a, long long slot_id)
{
	struct slot_info si;
	return slot_get(d, a, slot_id, &si) == 0 ? si.booked : -1;
}

static void centre_on(int *failed_, const char *url)
{
	db *d = test_db_open(failed_, url);
	if (!d)
		return;
	CHECK(reference_load(d) >= 0);
	arena *a = arena_new();
	struct actor who = {0, 0, "test"};
	char name[64];
	test_unique_name(name, "La Poste Test");
	struct errs e = {0};
	long long cid = 0;
	struct centre_input in = {name, "4 rue du Président Carnot", "69002", "lyon", "1"};
	CHECK_INT(centre_create(d, a, &who, &in, &e, &cid), 0);
	CHECK(cid > 0);
	struct centre c;
	CHECK_INT(centre_get(d, a, cid, &c), 0);
	CHECK_STR(c.city, "Lyon 2e Arrondissement");
	CHECK_STR(c.insee, "69382");
	CHECK_STR(c.department, "69");
	CHECK_STR(c.department_name, "Rhône");

	/* a wrong commune is refused with the residence's message, nothing stored */
	char other[64];
	test_unique_name(other, "La Poste Autre");
	struct centre_input bad = {other, "1 place Bellecour", "69002", "Marseille", "1"};
	struct errs e2 = {0};
	long long bid = 0;
	CHECK_INT(centre_create(d, a, &who, &bad, &e2, &bid), CLR_EINVAL);
	CHECK_STR(errs_get(&e2, "city"),
		  "Cette commune ne correspond pas au code postal 69002 (communes\xc2\xa0: Lyon 2e Arrondissement)." /* errs_add(): French typography */);

	char tomorrow[11], yesterday[11];
	{
		time_t t = now_s() + 86400;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(tomorrow, sizeof tomorrow, "%d/%m/%Y", &tm);
		t = now_s() - 86400;
		localtime_r(&t, &tm);
		strftime(yesterday, sizeof yesterday, "%Y-%m-%d", &tm);
	}
	long long s1 = 0, s2 = 0, s3 = 0;
	CHECK_INT(slot_create(d, a, &who, cid, tomorrow, "09:00", "10", &e, &s1), 0);
	CHECK_INT(slot_create(d, a, &who, cid, tomorrow, "14h", "25", &e, &s2), 0);
	CHECK_INT(slot_create(d, a, &who, cid, tomorrow, "16:30", "3", &e, &s3), 0);
	CHECK_INT(e.n, 0);

	/* 200 single-seat bookings for 10 seats */
	struct race r = {url, s1, 1, 0, 0, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER};
	run_race(&r);
	CHECK_INT(r.ok, 10);
	CHECK_INT(r.conflict, THREADS * CALLS_PER_THREAD - 10);
	CHECK_INT(r.other, 0);
	CHECK_INT(r.max_seen, 10);
	CHECK_INT(booked_of(d, a, s1), 10);

	/* 1 to 3 seats at a time for 25 seats */
	struct race r2 = {url, s2, 3, 0, 0, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER};
	run_race(&r2);
	CHECK_INT(r2.other, 0);
	CHECK(r2.ok >= 9); /* 25 seats take at least 9 calls of at most 3 */
	CHECK_INT(booked_of(d, a, s2), r2.seats_ok);
	CHECK(r2.seats_ok <= 25 && r2.seats_ok >= 23); /* a call of 1 always fits in the last 1-2 seats */

	/* a full slot: the refusal says what is left */
	struct slot_info si;
	CHECK_INT(slot_book(d, a, s1, 1, &si), CLR_ECONFLICT);
	CHECK_INT(si.seats, 10);
	CHECK_INT(si.booked, 10);
	CHECK_STR(si.centre_name, name);
	/* success fills the slot and its centre */
	CHECK_INT(slot_book(d, a, s3, 2, &si), 0);
	CHECK_INT(si.booked, 2);
	CHECK_STR(si.address, "4 rue du Président Carnot");
	CHECK_STR(si.postal_code, "69002");
	CHECK_STR(si.city, "Lyon 2e Arrondissement");
	CHECK_STR(si.time, "16:30");
	CHECK_INT(slot_book(d, a, s3, 2, &si), CLR_ECONFLICT); /* « il reste 1 place » */
	CHECK_INT(si.seats - si.booked, 1);

	/* inside the caller's transaction: a rollback gives the seat back */
	CHECK_INT(db_begin(d), 0);
	CHECK_INT(slot_book(d, a, s3, 1, &si), 0);
	CHECK_INT(si.booked, 3);
	CHECK_INT(db_rollback(d), 0);
	CHECK_INT(booked_of(d, a, s3), 2);
	/* a refusal inside a transaction leaves it usable (PostgreSQL) */
	CHECK_INT(db_begin(d), 0);
	CHECK_INT(slot_book(d, a, s1, 1, &si), CLR_ECONFLICT);
	CHECK_INT(slot_book(d, a, s3, 1, &si), 0);
	CHECK_INT(db_commit(d), 0);
	CHECK_INT(booked_of(d, a, s3), 3);

	/* closed, past, inactive centre, unknown, bad n */
	CHECK_INT(slot_release(d, a, s3, 1), 0);
	CHECK_INT(slot_set_closed(d, a, &who, cid, s3, 1), 0);
	CHECK_INT(slot_book(d, a, s3, 1, &si), CLR_ECONFLICT);
	CHECK_INT(si.closed, 1);
	CHECK_INT(si.booked, 2);
	CHECK_INT(slot_set_closed(d, a, &who, cid, s3, 0), 0);
	CHECK_INT(slot_book(d, a, s3, 1, &si), 0);
	db_rows rows;
	CHECK_INT(db_query(d, a, &rows,
			   "INSERT INTO laposte_slots (centre_id, date, time, seats, booked, closed, created_at, updated_at) "
			   "VALUES ($1, $2, '10:00', 5, 0, 0, 0, 0) RETURNING id",
			   DB_P(db_int(a, cid), yesterday)),
		  0);
	long long past = db_ll(&rows, 0, 0);
	CHECK_INT(slot_book(d, a, past, 1, &si), CLR_ECONFLICT);
	CHECK_INT(si.past, 1);
	CHECK_INT(slot_set_closed(d, a, &who, cid, past, 1), CLR_ECONFLICT);
	CHECK_INT(slot_book(d, a, 999999999, 1, &si), CLR_ENOTFOUND);
	CHECK_INT(slot_book(d, a, s2, 0, &si), CLR_EINVAL);
	CHECK_INT(slot_book(d, a, s2, 501, &si), CLR_EINVAL);
	struct centre_input off = in;
	off.active = "";
	CHECK_INT(centre_update(d, a, &who, cid, &off, &e), 0);
	CHECK_INT(slot_book(d, a, s2, 1, &si), CLR_ECONFLICT);
	CHECK_INT(si.centre_active, 0);
	CHECK_INT(centre_update(d, a, &who, cid, &in, &e), 0);

	/* release: never below 0; unknown slot */
	CHECK_INT(slot_release(d, a, s1, 4), 0);
	CHECK_INT(booked_of(d, a, s1), 6);
	CHECK_INT(slot_release(d, a, s1, 50), 0);
	CHECK_INT(booked_of(d, a, s1), 0);
	CHECK_INT(slot_release(d, a, 999999999, 1), CLR_ENOTFOUND);

	/* seats never below booked; the database refuses it too */
	CHECK_INT(slot_book(d, a, s1, 7, &si), 0);
	struct errs e3 = {0};
	CHECK_INT(slot_set_seats(d, a, &who, cid, s1, "6", &e3), CLR_EINVAL);
	CHECK_STR(errs_get(&e3, "seats"),
		  "7 places sont déjà réservées sur ce créneau\xc2\xa0: il ne peut pas compter moins de 7 places.");
	CHECK_INT(db_exec(d, "UPDATE laposte_slots SET booked = seats + 1 WHERE id = $1", DB_P(db_int(a, s1))),
		  CLR_ECONFLICT);

	/* search: city (folded, substring), postal code prefix, département
	 * number and name; every hit has its open slots, soonest first */
	int open2 = booked_of(d, a, s2) < 25; /* s1 has 3 free seats, s3 is full */
	const char *queries[] = {"LYON", "lyon 2e", "6900", "69", "rhône", name, NULL};
	for (int q = 0; queries[q]; q++) {
		struct centre *cs;
		int n = 0;
		CHECK_INT(centre_search(d, a, queries[q], &cs, &n), 0);
		int found = 0;
		for (int i = 0; i < n; i++)
			if (cs[i].id == cid) {
				found = 1;
				CHECK_INT(cs[i].nslots, 1 + open2);
				CHECK_INT(cs[i].open_slots, 1 + open2);
				CHECK_STR(cs[i].next_time, "09:00");
				CHECK(cs[i].nslots < 2 || strcmp(cs[i].slots[0].time, cs[i].slots[1].time) < 0);
			}
		if (!found)
			fprintf(stderr, "  query « %s » did not find the centre\n", queries[q]);
		CHECK(found);
	}
	struct centre *cs;
	int n = 0;
	CHECK_INT(centre_search(d, a, "13", &cs, &n), 0);
	for (int i = 0; i < n; i++)
		CHECK(cs[i].id != cid);
	/* a centre without open slots is found by its city, not by an empty
	 * search; an empty search lists centres with free slots, soonest first */
	char empty_name[64];
	test_unique_name(empty_name, "La Poste Vide");
	struct centre_input in2 = {empty_name, "1 rue de la Gare", "13001", "Marseille", "1"};
	long long cid2 = 0;
	CHECK_INT(centre_create(d, a, &who, &in2, &e, &cid2), 0);
	CHECK_INT(centre_search(d, a, empty_name, &cs, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT(cs[0].nslots, 0);
	CHECK(cs[0].next_date == NULL);
	CHECK_STR(cs[0].department, "13");
	for (int pass = 0; pass < 2; pass++) {
		CHECK_INT(centre_search(d, a, pass ? " ! " : "", &cs, &n), 0);
		CHECK(n > 0 && n <= CENTRE_SEARCH_MAX);
		for (int i = 0; i < n; i++) {
			CHECK(cs[i].id != cid2);
			CHECK(cs[i].nslots > 0 && cs[i].open_slots >= cs[i].nslots && cs[i].next_date);
			if (i && cs[i].next_date && cs[i - 1].next_date) {
				int cmp = strcmp(cs[i - 1].next_date, cs[i].next_date);
				CHECK(cmp < 0 || (cmp == 0 && strcmp(cs[i - 1].next_time, cs[i].next_time) <= 0));
			}
		}
	}
	CHECK_INT(centre_search(d, a, "haute", &cs, &n), 0); /* nine départements: no overflow */
	arena_free(a);
	db_close(d);
}

TEST(centre_slots_sqlite)
{
	test_on_sqlite("centre", centre_on, failed_);
}

TEST(centre_slots_pg)
{
	test_on_pg(centre_on, failed_);
}

TEST(centre_departments)
{
	arena *a = arena_new();
	CHECK_STR(department_of_insee(a, "75056"), "75");
	CHECK_STR(department_of_insee(a, "2A004"), "2A");
	CHECK_STR(department_of_insee(a, "2B033"), "2B");
	CHECK_STR(department_of_insee(a, "97209"), "972");
	CHECK_STR(department_of_insee(a, "97611"), "976");
	CHECK_STR(department_of_insee(a, "1"), "");
	CHECK_STR(department_name("2A"), "Corse-du-Sud");
	CHECK_STR(department_name("974"), "La Réunion");
	CHECK(department_name("99") == NULL);
	arena_free(a);
}
