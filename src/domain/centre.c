/* centre.c - La Poste exam centres and their slots (see centre.h): the
 * validation of centres (name, address, postal code + commune through
 * place_check(), département derived from the INSEE code) and of slots
 * (date, time, seats), their storage with audit rows, the back office's
 * list and the administrators' search (one statement for the centres with
 * their open-slot figures, one for their first open slots), the booking
 * counter (one conditional UPDATE each way) and the all-or-nothing CSV
 * import of a season's slots.
 *
 * Dates are compared as ISO text ('YYYY-MM-DD' sorts as it reads), "today"
 * is date_today_iso() (Europe/Paris).  The columns `date` and `time` are
 * always written qualified (o.date, s.time): both are type names in SQL.
 */
#include "domain/centre.h"
#include "domain/place.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ départements */

static const struct {
	const char *code, *name;
} departments[] = {
	{"01", "Ain"}, {"02", "Aisne"}, {"03", "Allier"}, {"04", "Alpes-de-Haute-Provence"}, {"05", "Hautes-Alpes"},
	{"06", "Alpes-Maritimes"}, {"07", "Ardèche"}, {"08", "Ardennes"}, {"09", "Ariège"}, {"10", "Aube"},
	{"11", "Aude"}, {"12", "Aveyron"}, {"13", "Bouches-du-Rhône"}, {"14", "Calvados"}, {"15", "Cantal"},
	{"16", "Charente"}, {"17", "Charente-Maritime"}, {"18", "Cher"}, {"19", "Corrèze"}, {"2A", "Corse-du-Sud"},
	{"2B", "Haute-Corse"}, {"21", "Côte-d'Or"}, {"22", "Côtes-d'Armor"}, {"23", "Creuse"}, {"24", "Dordogne"},
	{"25", "Doubs"}, {"26", "Drôme"}, {"27", "Eure"}, {"28", "Eure-et-Loir"}, {"29", "Finistère"},
	{"30", "Gard"}, {"31", "Haute-Garonne"}, {"32", "Gers"}, {"33", "Gironde"}, {"34", "Hérault"},
	{"35", "Ille-et-Vilaine"}, {"36", "Indre"}, {"37", "Indre-et-Loire"}, {"38", "Isère"}, {"39", "Jura"},
	{"40", "Landes"}, {"41", "Loir-et-Cher"}, {"42", "Loire"}, {"43", "Haute-Loire"}, {"44", "Loire-Atlantique"},
	{"45", "Loiret"}, {"46", "Lot"}, {"47", "Lot-et-Garonne"}, {"48", "Lozère"}, {"49", "Maine-et-Loire"},
	{"50", "Manche"}, {"51", "Marne"}, {"52", "Haute-Marne"}, {"53", "Mayenne"}, {"54", "Meurthe-et-Moselle"},
	{"55", "Meuse"}, {"56", "Morbihan"}, {"57", "Moselle"}, {"58", "Nièvre"}, {"59", "Nord"},
	{"60", "Oise"}, {"61", "Orne"}, {"62", "Pas-de-Calais"}, {"63", "Puy-de-Dôme"}, {"64", "Pyrénées-Atlantiques"},
	{"65", "Hautes-Pyrénées"}, {"66", "Pyrénées-Orientales"}, {"67", "Bas-Rhin"}, {"68", "Haut-Rhin"}, {"69", "Rhône"},
	{"70", "Haute-Saône"}, {"71", "Saône-et-Loire"}, {"72", "Sarthe"}, {"73", "Savoie"}, {"74", "Haute-Savoie"},
	{"75", "Paris"}, {"76", "Seine-Maritime"}, {"77", "Seine-et-Marne"}, {"78", "Yvelines"}, {"79", "Deux-Sèvres"},
	{"80", "Somme"}, {"81", "Tarn"}, {"82", "Tarn-et-Garonne"}, {"83", "Var"}, {"84", "Vaucluse"},
	{"85", "Vendée"}, {"86", "Vienne"}, {"87", "Haute-Vienne"}, {"88", "Vosges"}, {"89", "Yonne"},
	{"90", "Territoire de Belfort"}, {"91", "Essonne"}, {"92", "Hauts-de-Seine"}, {"93", "Seine-Saint-Denis"},
	{"94", "Val-de-Marne"}, {"95", "Val-d'Oise"}, {"971", "Guadeloupe"}, {"972", "Martinique"}, {"973", "Guyane"},
	{"974", "La Réunion"}, {"975", "Saint-Pierre-et-Miquelon"}, {"976", "Mayotte"},
};
#define NDEPARTMENTS ((int)(sizeof departments / sizeof *departments))
#define DEPT_MATCH_MAX 12 /* départements a name query may match (« haute » matches nine) */

const char *department_of_insee(arena *a, const char *insee)
{
	if (!insee || strlen(insee) < 2)
		return "";
	size_t n = (insee[0] == '9' && (insee[1] == '7' || insee[1] == '8') && strlen(insee) >= 3) ? 3 : 2;
	return arena_strndup(a, insee, n);
}

const char *department_name(const char *code)
{
	for (int i = 0; code && i < NDEPARTMENTS; i++)
		if (strcmp(departments[i].code, code) == 0)
			return departments[i].name;
	return NULL;
}

/* ------------------------------------------------------------ helpers */

static const char *s0(const char *s)
{
	return s ? s : "";
}

/* ISO date `iso` plus `days` (may be negative) into out. */
static void iso_add_days(const char *iso, int days, char out[11])
{
	int y = 2000, m = 1, d = 1;
	date_parse(iso, &y, &m, &d);
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + days;
	tm.tm_hour = 12;
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	unsigned y4 = (unsigned)(tm.tm_year + 1900) % 10000u, m2 = (unsigned)(tm.tm_mon + 1) % 100u,
		 d2 = (unsigned)tm.tm_mday % 100u;
	snprintf(out, 11, "%04u-%02u-%02u", y4, m2, d2);
}

