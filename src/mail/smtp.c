/* smtp.c - delivery of one message: libcurl SMTP, or an .eml file when no
 * SMTP server is configured.  See smtp.h.  TLS: STARTTLS on smtp:// (as
 * CLR_SMTP_STARTTLS says), implicit on smtps://, the server's certificate
 * always verified (CLR_SMTP_CA_FILE adds the authorities to trust);
 * AUTH LOGIN or PLAIN with the user:password of CLR_SMTP_URL. */
#include "mail/smtp.h"
#include "mail/config.h"
#include "mail/mime.h"
#include "core/buf.h"
#include "core/err.h"
#include <curl/curl.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void smtp_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- .eml files ------------------------------------------------------------ */

static int mkdirs(const char *dir)
{
	char p[1024];
	snprintf(p, sizeof p, "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static int write_eml(long long id, const char *kind, const char *data, size_t len, struct smtp_result *res)
{
	const char *dir = mail_dir();
	char safe[64], path[1200], tmp[1200];
	size_t k = 0;
	for (const char *p = kind ? kind : "mail"; *p && k + 1 < sizeof safe; p++)
		safe[k++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p)) ? *p : '_';
	safe[k] = 0;
	snprintf(path, sizeof path, "%s/%lld-%s.eml", dir, id, safe);
	snprintf(tmp, sizeof tmp, "%s/.%lld-%s.eml.%ld.tmp", dir, id, safe, (long)getpid());
	if (mkdirs(dir)) {
		snprintf(res->answer, sizeof res->answer, "cannot create %.300s: %s", dir, strerror(errno));
		return CLR_ESYS;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(res->answer, sizeof res->answer, "cannot write %.300s: %s", tmp, strerror(errno));
		return CLR_ESYS;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int ok = off == len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(res->answer, sizeof res->answer, "cannot write %.300s: %s", path, strerror(errno));
		unlink(tmp);
		return CLR_ESYS;
	}
	return 0;
}

/* ---- SMTP ---------------------------------------------------------------- */

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t n = size * nmemb, left = u->len - u->off;
	if (n > left)
		n = left;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* Keeps the server's last refusal (a 4xx or 5xx reply line; libcurl hands
 * replies to the debug callback as CURLINFO_HEADER_IN): the line that
 * explains a failure, not the « 221 Bye » of the QUIT that follows it. */
static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	(void)h;
	if (type != CURLINFO_HEADER_IN || size < 3 || (data[0] != '4' && data[0] != '5'))
		return 0;
	char *last = userp;
	size_t n = size < 300 ? size : 300;
	while (n && (data[n - 1] == '\r' || data[n - 1] == '\n'))
		n--;
	memcpy(last, data, n);
	last[n] = 0;
	return 0;
}

static int send_smtp(const char *url, const char *rcpt, const char *data, size_t len, struct smtp_result *res)
{
	char from_name[256], from_addr[256], env_from[300], env_rcpt[300];
	mail_from(from_name, sizeof from_name, from_addr, sizeof from_addr);
	snprintf(env_from, sizeof env_from, "<%s>", from_addr);
	snprintf(env_rcpt, sizeof env_rcpt, "<%s>", rcpt);
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(res->answer, sizeof res->answer, "libcurl: cannot create a handle");
		return CLR_ESYS;
	}
	struct curl_slist *rcpts = curl_slist_append(NULL, env_rcpt);
	struct upload u = {data, len, 0};
	char errbuf[CURL_ERROR_SIZE] = "", last[304] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (strncmp(url, "smtp://", 7) == 0) {
		const char *tls = getenv("CLR_SMTP_STARTTLS");
		long mode = CURLUSESSL_TRY;
		if (tls && strcmp(tls, "require") == 0)
			mode = CURLUSESSL_ALL;
		else if (tls && strcmp(tls, "off") == 0)
			mode = CURLUSESSL_NONE;
		curl_easy_setopt(h, CURLOPT_USE_SSL, mode);
	}
	/* the server's certificate is verified (libcurl's default), against
	 * the system's authorities or those of CLR_SMTP_CA_FILE */
	const char *ca = getenv("CLR_SMTP_CA_FILE");
	if (ca && *ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	const char *insecure = getenv("CLR_SMTP_INSECURE");
	if (insecure && strcmp(insecure, "1") == 0) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, env_from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, last);
	CURLcode cc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(h);
	res->code = code;
	if (cc == CURLE_OK)
		return 0;
	/* a 5xx refuses the message for good, except the refusals of our own
	 * credentials (RFC 4954: 530 authentication required, 534 mechanism
	 * too weak, 535 invalid credentials, 538 encryption required): the
	 * configuration is wrong, not the message, so it is retried later */
	int auth = cc == CURLE_LOGIN_DENIED || code == 530 || code == 534 || code == 535 || code == 538;
	res->permanent = code >= 500 && code <= 599 && !auth;
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
	char detail[512];
	if (last[0] && code >= 400)
		snprintf(detail, sizeof detail, "%.250s (%.250s)", last, why);
	else
		snprintf(detail, sizeof detail, "%.500s", why);
	/* what staff read in « Courriels » and the log: the cause in French,
	 * then libcurl's and the server's words (never the password: libcurl
	 * does not repeat it, and the URL is not logged) */
	const char *cause = auth ? "Authentification SMTP refusée (identifiant ou mot de passe de CLR_SMTP_URL)"
		: cc == CURLE_PEER_FAILED_VERIFICATION ? "Certificat du serveur SMTP non reconnu (autorité absente de "
							 "CLR_SMTP_CA_FILE ou du système, ou nom d’hôte différent)"
		: cc == CURLE_SSL_CACERT_BADFILE ? "Fichier d’autorités illisible (CLR_SMTP_CA_FILE)"
		: cc == CURLE_SSL_CONNECT_ERROR ? "Échec de la négociation TLS avec le serveur SMTP"
		: cc == CURLE_USE_SSL_FAILED ? "Le serveur SMTP ne propose pas STARTTLS (CLR_SMTP_STARTTLS=require)"
		: NULL;
	if (cause)
		snprintf(res->answer, sizeof res->answer, "%s : %.300s", cause, detail);
	else
		snprintf(res->answer, sizeof res->answer, "%s", detail);
	return CLR_ESYS;
}

int smtp_deliver(long long id, const char *kind, const char *rcpt, const char *message, size_t len,
		 struct smtp_result *res)
{
	memset(res, 0, sizeof *res);
	const char *url = mail_smtp_url();
	return url ? send_smtp(url, rcpt, message, len, res) : write_eml(id, kind, message, len, res);
}
