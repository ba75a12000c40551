/* backoffice.c - the Le Robert staff back office. */
#include "web/web.h"

int web_bo_home(struct req *r)
{
	view *v = page_view(r, "Back-office");
	view_set_bool(v, "nav_bo_home", 1);
	return resp_page(r, 200, "backoffice/home", v);
}
