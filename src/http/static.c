/* static.c - table of embedded static assets with content hashes. */
#include "http/static.h"
#include "core/embedded.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATIC 64

static struct static_file files[MAX_STATIC];
static char urls[MAX_STATIC][96];
static int nfiles;

static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	static const char *const map[][2] = {
		{".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".svg", "image/svg+xml"},           {".png", "image/png"},
		{".ico", "image/x-icon"},            {".pdf", "application/pdf"},
		{".csv", "text/csv; charset=utf-8"}, {".woff2", "font/woff2"},
	};
	for (size_t i = 0; dot && i < sizeof map / sizeof *map; i++)
		if (strcmp(dot, map[i][0]) == 0)
			return map[i][1];
	return "application/octet-stream";
}

void static_init(void)
{
	if (nfiles)
		return;
	for (size_t i = 0; i < embedded_count && nfiles < MAX_STATIC; i++) {
		const struct embedded_file *e = &embedded_files[i];
		if (strncmp(e->name, "static/", 7) != 0)
			continue;
		struct static_file *f = &files[nfiles];
		f->name = e->name + 7;
		f->data = e->data;
		f->len = e->len;
		f->content_type = type_of(f->name);
		unsigned char h[8];
		char hex[17];
		crypto_generichash(h, sizeof h, e->data, e->len, NULL, 0);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		snprintf(f->etag, sizeof f->etag, "\"%s\"", hex);
		snprintf(urls[nfiles], sizeof urls[nfiles], "/static/%s?v=%.10s", f->name, hex);
		nfiles++;
	}
}

const struct static_file *static_find(const char *name)
{
	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

const char *static_url(const char *name)
{
	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i].name, name) == 0)
			return urls[i];
	return "/static/missing";
}
