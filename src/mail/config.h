/* config.h - mail settings from the environment, read once per call (cheap
 * getenv), with the platform's defaults.  Other features use the
 * addresses: orders write to mail_sales_email(), contact forms to
 * mail_support_email().
 *
 *   CLR_SMTP_URL       smtp://[user:pass@]host[:port] (STARTTLS when offered),
 *                      smtps://... (implicit TLS); unset: .eml files
 *   CLR_SMTP_STARTTLS  try (default) | require | off, for smtp:// URLs
 *   CLR_SMTP_CA_FILE   PEM file of the authorities that sign the SMTP
 *                      server's certificate (default: the system's); the
 *                      certificate is always verified
 *   CLR_SMTP_INSECURE  1: do not verify the server's certificate (never in
 *                      production)
 *   CLR_MAIL_FROM      "Certification Le Robert <no-reply@certification-lerobert.test>"
 *   CLR_MAIL_DIR       where .eml files go without CLR_SMTP_URL (var/mail)
 *   CLR_SALES_EMAIL    ventes@certification-lerobert.test
 *   CLR_SUPPORT_EMAIL  support@certification-lerobert.test
 *   CLR_BASE_URL       the platform's address as users reach it, for links
 *                      in messages (invitations, password resets):
 *                      https://certification.exemple.fr; default: what
 *                      `clr serve` listens on (http://127.0.0.1:8080)
 *   CLR_MAIL_POLL_MS, CLR_MAIL_LEASE_S, CLR_MAIL_BACKOFF_S,
 *   CLR_MAIL_MAX_ATTEMPTS  worker tuning (see docs/MAIL.md)
 */
#ifndef CLR_MAIL_CONFIG_H
#define CLR_MAIL_CONFIG_H
#include <stddef.h>

#define MAIL_FROM_DEFAULT "Certification Le Robert <no-reply@certification-lerobert.test>"
#define MAIL_SALES_DEFAULT "ventes@certification-lerobert.test"
#define MAIL_BASE_URL_DEFAULT "http://127.0.0.1:8080"
#define MAIL_SUPPORT_DEFAULT "support@certification-lerobert.test"

/* NULL when unset or empty. */
const char *mail_smtp_url(void);
/* The From mailbox: display name (may be "") and address. */
void mail_from(char *name, size_t nn, char *addr, size_t na);
const char *mail_sales_email(void);
const char *mail_support_email(void);
const char *mail_dir(void);
/* CLR_BASE_URL without its trailing « / » (MAIL_BASE_URL_DEFAULT when unset). */
const char *mail_base_url(void);
/* Integer setting from the environment, def when unset/invalid, clamped. */
long mail_env_long(const char *name, long def, long min, long max);

#endif
