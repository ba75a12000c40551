/* dashboard.h - the figures of the back office's « Tableau de bord »: what
 * Le Robert staff have to act on. */
#ifndef CLR_DASHBOARD_H
#define CLR_DASHBOARD_H
#include "db/db.h"

struct bo_summary {
	long long orgs;
	long long orders_requested; /* « Demandée »: a quote is to be sent */
	long long orders_quoted;    /* « Devis envoyé »: awaiting validation */
	long long mail_pending;     /* waiting or being sent */
	long long mail_failed;
};

int bo_summary(db *d, arena *a, struct bo_summary *out);

#endif