/* Seats as typed: 1..SLOT_SEATS_MAX, else -1 (0 for empty). */
static int parse_seats(const char *s)
{
	if (!s || !*s)
		return 0;
	size_t n = strlen(s);
	if (n > 3 || strspn(s, "0123456789") != n)
		return -1;
	int v = atoi(s);
	return v >= 1 && v <= SLOT_SEATS_MAX ? v : -1;
}

static const char *seats_msg(void)
{
	return "Le nombre de places doit être un nombre entier de 1 à 500.";
}

/* Validates a slot's date, time and seats as typed (fields "date", "time",
 * "seats"); on success date (ISO), hhmm and *seats hold the clean values. */
static void check_slot(arena *a, const char *today, const char *date_in, const char *time_in, const char *seats_in,
		       char date[11], char hhmm[6], int *seats, struct errs *e)
{
	const char *ds = str_clean(a, date_in), *ts = str_clean(a, time_in), *ss = str_clean(a, seats_in);
	date[0] = hhmm[0] = 0;
	*seats = 0;
	if (!ds || !*ds) {
		errs_add(e, "date", ds ? "Veuillez indiquer la date." : "Caractères invalides.");
	} else if (!date_to_iso(ds, date)) {
		errs_add(e, "date", "Date invalide : utilisez le format jj/mm/aaaa.");
	} else {
		char max[11];
		iso_add_days(today, SLOT_DAYS_AHEAD, max);
		if (strcmp(date, today) < 0)
			errs_add(e, "date", "Cette date est passée : un créneau se crée pour aujourd'hui ou une date à venir.");
		else if (strcmp(date, max) > 0)
			errs_add(e, "date", "Cette date est à plus de deux ans : vérifiez l'année.");
	}
	if (!ts || !*ts)
		errs_add(e, "time", ts ? "Veuillez indiquer l'heure." : "Caractères invalides.");
	else if (time_parse(ts, hhmm) < 0)
		errs_add(e, "time", "Heure invalide : utilisez le format HH:MM (par exemple 09:30).");
	if (!ss || !*ss)
		errs_add(e, "seats", ss ? "Veuillez indiquer le nombre de places." : "Caractères invalides.");
	else if ((*seats = parse_seats(ss)) <= 0)
		errs_add(e, "seats", seats_msg());
}

/* ------------------------------------------------------------ centres: validation and storage */

struct centre_row {
	const char *name, *name_folded, *address, *postal_code, *city, *city_key, *insee, *department;
	int active;
};

static int validate_centre(db *d, arena *a, long long self, const struct centre_input *in, struct centre_row *o,
			   struct errs *e)
{
	int dberr = 0;
	memset(o, 0, sizeof *o);
	const char *name = str_clean(a, in->name), *addr = str_clean(a, in->address), *cp = str_clean(a, in->postal_code),
		   *city = str_clean(a, in->city);
	o->name_folded = "";
	if (!name) {
		errs_add(e, "name", "Caractères invalides.");
	} else if (!*name || !*(o->name_folded = text_fold(a, name))) {
		errs_add(e, "name", "Veuillez indiquer le nom du centre.");
	} else if (utf8_len(name) > CENTRE_NAME_MAX) {
		errs_add(e, "name", "Le nom du centre ne peut dépasser 120 caractères.");
	} else {
		db_rows r;
		int rc = db_query(d, a, &r,
				  "SELECT id FROM laposte_centres WHERE (name = $1 OR name_folded = $2) AND id <> $3",
				  DB_P(name, o->name_folded, db_int(a, self)));
		if (rc < 0)
			return rc;
		if (r.nrows)
			errs_add(e, "name", "Un centre porte déjà ce nom.");
	}
	if (!addr)
		errs_add(e, "address", "Caractères invalides.");
	else if (!*addr)
		errs_add(e, "address", "Veuillez indiquer l'adresse du centre.");
	else if (utf8_len(addr) > CENTRE_ADDRESS_MAX)
		errs_add(e, "address", "L'adresse ne peut dépasser 200 caractères.");
	if (!cp)
		errs_add(e, "postal_code", "Caractères invalides."), cp = "";
	if (!city)
		errs_add(e, "city", "Caractères invalides."), city = "";
	const char *insee = "";
	place_check(d, a, "postal_code", "city", &cp, &city, &insee, 1, e, &dberr);
	if (dberr)
		return dberr;
	o->name = name ? name : "";
	o->address = addr ? addr : "";
	o->postal_code = cp;
	o->city = city;
	o->city_key = place_fold(a, city);
	o->insee = insee;
	o->department = department_of_insee(a, insee);
	o->active = str_eq(in->active, "1");
	return e->n ? CLR_EINVAL : 0;
}

struct centre_ctx {
	arena *a;
	const struct actor *who;
	long long id;
	const struct centre_input *in;
	struct errs *e;
};

static int centre_create_tx(db *d, void *vctx)
{
	struct centre_ctx *c = vctx;
	arena *a = c->a;
	struct centre_row o;
	int rc = validate_centre(d, a, 0, c->in, &o, c->e);
	if (rc)
		return rc;
	const char *now = db_int(a, now_s());
	db_rows r;
	rc = db_query(d, a, &r,
		      "INSERT INTO laposte_centres (name, name_folded, address, postal_code, city, city_key, insee, "
		      "department, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) "
		      "RETURNING id",
		      DB_P(o.name, o.name_folded, o.address, o.postal_code, o.city, o.city_key, o.insee, o.department,
			   o.active ? "1" : "0", now));
	if (rc < 0)
		return rc;
	c->id = db_ll(&r, 0, 0);
	rc = audit_log(d, a, c->who, "centre.create", "laposte_centre", c->id,
		       arena_printf(a, "%s, %s %s (%s)%s", o.name, o.postal_code, o.city, o.department,
				    o.active ? "" : ", inactif"));
	return rc < 0 ? rc : 0;
}

int centre_create(db *d, arena *a, const struct actor *who, const struct centre_input *in, struct errs *e,
		  long long *id_out)
{
	struct centre_ctx c = {a, who, 0, in, e};
	int rc = db_tx(d, centre_create_tx, &c);
	if (rc == CLR_ECONFLICT) { /* created meanwhile under the same name */
		errs_add(e, "name", "Un centre porte déjà ce nom.");
		return CLR_EINVAL;
	}
	if (rc == 0 && id_out)
		*id_out = c.id;
	return rc;
}

