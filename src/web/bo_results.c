/* bo_results.c - the back office's « Résultats »: results in a CSV file, in
 * two steps.  The upload form and its template; the report of an uploaded
 * file (every refused line with its French reason, the new and the
 * unchanged ones; nothing stored but the pending file, bound to the staff
 * member by a token); « Confirmer l'import », which records every valid
 * line in one transaction.  Rules: domain/results_import.c, result.c. */
#include "web/web.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "core/text.h"
#include "domain/results_import.h"
#include "http/multipart.h"
#include <stdlib.h>
#include <string.h>

static view *results_view(struct req *r, const char *title)
{
	view *v = page_view(r, title);
	view_set_bool(v, "nav_bo_results", 1);
	return v;
}

static int form_page(struct req *r, int status, const char *error)
{
	view *v = results_view(r, "Importer des résultats");
	char *typo = error ? fr_typography(error) : NULL; /* a value: templates leave it as it is */
	view_set(v, "form_error", typo ? arena_strdup(r->a, typo) : error ? error : "");
	free(typo);
	return resp_page(r, status, "backoffice/results", v);
}

int web_bo_results_form(struct req *r)
{
	return form_page(r, 200, NULL);
}

int web_bo_results_template(struct req *r)
{
	buf b = BUF_INIT;
	results_template(&b);
	resp_download(r, "text/csv; charset=utf-8", "modele-resultats.csv", b.data, b.len);
	buf_free(&b);
	return 0;
}

static const char *const kind_labels[] = {[RL_NEW] = "Nouveau", [RL_UNCHANGED] = "Déjà enregistré", [RL_ERROR] = ""};

static int render_report(struct req *r, const char *token, const char *filename, const struct results_report *rep)
{
	arena *a = r->a;
	view *v = results_view(r, "Rapport d'import des résultats");
	view_set(v, "filename", filename && *filename ? filename : "Fichier importé");
	view_set(v, "file_error", rep->file_error ? rep->file_error : "");
	if (rep->file_error)
		return resp_page(r, 422, "backoffice/results_report", v);
	view_set(v, "nlines", int_fmt(a, rep->nlines));
	view_set(v, "nnew", int_fmt(a, rep->nnew));
	view_set(v, "nunchanged", int_fmt(a, rep->nunchanged));
	view_set(v, "ninvalid", int_fmt(a, rep->ninvalid));
	view_set_bool(v, "ninvalid_any", rep->ninvalid > 0);
	view_set(v, "ignored", rep->ignored ? rep->ignored : "");
	view_set(v, "encoding", csv_encoding_label(rep->enc));
	view_set(v, "separator", csv_separator_label(rep->sep));
	view_set_bool(v, "can_confirm", rep->nnew > 0);
	view_setf(v, "confirm_action", "/backoffice/resultats/%s/confirmer", token);
	view_list(v, "lines");
	int shown_ok = 0;
	for (int i = 0; i < rep->nshown; i++) {
		const struct results_line *l = &rep->lines[i];
		view *o = view_add(v, "lines");
		view_setf(o, "line", "%d", l->line);
		view_set(o, "ref", l->ref);
		view_set(o, "score", l->score);
		view_set(o, "candidate", l->candidate);
		view_set(o, "org", l->org);
		view_set_bool(o, "ok", l->kind != RL_ERROR);
		view_set_bool(o, "unchanged", l->kind == RL_UNCHANGED);
		view_set(o, "label", kind_labels[l->kind]);
		view_set(o, "error", l->error ? l->error : "");
		shown_ok += l->kind != RL_ERROR;
	}
	int ok = rep->nnew + rep->nunchanged;
	view_set(v, "omitted", ok > shown_ok ? int_fmt(a, ok - shown_ok) : "");
	return resp_page(r, 200, "backoffice/results_report", v);
}

int web_bo_results_upload(struct req *r)
{
	const struct mp_part *f = req_file(r, "fichier");
	if (!f || !f->filename || f->len == 0)
		return form_page(r, 422, "Choisissez un fichier CSV à importer.");
	enum csv_encoding enc;
	size_t len;
	char *text = csv_to_utf8(r->a, f->data, f->len, &enc, &len);
	if (!text)
		return form_page(r, 422, "Ce fichier n'est pas un fichier CSV : enregistrez-le au format CSV depuis votre tableur.");
	const char *filename = f->filename;
	if (!utf8_valid(filename, strlen(filename)) || strlen(filename) > 200)
		filename = "fichier.csv";
	struct actor who = req_actor(r);
	struct results_report rep;
	int rc = results_check(r->db, r->a, text, len, &rep);
	if (rc)
		return rc;
	rep.enc = enc;
	if (rep.file_error)
		return render_report(r, "", filename, &rep);
	char token[TOKEN_LEN + 1];
	if ((rc = results_store(r->db, r->a, &who, filename, text, token)) != 0)
		return rc;
	log_info("msg=\"results checked\" lines=%d new=%d unchanged=%d refused=%d", rep.nlines, rep.nnew, rep.nunchanged,
		 rep.ninvalid);
	return render_report(r, token, filename, &rep);
}

int web_bo_results_report(struct req *r)
{
	struct actor who = req_actor(r);
	const char *token = req_param(r, 0), *filename, *text;
	int rc = results_load(r->db, r->a, &who, token, &filename, &text);
	if (rc)
		return rc;
	struct results_report rep;
	if ((rc = results_check(r->db, r->a, text, strlen(text), &rep)) != 0)
		return rc;
	rep.enc = CSV_UTF8;
	return render_report(r, token, filename, &rep);
}

int web_bo_results_confirm(struct req *r)
{
	struct actor who = req_actor(r);
	const char *token = req_param(r, 0);
	struct results_report rep;
	int rc = results_confirm(r->db, r->a, &who, token, &rep);
	if (rc)
		return rc;
	if (rep.file_error)
		return render_report(r, token, "", &rep);
	log_info("msg=\"results imported\" recorded=%lld unchanged=%d refused=%d", rep.recorded, rep.nunchanged,
		 rep.ninvalid);
	const char *flash;
	if (rep.recorded == 0)
		flash = "Aucun résultat n'a été enregistré.";
	else
		flash = arena_printf(r->a, "%s %s enregistré%s : les candidats ont été prévenus par courriel.%s",
				     int_fmt(r->a, rep.recorded), rep.recorded == 1 ? "résultat a été" : "résultats ont été",
				     rep.recorded == 1 ? "" : "s",
				     rep.ninvalid ? arena_printf(r->a, " %d ligne%s refusée%s ignorée%s.", rep.ninvalid,
								 rep.ninvalid == 1 ? "" : "s", rep.ninvalid == 1 ? "" : "s",
								 rep.ninvalid == 1 ? "" : "s")
						  : "");
	return resp_redirect(r, "/backoffice/resultats", flash);
}
