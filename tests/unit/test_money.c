/* test_money.c - order arithmetic (core/money.h): the seed's example,
 * VAT rounding half-up at the cent, overflow refusals, price and quantity
 * parsing, and the French formatting of the results (text.h). */
#include "test.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/money.h"
#include "core/text.h"
#include <limits.h>

TEST(money_seed_example)
{
	long long a1, a2;
	CHECK_INT(money_line(7100, 10, &a1), 0);
	CHECK_INT(money_line(10000, 10, &a2), 0);
	CHECK_INT(a1, 71000);
	CHECK_INT(a2, 100000);
	long long amounts[] = {a1, a2};
	struct money_totals t;
	CHECK_INT(money_totals(amounts, 2, VAT_BP_STANDARD, &t), 0);
	CHECK_INT(t.subtotal, 171000);
	CHECK_INT(t.vat, 34200);
	CHECK_INT(t.total, 205200);
	arena *a = arena_new();
	CHECK_STR(money_fmt(a, t.subtotal), "1\xE2\x80\xAF" "710,00\xC2\xA0€");
	CHECK_STR(money_fmt(a, t.vat), "342,00\xC2\xA0€");
	CHECK_STR(money_fmt(a, t.total), "2\xE2\x80\xAF" "052,00\xC2\xA0€");
	CHECK_STR(money_fmt(a, a1), "710,00\xC2\xA0€");
	CHECK_STR(money_fmt(a, a2), "1\xE2\x80\xAF" "000,00\xC2\xA0€");
	arena_free(a);
}

TEST(money_vat_rounding_half_up)
{
	long long v;
	/* 20 % of 0,02 € = 0,004 -> 0,00 ; of 0,03 € = 0,006 -> 0,01 */
	CHECK_INT(money_vat(2, 2000, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(money_vat(3, 2000, &v), 0);
	CHECK_INT(v, 1);
	/* exactly half a cent rounds up: 20 % of 0,025 € does not exist in
	 * cents, so use 5,5 % (550 bp) of 0,10 € = 0,55 cent -> 1 cent, and
	 * 5,5 % of 0,09 € = 0,495 cent -> 0 */
	CHECK_INT(money_vat(10, 550, &v), 0);
	CHECK_INT(v, 1);
	CHECK_INT(money_vat(9, 550, &v), 0);
	CHECK_INT(v, 0);
	/* 20 % of 0,x5: 12,345 cents... 61,725 € x 20 % */
	CHECK_INT(money_vat(6173, 2000, &v), 0); /* 1234,6 -> 1235 */
	CHECK_INT(v, 1235);
	CHECK_INT(money_vat(6172, 2000, &v), 0); /* 1234,4 -> 1234 */
	CHECK_INT(v, 1234);
	CHECK_INT(money_vat(25, 2000, &v), 0); /* 5 exactly */
	CHECK_INT(v, 5);
	CHECK_INT(money_vat(0, 2000, &v), 0);
	CHECK_INT(v, 0);
	/* half away from zero for negative amounts (credit notes) */
	CHECK_INT(money_vat(-3, 2000, &v), 0);
	CHECK_INT(v, -1);
	CHECK_INT(money_vat(-2, 2000, &v), 0);
	CHECK_INT(v, 0);
	/* bad rates */
	CHECK_INT(money_vat(100, -1, &v), CLR_EINVAL);
	CHECK_INT(money_vat(100, 10001, &v), CLR_EINVAL);
}

TEST(money_limits_and_overflow)
{
	long long v;
	CHECK_INT(money_line(7100, MONEY_MAX_QTY, &v), 0);
	CHECK_INT(v, 71000000);
	CHECK_INT(money_line(7100, MONEY_MAX_QTY + 1, &v), CLR_EINVAL);
	CHECK_INT(money_line(7100, -1, &v), CLR_EINVAL);
	CHECK_INT(money_line(-1, 1, &v), CLR_EINVAL);
	CHECK_INT(money_line(MONEY_MAX_UNIT + 1, 1, &v), CLR_EINVAL);
	CHECK_INT(money_line(MONEY_MAX_UNIT, MONEY_MAX_QTY, &v), 0);
	CHECK_INT(v, 1000000000000LL);
	/* the largest possible order still computes exactly */
	long long big[MONEY_MAX_LINES];
	for (int i = 0; i < MONEY_MAX_LINES; i++)
		big[i] = MONEY_MAX_UNIT * MONEY_MAX_QTY;
	struct money_totals t;
	CHECK_INT(money_totals(big, MONEY_MAX_LINES, 2000, &t), 0);
	CHECK_INT(t.subtotal, 64000000000000LL);
	CHECK_INT(t.vat, 12800000000000LL);
	CHECK_INT(t.total, 76800000000000LL);
	/* sums and VAT that would overflow are refused, not wrapped */
	long long huge[] = {LLONG_MAX / 2, LLONG_MAX / 2, 10};
	CHECK_INT(money_totals(huge, 3, 2000, &t), CLR_EINVAL);
	CHECK_INT(money_vat(LLONG_MAX / 1000, 2000, &v), CLR_EINVAL);
	long long neg[] = {100, -1};
	CHECK_INT(money_totals(neg, 2, 2000, &t), CLR_EINVAL);
	CHECK_INT(money_totals(NULL, 0, 2000, &t), 0);
	CHECK_INT(t.total, 0);
}

TEST(money_parse_prices)
{
	long long c;
	CHECK_INT(money_parse("71", &c), 0);
	CHECK_INT(c, 7100);
	CHECK_INT(money_parse("71,00", &c), 0);
	CHECK_INT(c, 7100);
	CHECK_INT(money_parse("71.5", &c), 0);
	CHECK_INT(c, 7150);
	CHECK_INT(money_parse(" 1 710,05 ", &c), 0);
	CHECK_INT(c, 171005);
	CHECK_INT(money_parse("1\xE2\x80\xAF" "710,00\xC2\xA0€", &c), 0);
	CHECK_INT(c, 171000);
	CHECK_INT(money_parse("0", &c), 0);
	CHECK_INT(c, 0);
	const char *bad[] = {"", "abc", "-5", "71,", "71,001", "7 1 ,00", "1e3", "71,0a", ",50", "10000000,01", "99999999999999999999", NULL};
	for (int i = 0; bad[i]; i++) {
		c = -42;
		int rc = money_parse(bad[i], &c);
		if (rc != CLR_EINVAL)
			fprintf(stderr, "  money_parse(\"%s\") accepted: %lld\n", bad[i], c);
		CHECK_INT(rc, CLR_EINVAL);
	}
	CHECK_INT(money_parse(NULL, &c), CLR_EINVAL);
}

TEST(money_qty_parse)
{
	long long q;
	CHECK_INT(qty_parse("10", MONEY_MAX_QTY, &q), 0);
	CHECK_INT(q, 10);
	CHECK_INT(qty_parse(" 10000 ", MONEY_MAX_QTY, &q), 0);
	CHECK_INT(q, 10000);
	CHECK_INT(qty_parse("", MONEY_MAX_QTY, &q), 0);
	CHECK_INT(q, 0);
	CHECK_INT(qty_parse(NULL, MONEY_MAX_QTY, &q), 0);
	CHECK_INT(q, 0);
	const char *bad[] = {"10001", "-1", "+1", "1.5", "1,5", "1e2", "0x10", "dix", "1 0", "99999999999999999999999", NULL};
	for (int i = 0; bad[i]; i++)
		CHECK_INT(qty_parse(bad[i], MONEY_MAX_QTY, &q), CLR_EINVAL);
}
