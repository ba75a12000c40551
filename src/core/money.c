/* money.c - order arithmetic in integer cents (see money.h). */
#include "core/money.h"
#include "core/err.h"
#include <string.h>

int money_line(long long unit_cents, long long qty, long long *out)
{
	if (unit_cents < 0 || unit_cents > MONEY_MAX_UNIT || qty < 0 || qty > MONEY_MAX_QTY)
		return CLR_EINVAL;
	long long r;
	if (__builtin_mul_overflow(unit_cents, qty, &r))
		return CLR_EINVAL;
	*out = r;
	return 0;
}

int money_vat(long long amount, int bp, long long *out)
{
	if (bp < 0 || bp > 10000)
		return CLR_EINVAL;
	long long p;
	if (__builtin_mul_overflow(amount, (long long)bp, &p))
		return CLR_EINVAL;
	/* p is in 1/10000 of a cent: round half away from zero. */
	long long q = p / 10000, rem = p % 10000;
	if (rem >= 5000)
		q++;
	else if (rem <= -5000)
		q--;
	*out = q;
	return 0;
}

int money_totals(const long long *amounts, int n, int bp, struct money_totals *out)
{
	long long s = 0;
	for (int i = 0; i < n; i++) {
		if (amounts[i] < 0 || __builtin_add_overflow(s, amounts[i], &s))
			return CLR_EINVAL;
	}
	long long vat;
	if (money_vat(s, bp, &vat))
		return CLR_EINVAL;
	long long t;
	if (__builtin_add_overflow(s, vat, &t))
		return CLR_EINVAL;
	out->subtotal = s;
	out->vat = vat;
	out->total = t;
	return 0;
}

/* Skips one thousands separator (space, U+00A0, U+202F); returns its length. */
static size_t sep_len(const char *s)
{
	if (*s == ' ')
		return 1;
	if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
		return 2;
	if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xAF)
		return 3;
	return 0;
}

int money_parse(const char *s, long long *cents)
{
	if (!s)
		return CLR_EINVAL;
	size_t n = strlen(s);
	/* trailing spaces and an optional euro sign */
	for (;;) {
		size_t k;
		if (n && s[n - 1] == ' ')
			n--;
		else if (n >= 2 && (k = sep_len(s + n - 2)) == 2)
			n -= 2;
		else if (n >= 3 && sep_len(s + n - 3) == 3)
			n -= 3;
		else if (n >= 3 && memcmp(s + n - 3, "\xE2\x82\xAC", 3) == 0)
			n -= 3;
		else
			break;
	}
	size_t i = 0, k;
	while (i < n && s[i] == ' ')
		i++;
	long long units = 0;
	int digits = 0;
	while (i < n) {
		if (s[i] >= '0' && s[i] <= '9') {
			units = units * 10 + (s[i] - '0');
			if (units > MONEY_MAX_UNIT / 100)
				return CLR_EINVAL;
			digits++;
			i++;
		} else if (digits && (k = sep_len(s + i)) && i + k < n && s[i + k] >= '0' && s[i + k] <= '9') {
			i += k;
		} else {
			break;
		}
	}
	if (!digits)
		return CLR_EINVAL;
	long long frac = 0;
	if (i < n && (s[i] == ',' || s[i] == '.')) {
		i++;
		int fd = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && fd < 2) {
			frac = frac * 10 + (s[i] - '0');
			fd++;
			i++;
		}
		if (fd == 0)
			return CLR_EINVAL;
		if (fd == 1)
			frac *= 10;
	}
	if (i != n)
		return CLR_EINVAL;
	long long v = units * 100 + frac;
	if (v > MONEY_MAX_UNIT)
		return CLR_EINVAL;
	*cents = v;
	return 0;
}

int qty_parse(const char *s, long long max, long long *out)
{
	*out = 0;
	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	long long v = 0;
	int digits = 0;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > max)
			return CLR_EINVAL;
		digits++;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s)
		return CLR_EINVAL;
	*out = digits ? v : 0;
	return 0;
}
