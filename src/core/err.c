/* err.c - names of error codes, for logs. */
#include "core/err.h"

const char *clr_strerror(int err)
{
	switch (err) {
	case CLR_OK: return "ok";
	case CLR_EINVAL: return "invalid input";
	case CLR_ENOTFOUND: return "not found";
	case CLR_ECONFLICT: return "conflict";
	case CLR_EDB: return "database error";
	case CLR_EFORBIDDEN: return "forbidden";
	case CLR_ETHROTTLED: return "throttled";
	case CLR_EAUTH: return "authentication failed";
	case CLR_ESYS: return "system error";
	case CLR_EUNAVAIL: return "storage unavailable";
	case CLR_ESTALE: return "stale assumption";
	}
	return "unknown error";
}
