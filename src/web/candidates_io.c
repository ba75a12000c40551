/* candidates_io.c - « Importer des candidats » and the exports of the
 * list: the upload form and the CSV template, the report of an uploaded
 * file (every line, « Valide » or its French errors; nothing stored but the
 * pending file), « Confirmer l'import » (one transaction), and the current
 * filtered list as CSV or XLSX (libxlsxwriter).  Rules are in
 * domain/import.c; everything is scoped by the session's organisation and,
 * for a pending import, its user: another's token is a 404. */
#include "web/web.h"
#include "web/candidate_list.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/candidate.h"
#include "domain/import.h"
#include "http/multipart.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static view *io_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_candidates", 1);
	return v;
}

int web_import_form(struct req *r)
{
	return resp_page(r, 200, "candidates/import", io_view(r, "Importer des candidats"));
}

int web_import_template(struct req *r)
{
	buf b = BUF_INIT;
	import_template(&b);
	resp_download(r, "text/csv; charset=utf-8", "modele-import-candidats.csv", b.data, b.len);
	buf_free(&b);
	return 0;
}

static int form_error(struct req *r, const char *msg)
{
	view *v = io_view(r, "Importer des candidats");
	view_set(v, "form_error", msg);
	return resp_page(r, 422, "candidates/import", v);
}

/* The report page of a checked file. */
static int render_report(struct req *r, const char *token, const char *filename, const struct import_report *rep)
{
	arena *a = r->a;
	view *v = io_view(r, "Rapport d'import");
	view_set(v, "filename", filename && *filename ? filename : "Fichier importé");
	if (rep->file_error) {
		view_set(v, "file_error", rep->file_error);
		return resp_page(r, 422, "candidates/import_report", v);
	}
	view_set(v, "nlines", int_fmt(a, rep->nlines));
	view_set(v, "nvalid", int_fmt(a, rep->nvalid));
	view_set(v, "ninvalid", int_fmt(a, rep->ninvalid));
	view_set_bool(v, "ninvalid_any", rep->ninvalid > 0);
	view_set(v, "encoding", csv_encoding_label(rep->enc));
	view_set(v, "separator", csv_separator_label(rep->sep));
	view_set_bool(v, "can_confirm", rep->nvalid > 0);
	view_setf(v, "confirm_action", "/candidats/import/%s/confirmer", token);
	view_list(v, "lines");
	int shown_valid = 0;
	for (int i = 0; i < rep->nshown; i++) {
		const struct import_line *l = &rep->lines[i];
		view *o = view_add(v, "lines");
		view_setf(o, "line", "%d", l->line);
		view_set(o, "name", l->name);
		view_set(o, "email", l->email);
		view_set_bool(o, "valid", l->nerr == 0);
		shown_valid += l->nerr == 0;
		view_list(o, "errors");
		for (int k = 0; k < l->nerr; k++)
			view_set(view_add(o, "errors"), "text", l->errors[k]);
	}
	if (rep->nvalid > shown_valid)
		view_set(v, "omitted", int_fmt(a, rep->nvalid - shown_valid));
	return resp_page(r, 200, "candidates/import_report", v);
}

int web_import_upload(struct req *r)
{
	db *d = r->db;
	const struct mp_part *f = req_file(r, "fichier");
	if (!f || !f->filename || f->len == 0)
		return form_error(r, "Choisissez un fichier CSV à importer.");
	enum csv_encoding enc;
	size_t len;
	char *text = csv_to_utf8(r->a, f->data, f->len, &enc, &len);
	if (!text)
		return form_error(r, "Ce fichier n'est pas un fichier CSV : enregistrez-le au format CSV depuis votre tableur.");
	const char *filename = f->filename;
	if (!utf8_valid(filename, strlen(filename)) || strlen(filename) > 200)
		filename = "fichier.csv";
	struct actor who = req_actor(r);
	struct import_report rep;
	int rc = import_check(d, r->a, who.org_id, text, len, &rep);
	if (rc)
		return rc;
	rep.enc = enc;
	if (rep.file_error)
		return render_report(r, "", filename, &rep);
	char token[TOKEN_LEN + 1];
	rc = import_store(d, r->a, &who, filename, text, token);
	if (rc)
		return rc;
	log_info("msg=\"import checked\" lines=%d valid=%d ms=%.0f", rep.nlines, rep.nvalid, rep.ms_check);
	return render_report(r, token, filename, &rep);
}

int web_import_report(struct req *r)
{
	db *d = r->db;
	struct actor who = req_actor(r);
	const char *token = req_param(r, 0), *filename, *text;
	int rc = import_load(d, r->a, &who, token, &filename, &text);
	if (rc)
		return rc;
	struct import_report rep;
	rc = import_check(d, r->a, who.org_id, text, strlen(text), &rep);
	if (rc)
		return rc;
	rep.enc = CSV_UTF8;
	return render_report(r, token, filename, &rep);
}

