/* certificate.c - level bands, verification codes and the public
 * verification (certificate.h). */
#include "domain/certificate.h"
#include "core/err.h"
#include "core/text.h"
#include <string.h>

/* THE level bands: lowest score of each band, in increasing order.  Ours
 * (no source in the seed or the documents): docs/DECISIONS.md. */
static const struct {
	int min;
	const char *label;
} bands[] = {
	{0, "Élémentaire"}, {300, "Intermédiaire"}, {500, "Confirmé"}, {700, "Avancé"}, {900, "Expert"},
};

const char *certificate_level(int score)
{
	if (score < 0 || score > 1000)
		return "";
	const char *l = bands[0].label;
	for (size_t i = 0; i < sizeof bands / sizeof *bands; i++)
		if (score >= bands[i].min)
			l = bands[i].label;
	return l;
}
