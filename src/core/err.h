/* err.h - error codes shared by every layer.
 *
 * Functions return 0 on success and one of these negative codes on failure.
 * User-facing errors additionally fill a `struct errs` (see validate.h)
 * with French messages attached to form fields.
 */
#ifndef CLR_ERR_H
#define CLR_ERR_H

enum clr_err {
	CLR_OK = 0,
	CLR_EINVAL = -1,     /* input rejected by validation (messages in struct errs) */
	CLR_ENOTFOUND = -2,  /* no such object, or not this organisation's */
	CLR_ECONFLICT = -3,  /* uniqueness or state conflict */
	CLR_EDB = -4,        /* storage failure (logged) */
	CLR_EFORBIDDEN = -5, /* authenticated but not allowed */
	CLR_ETHROTTLED = -6, /* too many attempts */
	CLR_EAUTH = -7,      /* wrong credentials */
	CLR_ESYS = -8,       /* system failure: I/O, allocation, network */
	CLR_EUNAVAIL = -9,   /* storage unavailable for now (server unreachable, disk full,
				read-only file, a write's outcome unknown): HTTP 503 */
	CLR_ESTALE = -10,    /* what an answer assumed no longer holds (db_defer): answer again */
};

const char *clr_strerror(int err);

#endif