int web_import_confirm(struct req *r)
{
	db *d = r->db;
	struct actor who = req_actor(r);
	const char *token = req_param(r, 0);
	struct import_report rep;
	int rc = import_confirm(d, r->a, &who, token, str_eq(req_form(r, "send_credentials"), "oui"), &rep);
	if (rc)
		return rc;
	if (rep.file_error)
		return render_report(r, token, "", &rep);
	log_info("msg=\"import done\" created=%lld refused=%d ms=%.0f", rep.created, rep.ninvalid, rep.ms_create);
	const char *flash;
	if (rep.created == 0)
		flash = "Aucun candidat n'a été importé.";
	else
		flash = arena_printf(r->a, "%s %s importé%s.%s", int_fmt(r->a, rep.created),
				     rep.created == 1 ? "candidat a été" : "candidats ont été", rep.created == 1 ? "" : "s",
				     rep.ninvalid ? arena_printf(r->a, " %d ligne%s en erreur ignorée%s.", rep.ninvalid,
								 rep.ninvalid == 1 ? "" : "s", rep.ninvalid == 1 ? "" : "s")
						  : "");
	return resp_redirect(r, "/candidats", flash);
}

/* ------------------------------------------------------------ export */

/* The list's filters from the URL, as /candidats reads them. */
static int export_query(struct req *r, struct candidate_query *q)
{
	struct cand_list l;
	cand_list_parse(r, &l, "/candidats", 0);
	int rc = cand_list_group_filter(r, view_new(r->a), &l);
	*q = l.cq;
	q->page = 1;
	return rc;
}

struct csv_ctx {
	buf *b;
	int ncols;
};

static int csv_row(void *vctx, const char *const *cells)
{
	struct csv_ctx *c = vctx;
	for (int i = 0; i < c->ncols; i++) {
		if (i)
			buf_addc(c->b, ';');
		csv_add_field(c->b, cells[i], ';');
	}
	buf_adds(c->b, "\r\n");
	return 0;
}

int web_export_csv(struct req *r)
{
	db *d = r->db;
	struct candidate_query q;
	int rc = export_query(r, &q);
	if (rc)
		return rc;
	const struct export_col *cols;
	buf b = BUF_INIT;
	struct csv_ctx c = {&b, candidate_export_columns(&cols)};
	const char **head = arena_alloc(r->a, sizeof *head * (size_t)c.ncols);
	for (int i = 0; i < c.ncols; i++)
		head[i] = cols[i].header;
	buf_adds(&b, "\xEF\xBB\xBF");
	csv_row(&c, head);
	rc = candidate_export(d, r->a, r->sess->org_id, &q, csv_row, &c);
	if (rc == 0)
		resp_download(r, "text/csv; charset=utf-8", "candidats.csv", b.data, b.len);
	buf_free(&b);
	return rc;
}

struct xlsx_ctx {
	lxw_worksheet *ws;
	lxw_format *bold, *date;
	const struct export_col *cols;
	int ncols;
	lxw_row_t row;
};

/* A row of text cells; date columns (jj/mm/aaaa) as real dates, so that a
 * spreadsheet sorts and filters them as dates. */
static int xlsx_row(void *vctx, const char *const *cells)
{
	struct xlsx_ctx *c = vctx;
	for (int i = 0; i < c->ncols; i++) {
		int y, m, d;
		lxw_error rc = LXW_NO_ERROR;
		if (!*cells[i])
			continue;
		if (c->row && c->cols[i].date && date_parse(cells[i], &y, &m, &d)) {
			lxw_datetime dt = {y, m, d, 0, 0, 0};
			rc = worksheet_write_datetime(c->ws, c->row, (lxw_col_t)i, &dt, c->date);
		} else {
			rc = worksheet_write_string(c->ws, c->row, (lxw_col_t)i, cells[i], c->row ? NULL : c->bold);
		}
		if (rc != LXW_NO_ERROR)
			return CLR_ESYS;
	}
	c->row++;
	return 0;
}

int web_export_xlsx(struct req *r)
{
	db *d = r->db;
	struct candidate_query q;
	int rc = export_query(r, &q);
	if (rc)
		return rc;
	char path[] = "/tmp/clr-export-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return CLR_ESYS;
	close(fd);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	if (!wb) {
		unlink(path);
		return CLR_ESYS;
	}
	struct xlsx_ctx c = {workbook_add_worksheet(wb, "Candidats"), workbook_add_format(wb), workbook_add_format(wb),
			     NULL, 0, 0};
	c.ncols = candidate_export_columns(&c.cols);
	format_set_bold(c.bold);
	format_set_num_format(c.date, "dd/mm/yyyy");
	worksheet_set_column(c.ws, 0, (lxw_col_t)(c.ncols - 1), 20, NULL);
	const char **head = arena_alloc(r->a, sizeof *head * (size_t)c.ncols);
	for (int i = 0; i < c.ncols; i++)
		head[i] = c.cols[i].header;
	rc = xlsx_row(&c, head);
	if (rc == 0)
		rc = candidate_export(d, r->a, r->sess->org_id, &q, xlsx_row, &c);
	if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
		rc = CLR_ESYS;
	if (rc == 0) {
		FILE *f = fopen(path, "rb");
		buf b = BUF_INIT;
		char chunk[65536];
		size_t n;
		while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, n);
		if (f)
			fclose(f);
		else
			rc = CLR_ESYS;
		if (rc == 0)
			resp_download(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "candidats.xlsx",
				    b.data, b.len);
		buf_free(&b);
	}
	unlink(path);
	return rc;
}
