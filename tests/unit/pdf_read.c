/* pdf_read.c - reading PDFs back in tests (see pdf_read.h). */
#include "pdf_read.h"
#include "pdf/pdf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fonts_released_at_exit(void)
{
	static int done;
	if (!done++)
		atexit(pdf_thread_cleanup);
}

int have_poppler(void)
{
	return system("command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1") == 0;
}

int pdf_save(const buf *pdf, const char *name, char path[256])
{
	const char *keep = getenv("CLR_PDF_KEEP");
	if (keep && *keep) {
		snprintf(path, 256, "%s/%s.pdf", keep, name);
	} else {
		snprintf(path, 256, "/tmp/clr-pdf-%s-XXXXXX", name);
		int fd = mkstemp(path);
		if (fd < 0)
			return -1;
		close(fd);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(pdf->data, 1, pdf->len, f);
	return fclose(f) == 0 ? 0 : -1;
}

void pdf_drop(const char *path)
{
	const char *keep = getenv("CLR_PDF_KEEP");
	if (!keep || !*keep)
		unlink(path);
}

int pdf_run(const char *tool, const char *path, buf *out)
{
	char cmd[512];
	/* TZ=UTC: pdfinfo shows dates in the local time zone (other tests set TZ) */
	snprintf(cmd, sizeof cmd, "TZ=UTC %s '%s'%s 2>&1", tool, path, strncmp(tool, "pdfinfo", 7) ? " -" : "");
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char chunk[8192];
	size_t n;
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(out, chunk, n);
	return pclose(p) == 0 ? 0 : -1;
}

int count_of(const char *hay, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);
	for (const char *p = hay; (p = strstr(p, needle)); p += len)
		n++;
	return n;
}

int info_pages(const char *info)
{
	const char *p = strstr(info, "Pages:");
	return p ? atoi(p + 6) : -1;
}

int info_is(const char *info, const char *field, const char *value)
{
	size_t n = strlen(field), v = strlen(value);
	for (const char *p = info; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, field, n) || p[n] != ':')
			continue;
		const char *q = p + n + 1;
		while (*q == ' ')
			q++;
		return strncmp(q, value, v) == 0 && (q[v] == '\n' || q[v] == 0);
	}
	return 0;
}