static int centre_update_tx(db *d, void *vctx)
{
	struct centre_ctx *c = vctx;
	arena *a = c->a;
	struct centre old;
	int rc = centre_get(d, a, c->id, &old);
	if (rc)
		return rc;
	struct centre_row o;
	rc = validate_centre(d, a, c->id, c->in, &o, c->e);
	if (rc)
		return rc;
	rc = db_exec(d,
		     "UPDATE laposte_centres SET name = $2, name_folded = $3, address = $4, postal_code = $5, city = $6, "
		     "city_key = $7, insee = $8, department = $9, active = $10, updated_at = $11 WHERE id = $1",
		     DB_P(db_int(a, c->id), o.name, o.name_folded, o.address, o.postal_code, o.city, o.city_key, o.insee,
			  o.department, o.active ? "1" : "0", db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (rc == 0)
		return CLR_ENOTFOUND;
	rc = audit_log(d, a, c->who, "centre.update", "laposte_centre", c->id,
		       arena_printf(a, "%s, %s, %s %s%s -> %s, %s, %s %s%s", old.name, old.address, old.postal_code,
				    old.city, old.active ? "" : " (inactif)", o.name, o.address, o.postal_code, o.city,
				    o.active ? "" : " (inactif)"));
	return rc < 0 ? rc : 0;
}

int centre_update(db *d, arena *a, const struct actor *who, long long id, const struct centre_input *in,
		  struct errs *e)
{
	if (id <= 0)
		return CLR_ENOTFOUND;
	struct centre_ctx c = {a, who, id, in, e};
	int rc = db_tx(d, centre_update_tx, &c);
	if (rc == CLR_ECONFLICT) {
		errs_add(e, "name", "Un centre porte déjà ce nom.");
		return CLR_EINVAL;
	}
	return rc;
}

/* ------------------------------------------------------------ centres: reading */

/* $1 is today.  s.first: "YYYY-MM-DD HH:MM" of the soonest open slot. */
#define CENTRE_SELECT                                                                                         \
	"SELECT c.id, c.name, c.address, c.postal_code, c.city, c.insee, c.department, c.active, c.created_at, " \
	"c.updated_at, COALESCE(s.nfuture, 0), COALESCE(s.nopen, 0), COALESCE(s.free, 0), s.first "           \
	"FROM laposte_centres c LEFT JOIN (SELECT o.centre_id, COUNT(*) AS nfuture, "                          \
	"SUM(CASE WHEN o.closed = 0 AND o.booked < o.seats THEN 1 ELSE 0 END) AS nopen, "                      \
	"SUM(CASE WHEN o.closed = 0 THEN o.seats - o.booked ELSE 0 END) AS free, "                             \
	"MIN(CASE WHEN o.closed = 0 AND o.booked < o.seats THEN o.date || ' ' || o.time END) AS first "       \
	"FROM laposte_slots o WHERE o.date >= $1 GROUP BY o.centre_id) s ON s.centre_id = c.id"

static void centre_fill(arena *a, const db_rows *r, int i, struct centre *c)
{
	memset(c, 0, sizeof *c);
	c->id = db_ll(r, i, 0);
	c->name = s0(db_cell(r, i, 1));
	c->address = s0(db_cell(r, i, 2));
	c->postal_code = s0(db_cell(r, i, 3));
	c->city = s0(db_cell(r, i, 4));
	c->insee = s0(db_cell(r, i, 5));
	c->department = s0(db_cell(r, i, 6));
	c->department_name = s0(department_name(c->department));
	c->active = db_ll(r, i, 7) != 0;
	c->created_at = db_ll(r, i, 8);
	c->updated_at = db_ll(r, i, 9);
	c->future_slots = (int)db_ll(r, i, 10);
	/* an inactive centre has no open slot, whatever its slots' states */
	c->open_slots = c->active ? (int)db_ll(r, i, 11) : 0;
	c->free_seats = db_ll(r, i, 12);
	const char *first = c->active ? db_cell(r, i, 13) : NULL;
	if (first && strlen(first) == 16) {
		c->next_date = arena_strndup(a, first, 10);
		c->next_time = arena_strdup(a, first + 11);
	}
}

int centre_get(db *d, arena *a, long long id, struct centre *out)
{
	memset(out, 0, sizeof *out);
	if (id <= 0)
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r, CENTRE_SELECT " WHERE c.id = $2", DB_P(date_today_iso(a), db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	centre_fill(a, &r, 0, out);
	return 0;
}

static int all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* Appends " AND (...)" matching q (see centre_search()) to sql, its
 * parameters after params[0..*np).  Returns 0 when q is empty (nothing
 * appended). */
static int q_filter(arena *a, const char *q, buf *sql, const char **params, int *np)
{
	const char *t = str_clean(a, q);
	if (!t || !*t)
		return 0;
	if (utf8_len(t) > 100) { /* no commune, postal code or name is that long */
		buf_adds(sql, " AND 1 = 0");
		return 1;
	}
	size_t n = strlen(t);
	if (all_digits(t) && n <= 5) {
		params[(*np)++] = arena_printf(a, "%s%%", t);
		params[(*np)++] = t;
		buf_printf(sql, " AND (c.postal_code LIKE $%d OR c.department = $%d)", *np - 1, *np);
		return 1;
	}
	if (n == 2 && t[0] == '2' && (t[1] == 'A' || t[1] == 'a' || t[1] == 'B' || t[1] == 'b')) {
		params[(*np)++] = arena_printf(a, "2%c", t[1] == 'a' || t[1] == 'A' ? 'A' : 'B');
		buf_printf(sql, " AND c.department = $%d", *np);
		return 1;
	}
	const char *key = place_fold(a, t), *folded = text_fold(a, t);
	if (!*key)
		return 0; /* punctuation only: no filter */
	params[(*np)++] = like_contains(a, key);
	params[(*np)++] = like_contains(a, folded);
	buf_printf(sql, " AND (c.city_key LIKE $%d ESCAPE '\\' OR c.name_folded LIKE $%d ESCAPE '\\'", *np - 1, *np);
	int k = 0;
	size_t kl = strlen(key);
	for (int i = 0; i < NDEPARTMENTS && k < DEPT_MATCH_MAX && kl >= 3; i++) {
		const char *dk = place_fold(a, departments[i].name);
		if (strncmp(dk, key, kl) == 0) {
			params[(*np)++] = departments[i].code;
			buf_printf(sql, "%s$%d", k++ ? ", " : " OR c.department IN (", *np);
		}
	}
	buf_adds(sql, k ? "))" : ")");
	return 1;
}

/* Runs CENTRE_SELECT with q's filter; where0: the fixed conditions,
 * if_no_filter: more of them when q filters nothing (empty). */
static int centre_query(db *d, arena *a, const char *q, const char *where0, const char *if_no_filter,
			const char *order, struct centre **out, int *n)
{
	*out = NULL;
	*n = 0;
	const char *params[4 + DEPT_MATCH_MAX];
	int np = 0;
	params[np++] = date_today_iso(a);
	buf sql = BUF_INIT;
	buf_adds(&sql, CENTRE_SELECT " WHERE ");
	buf_adds(&sql, where0);
	if (!q_filter(a, q, &sql, params, &np))
		buf_adds(&sql, if_no_filter);
	buf_adds(&sql, order);
	db_rows r;
	int rc = db_query(d, a, &r, sql.data, np, params);
	buf_free(&sql);
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		centre_fill(a, &r, i, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

int centre_list(db *d, arena *a, const char *q, struct centre **out, int *n)
{
	return centre_query(d, a, q, "1 = 1", "", " ORDER BY c.name_folded, c.id LIMIT 2000", out, n);
}

static void slot_fill(const db_rows *r, int i, const char *today, struct slot *s)
{
	s->id = db_ll(r, i, 0);
	s->centre_id = db_ll(r, i, 1);
	s->date = s0(db_cell(r, i, 2));
	s->time = s0(db_cell(r, i, 3));
	s->seats = (int)db_ll(r, i, 4);
	s->booked = (int)db_ll(r, i, 5);
	s->closed = db_ll(r, i, 6) != 0;
	s->created_at = db_ll(r, i, 7);
	s->updated_at = db_ll(r, i, 8);
	s->past = strcmp(s->date, today) < 0;
}

#define SLOT_COLS "s.id, s.centre_id, s.date, s.time, s.seats, s.booked, s.closed, s.created_at, s.updated_at"

int centre_search(db *d, arena *a, const char *q, struct centre **out, int *n)
{
	int rc = centre_query(d, a, q, "c.active = 1", " AND s.nopen > 0",
			      " ORDER BY CASE WHEN s.first IS NULL THEN 1 ELSE 0 END, s.first, c.name_folded, c.id "
			      "LIMIT 20",
			      out, n);
	if (rc || !*n)
		return rc;
	_Static_assert(CENTRE_SEARCH_MAX == 20, "the LIMIT above and the placeholders below");
	/* their first open slots: one statement, a constant text (unused
	 * placeholders are NULL and match nothing) */
	const char *params[2 + CENTRE_SEARCH_MAX + 1];
	const char *today = date_today_iso(a);
	params[0] = today;
	for (int i = 0; i < CENTRE_SEARCH_MAX; i++)
		params[1 + i] = i < *n ? db_int(a, (*out)[i].id) : NULL;
	params[1 + CENTRE_SEARCH_MAX] = db_int(a, CENTRE_SEARCH_SLOTS);
	buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT x.id, x.centre_id, x.date, x.time, x.seats, x.booked, x.closed, x.created_at, x.updated_at "
		       "FROM (SELECT " SLOT_COLS ", ROW_NUMBER() OVER (PARTITION BY s.centre_id ORDER BY s.date, s.time) "
		       "AS rn FROM laposte_slots s WHERE s.centre_id IN (");
	for (int i = 0; i < CENTRE_SEARCH_MAX; i++)
		buf_printf(&sql, "%sCAST($%d AS BIGINT)", i ? ", " : "", 2 + i);
	buf_printf(&sql, ") AND s.date >= $1 AND s.closed = 0 AND s.booked < s.seats) x WHERE x.rn <= CAST($%d AS "
			 "BIGINT) ORDER BY x.centre_id, x.date, x.time",
		   2 + CENTRE_SEARCH_MAX);
	db_rows r;
	rc = db_query(d, a, &r, sql.data, 2 + CENTRE_SEARCH_MAX, params);
	buf_free(&sql);
	if (rc < 0)
		return rc;
	for (int i = 0; i < *n; i++) {
		struct centre *c = &(*out)[i];
		c->slots = arena_alloc(a, sizeof *c->slots * CENTRE_SEARCH_SLOTS);
	}
	for (int k = 0; k < r.nrows; k++) {
		long long cid = db_ll(&r, k, 1);
		for (int i = 0; i < *n; i++) {
			struct centre *c = &(*out)[i];
			if (c->id == cid && c->nslots < CENTRE_SEARCH_SLOTS)
				slot_fill(&r, k, today, &c->slots[c->nslots++]);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ slots (staff) */

const char *slot_state_label(const struct slot *s)
{
	if (s->past)
		return "Passé";
	if (s->closed)
		return "Fermé";
	if (s->booked >= s->seats)
		return "Complet";
	return "Ouvert";
}

int slot_list(db *d, arena *a, long long centre_id, struct slot **out, int *n)
{
	*out = NULL;
	*n = 0;
	const char *today = date_today_iso(a);
	char from[11];
	iso_add_days(today, -SLOT_PAST_DAYS_SHOWN, from);
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT " SLOT_COLS " FROM laposte_slots s WHERE s.centre_id = $1 AND s.date >= $2 "
			  "ORDER BY s.date, s.time",
			  DB_P(db_int(a, centre_id), arena_strdup(a, from)));
	if (rc < 0)
		return rc;
	*out = arena_alloc(a, sizeof **out * (size_t)(r.nrows + 1));
	for (int i = 0; i < r.nrows; i++)
		slot_fill(&r, i, today, &(*out)[i]);
	*n = r.nrows;
	return 0;
}

struct slot_ctx {
	arena *a;
	const struct actor *who;
	long long centre_id, slot_id;
	const char *date, *time, *seats;
	int closed;
	struct errs *e;
};

static int centre_exists(db *d, arena *a, long long id, const char **name)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT name FROM laposte_centres WHERE id = $1", DB_P(db_int(a, id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	if (name)
		*name = s0(db_cell(&r, 0, 0));
	return 0;
}

static int slot_create_tx(db *d, void *vctx)
{
	struct slot_ctx *c = vctx;
	arena *a = c->a;
	const char *cname;
	int rc = centre_exists(d, a, c->centre_id, &cname);
	if (rc)
		return rc;
	char date[11], hhmm[6];
	int seats;
	check_slot(a, date_today_iso(a), c->date, c->time, c->seats, date, hhmm, &seats, c->e);
	if (c->e->n)
		return CLR_EINVAL;
	const char *now = db_int(a, now_s());
	db_rows r;
	rc = db_query(d, a, &r,
		      "INSERT INTO laposte_slots (centre_id, date, time, seats, booked, closed, created_at, updated_at) "
		      "VALUES ($1, $2, $3, $4, 0, 0, $5, $5) ON CONFLICT (centre_id, date, time) DO NOTHING RETURNING id",
		      DB_P(db_int(a, c->centre_id), arena_strdup(a, date), arena_strdup(a, hhmm), db_int(a, seats), now));
	if (rc < 0)
		return rc;
	if (!r.nrows) {
		errs_add(c->e, "date",
			 arena_printf(a, "Ce centre a déjà un créneau le %s à %s.", date_iso_fr(a, date), hhmm));
		return CLR_EINVAL;
	}
	c->slot_id = db_ll(&r, 0, 0);
	rc = audit_log(d, a, c->who, "slot.create", "laposte_slot", c->slot_id,
		       arena_printf(a, "%s : %s à %s, %d places", cname, date_iso_fr(a, date), hhmm, seats));
	return rc < 0 ? rc : 0;
}

int slot_create(db *d, arena *a, const struct actor *who, long long centre_id, const char *date, const char *time,
		const char *seats, struct errs *e, long long *id_out)
{
	if (centre_id <= 0)
		return CLR_ENOTFOUND;
	struct slot_ctx c = {a, who, centre_id, 0, date, time, seats, 0, e};
	int rc = db_tx(d, slot_create_tx, &c);
	if (rc == 0 && id_out)
		*id_out = c.slot_id;
	return rc;
}

/* Slot slot_id if it is centre_id's: CLR_ENOTFOUND otherwise. */
static int own_slot(db *d, arena *a, long long centre_id, long long slot_id, struct slot *s)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT " SLOT_COLS " FROM laposte_slots s WHERE s.id = $1 AND s.centre_id = $2",
			  DB_P(db_int(a, slot_id), db_int(a, centre_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	slot_fill(&r, 0, date_today_iso(a), s);
	return 0;
}

static const char *booked_msg(arena *a, int booked)
{
	return booked == 1 ? "1 place est déjà réservée sur ce créneau : il ne peut pas compter moins d'une place."
			   : arena_printf(a, "%d places sont déjà réservées sur ce créneau : il ne peut pas compter "
					     "moins de %d places.",
					  booked, booked);
}

static int slot_seats_tx(db *d, void *vctx)
{
	struct slot_ctx *c = vctx;
	arena *a = c->a;
	struct slot s;
	int rc = own_slot(d, a, c->centre_id, c->slot_id, &s);
	if (rc)
		return rc;
	const char *t = str_clean(a, c->seats);
	int seats = t ? parse_seats(t) : -1;
	if (s.past) {
		errs_add(c->e, "seats", "Ce créneau est passé : il ne peut plus être modifié.");
		return CLR_EINVAL;
	}
	if (!t || !*t) {
		errs_add(c->e, "seats", "Veuillez indiquer le nombre de places.");
		return CLR_EINVAL;
	}
	if (seats <= 0) {
		errs_add(c->e, "seats", seats_msg());
		return CLR_EINVAL;
	}
	/* conditional: a booking made since the read above is counted */
	db_rows r;
	rc = db_query(d, a, &r,
		      "UPDATE laposte_slots SET seats = CAST($3 AS INTEGER), updated_at = $4 "
		      "WHERE id = $1 AND centre_id = $2 AND booked <= CAST($3 AS INTEGER) RETURNING booked",
		      DB_P(db_int(a, c->slot_id), db_int(a, c->centre_id), db_int(a, seats), db_int(a, now_s())));
	if (rc < 0)
		return rc;
	if (!r.nrows) {
		if ((rc = own_slot(d, a, c->centre_id, c->slot_id, &s)) != 0)
			return rc;
		errs_add(c->e, "seats", booked_msg(a, s.booked));
		return CLR_EINVAL;
	}
	if (seats == s.seats)
		return 0;
	rc = audit_log(d, a, c->who, "slot.seats", "laposte_slot", c->slot_id,
		       arena_printf(a, "%s à %s : %d -> %d places (%lld réservées)", date_iso_fr(a, s.date), s.time,
				    s.seats, seats, db_ll(&r, 0, 0)));
	return rc < 0 ? rc : 0;
}

int slot_set_seats(db *d, arena *a, const struct actor *who, long long centre_id, long long slot_id,
		   const char *seats, struct errs *e)
{
	if (centre_id <= 0 || slot_id <= 0)
		return CLR_ENOTFOUND;
	struct slot_ctx c = {a, who, centre_id, slot_id, NULL, NULL, seats, 0, e};
	return db_tx(d, slot_seats_tx, &c);
}

static int slot_closed_tx(db *d, void *vctx)
{
	struct slot_ctx *c = vctx;
	arena *a = c->a;
	struct slot s;
	int rc = own_slot(d, a, c->centre_id, c->slot_id, &s);
	if (rc)
		return rc;
	if (s.past)
		return CLR_ECONFLICT;
	if (s.closed == c->closed)
		return 0;
	rc = db_exec(d, "UPDATE laposte_slots SET closed = $3, updated_at = $4 WHERE id = $1 AND centre_id = $2",
		     DB_P(db_int(a, c->slot_id), db_int(a, c->centre_id), c->closed ? "1" : "0", db_int(a, now_s())));
	if (rc < 0)
		return rc;
	rc = audit_log(d, a, c->who, c->closed ? "slot.close" : "slot.reopen", "laposte_slot", c->slot_id,
		       arena_printf(a, "%s à %s (%d/%d places réservées)", date_iso_fr(a, s.date), s.time, s.booked,
				    s.seats));
	return rc < 0 ? rc : 0;
}

int slot_set_closed(db *d, arena *a, const struct actor *who, long long centre_id, long long slot_id, int closed)
{
	if (centre_id <= 0 || slot_id <= 0)
		return CLR_ENOTFOUND;
	struct slot_ctx c = {a, who, centre_id, slot_id, NULL, NULL, NULL, closed != 0, NULL};
	return db_tx(d, slot_closed_tx, &c);
}

/* ------------------------------------------------------------ one slot; booking */

int slot_get(db *d, arena *a, long long slot_id, struct slot_info *out)
{
	memset(out, 0, sizeof *out);
	if (slot_id <= 0)
		return CLR_ENOTFOUND;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "SELECT s.id, s.centre_id, c.name, c.address, c.postal_code, c.city, c.department, s.date, "
			  "s.time, s.seats, s.booked, s.closed, c.active FROM laposte_slots s "
			  "JOIN laposte_centres c ON c.id = s.centre_id WHERE s.id = $1",
			  DB_P(db_int(a, slot_id)));
	if (rc < 0)
		return rc;
	if (!r.nrows)
		return CLR_ENOTFOUND;
	out->slot_id = db_ll(&r, 0, 0);
	out->centre_id = db_ll(&r, 0, 1);
	out->centre_name = s0(db_cell(&r, 0, 2));
	out->address = s0(db_cell(&r, 0, 3));
	out->postal_code = s0(db_cell(&r, 0, 4));
	out->city = s0(db_cell(&r, 0, 5));
	out->department = s0(db_cell(&r, 0, 6));
	out->date = s0(db_cell(&r, 0, 7));
	out->time = s0(db_cell(&r, 0, 8));
	out->seats = (int)db_ll(&r, 0, 9);
	out->booked = (int)db_ll(&r, 0, 10);
	out->closed = db_ll(&r, 0, 11) != 0;
	out->centre_active = db_ll(&r, 0, 12) != 0;
	out->past = strcmp(out->date, date_today_iso(a)) < 0;
	return 0;
}

struct book_ctx {
	arena *a;
	long long slot_id;
	int n;
	struct slot_info *out;
};

static int book_tx(db *d, void *vctx)
{
	struct book_ctx *c = vctx;
	arena *a = c->a;
	db_rows r;
	int rc = db_query(d, a, &r,
			  "UPDATE laposte_slots SET booked = booked + CAST($2 AS INTEGER), updated_at = $4 "
			  "WHERE id = $1 AND closed = 0 AND date >= $3 AND booked + CAST($2 AS INTEGER) <= seats "
			  "AND EXISTS (SELECT 1 FROM laposte_centres c WHERE c.id = laposte_slots.centre_id AND c.active = 1) "
			  "RETURNING id",
			  DB_P(db_int(a, c->slot_id), db_int(a, c->n), date_today_iso(a), db_int(a, now_s())));
	if (rc < 0)
		return rc;
	int booked = r.nrows > 0;
	rc = slot_get(d, a, c->slot_id, c->out); /* the row as this transaction now sees it */
	if (rc)
		return rc;
	return booked ? 0 : CLR_ECONFLICT;
}

int slot_book(db *d, arena *a, long long slot_id, int n, struct slot_info *out)
{
	memset(out, 0, sizeof *out);
	if (n < 1 || n > SLOT_SEATS_MAX)
		return CLR_EINVAL;
	if (slot_id <= 0)
		return CLR_ENOTFOUND;
	struct book_ctx c = {a, slot_id, n, out};
	return db_tx(d, book_tx, &c);
}

static int release_tx(db *d, void *vctx)
{
	struct book_ctx *c = vctx;
	arena *a = c->a;
	int rc = db_exec(d,
			 "UPDATE laposte_slots SET booked = CASE WHEN booked > CAST($2 AS INTEGER) "
			 "THEN booked - CAST($2 AS INTEGER) ELSE 0 END, updated_at = $3 WHERE id = $1",
			 DB_P(db_int(a, c->slot_id), db_int(a, c->n), db_int(a, now_s())));
	if (rc < 0)
		return rc;
	return rc ? 0 : CLR_ENOTFOUND;
}

int slot_release(db *d, arena *a, long long slot_id, int n)
{
	if (n < 1 || n > SLOT_SEATS_MAX)
		return CLR_EINVAL;
	if (slot_id <= 0)
		return CLR_ENOTFOUND;
	struct book_ctx c = {a, slot_id, n, NULL};
	return db_tx(d, release_tx, &c);
}

/* ------------------------------------------------------------ CSV import */

const char *const slot_import_columns[] = {"Centre", "Date", "Heure", "Places", NULL};
/* the fields of check_slot() and the centre, in slot_import_columns' order */
static const char *const import_fields[] = {"centre", "date", "time", "seats"};
/* other headers accepted, folded to letters and digits, '|'-separated */
static const char *const import_aliases[] = {
	"centredexamen|nomducentre|centrelaposte|nom",
	"datedelexamen|jour",
	"horaire|heuredebut|heurededebut",
	"nombredeplaces|placesdisponibles|capacite",
};
#define NIMPORT_COLS 4
#define IMPORT_MAX_FIELDS 200 /* csv_read()'s limit per record */

/* text_fold() with only letters and digits kept: « Heure * » -> "heure". */
static const char *key_fold(arena *a, const char *s)
{
	char *f = text_fold(a, s), *o = f;
	for (const char *p = f; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			*o++ = *p;
	*o = 0;
	return f;
}

static int alias_has(const char *aliases, const char *k)
{
	size_t kl = strlen(k);
	for (const char *p = aliases; *p;) {
		const char *e = strchr(p, '|');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == kl && memcmp(p, k, l) == 0)
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

int slot_import_template(db *d, arena *a, buf *out)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT name FROM laposte_centres WHERE active = 1 ORDER BY name_folded LIMIT 1",
			  DB_NOP);
	if (rc < 0)
		return rc;
	const char *centre = r.nrows ? db_cell(&r, 0, 0) : "La Poste Paris Louvre";
	char date[11];
	iso_add_days(date_today_iso(a), 30, date);
	buf_adds(out, "\xEF\xBB\xBF");
	for (int i = 0; slot_import_columns[i]; i++)
		buf_printf(out, "%s%s", i ? ";" : "", slot_import_columns[i]);
	buf_adds(out, "\r\n");
	for (int i = 0; i < 2; i++) {
		csv_add_field(out, centre, ';');
		buf_printf(out, ";%s;%s;%d\r\n", date_iso_fr(a, date), i ? "14:00" : "09:00", i ? 15 : 20);
	}
	return 0;
}

/* One data line of the file while it is checked. */
struct import_line {
	int line;
	const char *f[NIMPORT_COLS]; /* as typed */
	long long centre_id;
	char date[11], hhmm[6];
	int seats;
	const char *key; /* "centre_id|date|time" once valid */
	struct slot_import_error err;
};

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int cmp_line_key(const void *x, const void *y)
{
	const struct import_line *a = *(const struct import_line *const *)x, *b = *(const struct import_line *const *)y;
	int c = strcmp(a->key, b->key);
	return c ? c : (a->line > b->line) - (a->line < b->line);
}

static void line_error(arena *a, struct import_line *l, const char *label, const char *msg)
{
	if (l->err.nmsg < 4)
		l->err.msgs[l->err.nmsg++] = label ? arena_printf(a, "%s : %s", label, msg) : msg;
}

struct import_ctx {
	arena *a;
	const struct actor *who;
	struct csv_table *t;
	int colmap[IMPORT_MAX_FIELDS];
	struct slot_import_report *rep;
};

/* Maps the header to columns; rep->file_error when refused. */
static int map_header(arena *a, const struct csv_record *h, int *colmap, struct slot_import_report *rep)
{
	int have[NIMPORT_COLS] = {0};
	buf unknown = BUF_INIT, missing = BUF_INIT;
	for (int i = 0; i < h->nfields; i++) {
		const char *k = key_fold(a, h->fields[i]);
		colmap[i] = -1;
		if (!*k)
			continue;
		int found = -1;
		for (int c = 0; c < NIMPORT_COLS && found < 0; c++)
			if (strcmp(k, key_fold(a, slot_import_columns[c])) == 0 || alias_has(import_aliases[c], k))
				found = c;
		if (found < 0) {
			buf_printf(&unknown, "%s« %s »", unknown.len ? ", " : "", h->fields[i]);
		} else if (have[found]) {
			rep->file_error = arena_printf(a, "La colonne « %s » figure deux fois dans la première ligne.",
						       slot_import_columns[found]);
		} else {
			have[found] = 1;
			colmap[i] = found;
		}
	}
	for (int c = 0; c < NIMPORT_COLS; c++)
		if (!have[c])
			buf_printf(&missing, "%s« %s »", missing.len ? ", " : "", slot_import_columns[c]);
	if (!rep->file_error && (unknown.len || missing.len))
		rep->file_error = arena_printf(
			a, "La première ligne du fichier doit donner les noms des colonnes du modèle : Centre, Date, Heure, "
			   "Places.%s%s%s%s",
			missing.len ? " Colonnes manquantes : " : "", missing.len ? missing.data : "",
			unknown.len ? " Colonnes inconnues : " : "", unknown.len ? unknown.data : "");
	buf_free(&unknown);
	buf_free(&missing);
	return rep->file_error ? CLR_EINVAL : 0;
}

static int import_tx(db *d, void *vctx)
{
	struct import_ctx *c = vctx;
	arena *a = c->a;
	struct slot_import_report *rep = c->rep;
	struct csv_table *t = c->t;
	const char *today = date_today_iso(a);
	rep->nerrors = rep->created = rep->ncentres = 0;
	rep->nlines = 0;

	/* the centres, by exact and folded name */
	db_rows cr;
	int rc = db_query(d, a, &cr, "SELECT id, name, name_folded FROM laposte_centres", DB_NOP);
	if (rc < 0)
		return rc;
	/* the slots already stored from today on: "centre_id|date|time", sorted */
	db_rows sr;
	rc = db_query(d, a, &sr, "SELECT s.centre_id, s.date, s.time FROM laposte_slots s WHERE s.date >= $1",
		      DB_P(today));
	if (rc < 0)
		return rc;
	const char **existing = arena_alloc(a, sizeof *existing * (size_t)(sr.nrows + 1));
	for (int i = 0; i < sr.nrows; i++)
		existing[i] = arena_printf(a, "%s|%s|%s", db_cell(&sr, i, 0), db_cell(&sr, i, 1), db_cell(&sr, i, 2));
	qsort(existing, (size_t)sr.nrows, sizeof *existing, cmp_str);

	struct import_line *lines = arena_alloc(a, sizeof *lines * (size_t)t->n);
	struct import_line **valid = arena_alloc(a, sizeof *valid * (size_t)t->n);
	int nl = 0, nv = 0;
	for (int i = 1; i < t->n; i++) {
		const struct csv_record *rec = &t->recs[i];
		struct import_line *l = &lines[nl];
		memset(l, 0, sizeof *l);
		l->line = rec->line;
		int blank = 1;
		for (int k = 0; k < NIMPORT_COLS; k++)
			l->f[k] = "";
		for (int k = 0; k < rec->nfields && k < t->recs[0].nfields; k++)
			if (c->colmap[k] >= 0) {
				l->f[c->colmap[k]] = rec->fields[k];
				blank &= !*s0(str_clean(a, rec->fields[k]));
			}
		if (blank)
			continue; /* ";;;" lines that spreadsheets write after the data */
		nl++;
		struct errs e = {0};
		const char *cname = str_clean(a, l->f[0]);
		if (!cname || !*cname) {
			errs_add(&e, "centre", "Veuillez indiquer le nom du centre.");
		} else {
			const char *folded = text_fold(a, cname);
			for (int k = 0; k < cr.nrows && !l->centre_id; k++)
				if (str_eq(db_cell(&cr, k, 1), cname) || str_eq(db_cell(&cr, k, 2), folded))
					l->centre_id = db_ll(&cr, k, 0);
			if (!l->centre_id)
				errs_add(&e, "centre", arena_printf(a, "Aucun centre ne porte le nom « %s ».", cname));
		}
		check_slot(a, today, l->f[1], l->f[2], l->f[3], l->date, l->hhmm, &l->seats, &e);
		for (int k = 0; k < e.n; k++) {
			int col = 0;
			for (int j = 0; j < NIMPORT_COLS; j++)
				if (strcmp(e.e[k].field, import_fields[j]) == 0)
					col = j;
			line_error(a, l, slot_import_columns[col], e.e[k].msg);
		}
		if (e.n)
			continue;
		l->key = arena_printf(a, "%lld|%s|%s", l->centre_id, l->date, l->hhmm);
		if (bsearch(&l->key, existing, (size_t)sr.nrows, sizeof *existing, cmp_str))
			line_error(a, l, NULL,
				   arena_printf(a, "Ce créneau existe déjà : le centre a un créneau le %s à %s.",
						date_iso_fr(a, l->date), l->hhmm));
		else
			valid[nv++] = l;
	}
	/* the same centre, date and time twice in the file: the later lines */
	qsort(valid, (size_t)nv, sizeof *valid, cmp_line_key);
	for (int i = 1; i < nv; i++)
		if (strcmp(valid[i]->key, valid[i - 1]->key) == 0) {
			int first = valid[i - 1]->line;
			for (int j = i - 1; j > 0 && strcmp(valid[j - 1]->key, valid[i]->key) == 0; j--)
				first = valid[j - 1]->line;
			line_error(a, valid[i], NULL,
				   arena_printf(a, "Ce créneau figure déjà à la ligne %d du fichier.", first));
		}
	rep->nlines = nl;
	if (nl == 0) {
		rep->file_error = "Le fichier ne contient aucun créneau (seulement la ligne d'en-tête).";
		return CLR_EINVAL;
	}
	rep->errors = arena_alloc(a, sizeof *rep->errors * (size_t)nl);
	for (int i = 0; i < nl; i++) {
		struct import_line *l = &lines[i];
		if (!l->err.nmsg)
			continue;
		l->err.line = l->line;
		l->err.centre = l->f[0];
		l->err.date = l->f[1];
		l->err.time = l->f[2];
		l->err.seats = l->f[3];
		rep->errors[rep->nerrors++] = l->err;
	}
	if (rep->nerrors)
		return CLR_EINVAL;

	/* clean: every line is created, 100 a statement */
	const char *now = db_int(a, now_s());
	enum { CHUNK = 100 };
	const char **params = arena_alloc(a, sizeof *params * 5 * CHUNK);
	long long created = 0;
	for (int off = 0; off < nl; off += CHUNK) {
		int k = nl - off < CHUNK ? nl - off : CHUNK;
		buf sql = BUF_INIT;
		buf_adds(&sql, "INSERT INTO laposte_slots (centre_id, date, time, seats, booked, closed, created_at, "
			       "updated_at) VALUES ");
		for (int i = 0; i < k; i++) {
			struct import_line *l = &lines[off + i];
			int p = 5 * i;
			params[p] = db_int(a, l->centre_id);
			params[p + 1] = l->date;
			params[p + 2] = l->hhmm;
			params[p + 3] = db_int(a, l->seats);
			params[p + 4] = now;
			buf_printf(&sql, "%s($%d, $%d, $%d, $%d, 0, 0, $%d, $%d)", i ? ", " : "", p + 1, p + 2, p + 3, p + 4,
				   p + 5, p + 5);
		}
		buf_adds(&sql, " ON CONFLICT (centre_id, date, time) DO NOTHING");
		rc = db_exec(d, sql.data, 5 * k, params);
		buf_free(&sql);
		if (rc < 0)
			return rc;
		created += rc;
	}
	if (created != nl) { /* stored by someone else since the check (PostgreSQL) */
		rep->file_error = "Des créneaux de ce fichier ont été créés entre-temps : rien n'a été importé. "
				  "Envoyez à nouveau le fichier pour voir lesquels.";
		return CLR_ECONFLICT;
	}
	/* distinct centres */
	long long *ids = arena_alloc(a, sizeof *ids * (size_t)nl);
	for (int i = 0; i < nl; i++) {
		int seen = 0;
		for (int j = 0; j < rep->ncentres && !seen; j++)
			seen = ids[j] == lines[i].centre_id;
		if (!seen)
			ids[rep->ncentres++] = lines[i].centre_id;
	}
	rep->created = nl;
	rc = audit_log(d, a, c->who, "slots.import", "laposte_slot", 0,
		       arena_printf(a, "%d créneau(x) importé(s) dans %d centre(s)", nl, rep->ncentres));
	return rc < 0 ? rc : 0;
}

int slot_import(db *d, arena *a, const struct actor *who, const char *text, size_t len,
		struct slot_import_report *rep)
{
	memset(rep, 0, sizeof *rep);
	struct csv_table t;
	if (csv_read(a, text, len, 0, SLOT_IMPORT_MAX_LINES + 1, &t)) {
		rep->file_error = t.error ? t.error : "Lecture du fichier impossible.";
		return CLR_EINVAL;
	}
	if (t.n < 1) {
		rep->file_error = "Le fichier est vide.";
		return CLR_EINVAL;
	}
	struct import_ctx c = {a, who, &t, {0}, rep};
	if (map_header(a, &t.recs[0], c.colmap, rep))
		return CLR_EINVAL;
	int rc = db_tx(d, import_tx, &c);
	if (rc == CLR_ECONFLICT)
		return CLR_EINVAL; /* rep->file_error says it */
	return rc;
}
