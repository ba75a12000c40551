/* money.h - order arithmetic in integer cents, overflow-safe.
 *
 * A line amount is unit price x quantity; the VAT of a subtotal is
 * subtotal x rate, the rate in basis points (2000 = 20 %), rounded half-up
 * to the cent (half away from zero for negative amounts); the total is
 * subtotal + VAT.  Every function refuses (CLR_EINVAL) instead of
 * overflowing: quantities are capped at MONEY_MAX_QTY per line and unit
 * prices at MONEY_MAX_UNIT.  Formatting for the screen is money_fmt() in
 * text.h ("1 710,00 €").
 */
#ifndef CLR_MONEY_H
#define CLR_MONEY_H

#define MONEY_MAX_QTY 10000
#define MONEY_MAX_UNIT 100000000LL /* 1 000 000,00 € */
#define MONEY_MAX_LINES 64
#define VAT_BP_STANDARD 2000       /* 20 % */

struct money_totals {
	long long subtotal; /* H.T. */
	long long vat;      /* T.V.A. */
	long long total;    /* T.T.C. */
};

/* *out = unit_cents x qty.  CLR_EINVAL when unit_cents is outside
 * [0, MONEY_MAX_UNIT] or qty outside [0, MONEY_MAX_QTY]. */
int money_line(long long unit_cents, long long qty, long long *out);
/* VAT of amount at rate bp (0..10000), rounded half-up to the cent.
 * CLR_EINVAL on a bad rate or an amount whose product would overflow. */
int money_vat(long long amount, int bp, long long *out);
/* Sums n line amounts (each >= 0) and derives VAT and total. */
int money_totals(const long long *amounts, int n, int bp, struct money_totals *out);
/* Parses a price typed in French or plain form: "71", "71,00", "71.5",
 * "1 710,00", "1 710,00 €" (ASCII space, U+00A0 or U+202F as thousands
 * separators).  At most two decimals; 0..MONEY_MAX_UNIT.  0 or CLR_EINVAL. */
int money_parse(const char *s, long long *cents);
/* Strict whole number for quantities: optional surrounding spaces, ASCII
 * digits only (no sign, no decimals), value 0..max.  Empty (or NULL) means 0.
 * 0 or CLR_EINVAL. */
int qty_parse(const char *s, long long max, long long *out);

#endif
