/* orders.c - `clr order list|validate` and `clr stock show|credit|consume`:
 * the back office's order and stock operations from the command line. */
#include "cli/cli.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/money.h"
#include "core/text.h"
#include "domain/order.h"
#include "domain/org.h"
#include "domain/stock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char order_help[] =
	"usage: clr order list [--status S] [--org NAME] [--db URL]\n"
	"       clr order validate ID [--db URL]\n"
	"\n"
	"list      every order, newest first (status: requested, quoted, validated,\n"
	"          cancelled): id, number, organisation, date, total TTC, status.\n"
	"validate  validates order ID and credits its organisation's stock through\n"
	"          the ledger; validating twice credits once.\n";

static const char stock_help[] =
	"usage: clr stock show --org NAME [--db URL]\n"
	"       clr stock credit --org NAME --product REF --qty N --reason TEXT [--db URL]\n"
	"       clr stock consume --org NAME --product REF --qty N [--reason TEXT] [--db URL]\n"
	"\n"
	"show     the organisation's balance per product and its last movements.\n"
	"credit   adds N credits (a ledger row with the reason).\n"
	"consume  takes N credits, all or nothing; exits 3 when the stock is\n"
	"         insufficient (nothing changed).\n";

static const struct actor cli_actor = {0, 0, "cli"};

int cmd_order(int argc, char **argv)
{
	const char *dbf = NULL, *status = NULL, *org = NULL;
	const struct opt opts[] = {{"db", &dbf, 0}, {"status", &status, 0}, {"org", &org, 0}, {0, 0, 0}};
	const char *pos[2];
	int npos, rc = cli_parse(argc, argv, opts, pos, 2, &npos);
	int list = npos == 1 && strcmp(pos[0], "list") == 0;
	int validate = npos == 2 && strcmp(pos[0], "validate") == 0;
	if (rc || (!list && !validate) || (status && !order_status_valid(status))) {
		if (rc == 0)
			fprintf(stderr, "clr: missing or unexpected arguments\n");
		fputs(order_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	db *d = cli_open_db(cli_db_url(dbf), 1);
	if (!d)
		return 1;
	arena *a = arena_new();
	if (list) {
		long long org_id = 0;
		struct order *os;
		int n;
		rc = org ? org_by_name(d, a, org, &org_id) : 0;
		if (!rc)
			rc = order_list(d, a, org_id, status, &os, &n);
		for (int i = 0; !rc && i < n; i++)
			printf("%lld\t%s\t%s\t%s\t%s\t%s\n", os[i].id, os[i].number, os[i].org_name,
			       date_fmt(a, (time_t)os[i].created_at), money_fmt(a, os[i].total_cents), os[i].status);
	} else {
		char *end;
		long long id = strtoll(pos[1], &end, 10);
		int already = 0;
		rc = (*end || id <= 0) ? CLR_ENOTFOUND : order_validate(d, a, &cli_actor, id, &already);
		if (!rc)
			printf(already ? "order %lld was already validated: nothing changed\n"
				       : "order %lld validated; stock credited\n", id);
		else if (rc == CLR_ECONFLICT)
			fprintf(stderr, "clr: order %lld is cancelled and cannot be validated\n", id);
	}
	if (rc == CLR_ENOTFOUND)
		fprintf(stderr, "clr: no such %s\n", list ? "organisation" : "order");
	else if (rc && rc != CLR_ECONFLICT)
		fprintf(stderr, "clr: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
	arena_free(a);
	db_close(d);
	return rc ? 1 : 0;
}

int cmd_stock(int argc, char **argv)
{
	const char *dbf = NULL, *org = NULL, *product = NULL, *qty = NULL, *reason = NULL;
	const struct opt opts[] = {{"db", &dbf, 0},     {"org", &org, 0},       {"product", &product, 0},
				   {"qty", &qty, 0},    {"reason", &reason, 0}, {0, 0, 0}};
	const char *pos[1];
	int npos, rc = cli_parse(argc, argv, opts, pos, 1, &npos);
	const char *verb = npos == 1 ? pos[0] : "";
	int show = strcmp(verb, "show") == 0, credit = strcmp(verb, "credit") == 0, consume = strcmp(verb, "consume") == 0;
	long long n = 0;
	int bad = !org || (!show && !credit && !consume);
	if (!bad && (credit || consume)) {
		bad = !product || qty_parse(qty ? qty : "x", STOCK_MAX_MOVE, &n) || n <= 0 || !qty;
		if (credit && (!reason || !*reason))
			bad = 1;
	}
	if (rc || bad) {
		if (rc == 0)
			fprintf(stderr, "clr: missing or invalid arguments\n");
		fputs(stock_help, rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	/* consume is run by many processes at once in the tests: no migration check */
	db *d = cli_open_db(cli_db_url(dbf), !consume);
	if (!d)
		return 1;
	arena *a = arena_new();
	long long org_id = 0;
	struct product p;
	rc = org_by_name(d, a, org, &org_id);
	if (rc == CLR_ENOTFOUND)
		fprintf(stderr, "clr: no organisation named \"%s\"\n", org);
	if (!rc && !show) {
		rc = product_by_ref(d, a, product, &p);
		if (rc == CLR_ENOTFOUND)
			fprintf(stderr, "clr: no product with reference \"%s\"\n", product);
	}
	int exit_code = rc ? 1 : 0;
	if (!rc && show) {
		struct stock_balance *bs;
		struct stock_move *ms;
		int nb, nm;
		long long total;
		rc = stock_balances(d, a, org_id, &bs, &nb, &total);
		if (!rc)
			rc = stock_history(d, a, org_id, 0, 20, &ms, &nm);
		if (!rc) {
			for (int i = 0; i < nb; i++)
				printf("%s\t%s\t%lld\n", bs[i].reference, bs[i].type_label, bs[i].qty);
			printf("total\t\t%lld\n", total);
			if (nm)
				printf("\nlast movements:\n");
			for (int i = 0; i < nm; i++)
				printf("%s\t%s\t%+lld\t%lld\t%s\n", datetime_fmt(a, (time_t)ms[i].at), ms[i].reference,
				       ms[i].qty, ms[i].balance_after, ms[i].reason);
		}
		exit_code = rc ? 1 : 0;
	} else if (!rc && credit) {
		rc = stock_credit(d, a, org_id, p.id, n, reason, 0, "cli", &cli_actor, NULL);
		if (!rc)
			printf("%lld credit(s) of %s added to \"%s\"\n", n, p.reference, org);
		exit_code = rc ? 1 : 0;
	} else if (!rc && consume) {
		rc = stock_consume(d, a, org_id, p.id, n, reason && *reason ? reason : "Consommation (ligne de commande)",
				   "cli", &cli_actor, NULL);
		if (rc == CLR_ECONFLICT) {
			fprintf(stderr, "clr: not enough %s credits for \"%s\": nothing taken\n", p.reference, org);
			exit_code = 3;
		} else {
			if (!rc)
				printf("%lld credit(s) of %s taken from \"%s\"\n", n, p.reference, org);
			exit_code = rc ? 1 : 0;
		}
	}
	if (rc && rc != CLR_ENOTFOUND && rc != CLR_ECONFLICT)
		fprintf(stderr, "clr: %s (%s)\n", clr_strerror(rc), db_errmsg(d));
	arena_free(a);
	db_close(d);
	return exit_code;
}
