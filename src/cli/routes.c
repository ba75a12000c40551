/* routes.c - `clr routes`: the route table of src/http/routes.c, one route a
 * line (method, pattern, who may call it), for people and for the test that
 * tries every route with every role (tests/http/roles.test.mjs). */
#include "cli/cli.h"
#include "http/routes.h"
#include <stdio.h>
#include <string.h>

static const char routes_help[] =
	"usage: clr routes\n"
	"Lists every route of the platform, one a line, tab-separated:\n"
	"  METHOD  PATTERN  ROLES  OPTIONS\n"
	"ROLES: public, or a comma-separated list of admin, proctor, staff, user\n"
	"(any logged-in account), api (an API key); OPTIONS: upload, nocsrf or -.\n";

int cmd_routes(int argc, char **argv)
{
	if (argc > 0) {
		int help = strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0;
		fputs(routes_help, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	static const struct {
		int flag;
		const char *name;
	} roles[] = {{R_ADMIN, "admin"}, {R_PROCTOR, "proctor"}, {R_STAFF, "staff"}, {R_USER, "user"}, {R_API, "api"}, {R_CANDIDATE, "candidate"}};
	for (const struct route *rt = routes; rt->method; rt++) {
		char who[64] = "", opts[32] = "";
		for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
			if (rt->flags & roles[i].flag)
				snprintf(who + strlen(who), sizeof who - strlen(who), "%s%s", *who ? "," : "", roles[i].name);
		if (rt->flags & R_UPLOAD)
			snprintf(opts + strlen(opts), sizeof opts - strlen(opts), "%supload", *opts ? "," : "");
		if (rt->flags & R_NOCSRF)
			snprintf(opts + strlen(opts), sizeof opts - strlen(opts), "%snocsrf", *opts ? "," : "");
		printf("%s\t%s\t%s\t%s\n", rt->method, rt->pattern, *who ? who : "public", *opts ? opts : "-");
	}
	return 0;
}
