/* api.c - the results API: POST /api/v1/results, called by the exam
 * platform with an API key (server.c has checked it: R_API).  The body is a
 * JSON object parsed by jansson and checked field by field here (types,
 * ranges, unknown fields); the rules of a result are domain/result.c's.
 * Every answer is JSON: {"certification_id", "score", "state", "status"}
 * (201 recorded, 200 the same result again), or {"error", "message"} with a
 * stable machine word and a French message.  docs/API.md and
 * docs/openapi.yaml describe every answer. */
#include "web/web.h"
#include "core/err.h"
#include "core/text.h"
#include "domain/result.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* application/json, with or without parameters (charset...). */
static int is_json(const char *ct)
{
	if (!ct || strncasecmp(ct, "application/json", 16) != 0)
		return 0;
	return ct[16] == 0 || ct[16] == ';' || ct[16] == ' ' || ct[16] == '\t';
}

/* A short, printable field name to quote back, or NULL. */
static const char *quotable(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 40)
		return NULL;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return NULL;
	return k;
}

/* "YYYY-MM-DD" and a real date. */
static int iso_date(const char *s)
{
	int y, m, d;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return date_parse(s, &y, &m, &d);
}

static const char *const fields[] = {"code", "certification_id", "score", "duration_s", "taken_at", NULL};

/* Reads the body's object into in; 0, or an answer already made (> 0). */
static int parse(struct req *r, json_t *o, struct result_in *in)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		int known = 0;
		for (int i = 0; fields[i]; i++)
			known |= strcmp(key, fields[i]) == 0;
		if (!known) {
			const char *q = quotable(key);
			resp_api_error(r, 422, "champ_inconnu",
				       arena_printf(r->a, "Champ inconnu%s%s%s : les champs acceptés sont code (ou "
							  "certification_id), score, duration_s et taken_at.",
						    q ? " « " : "", q ? q : "", q ? " »" : ""));
			return 1;
		}
	}
	json_t *code = json_object_get(o, "code"), *cid = json_object_get(o, "certification_id");
	if (json_is_null(code))
		code = NULL;
	if (json_is_null(cid))
		cid = NULL;
	if (code && cid) {
		resp_api_error(r, 422, "code_et_certification",
			       "Donnez soit code (le code d'activation), soit certification_id, pas les deux.");
		return 1;
	}
	if (!code && !cid) {
		resp_api_error(r, 422, "certification_absente",
			       "Indiquez la certification : code (le code d'activation du candidat, par exemple "
			       "« ABCD-EFGH-JKMN ») ou certification_id.");
		return 1;
	}
	if (code) {
		const char *s = json_string_value(code);
		if (!s || !*s || json_string_length(code) > 64) {
			resp_api_error(r, 422, "code_invalide",
				       "Le champ code doit être le code d'activation du candidat, en texte (par exemple "
				       "« ABCD-EFGH-JKMN »).");
			return 1;
		}
		in->code = arena_strdup(r->a, s);
	} else {
		json_int_t id = json_is_integer(cid) ? json_integer_value(cid) : 0;
		if (id <= 0) {
			resp_api_error(r, 422, "certification_id_invalide",
				       "Le champ certification_id doit être un nombre entier positif (le numéro de la "
				       "certification).");
			return 1;
		}
		in->certification_id = (long long)id;
	}
	json_t *score = json_object_get(o, "score");
	if (!score || json_is_null(score)) {
		resp_api_error(r, 422, "score_absent", "Le score est obligatoire : un nombre entier de 0 à 1000.");
		return 1;
	}
	if (!json_is_integer(score) || json_integer_value(score) < 0 || json_integer_value(score) > 1000) {
		resp_api_error(r, 422, "score_invalide",
			       "Le score doit être un nombre entier de 0 à 1000 (sans décimales ni guillemets).");
		return 1;
	}
	in->score = (int)json_integer_value(score);
	json_t *dur = json_object_get(o, "duration_s");
	if (dur && !json_is_null(dur)) {
		if (!json_is_integer(dur) || json_integer_value(dur) < 0 || json_integer_value(dur) > RESULT_DURATION_MAX) {
			resp_api_error(r, 422, "duree_invalide",
				       "La durée (duration_s) doit être un nombre entier de secondes, de 0 à 86400.");
			return 1;
		}
		in->duration_s = (long long)json_integer_value(dur);
	}
	json_t *at = json_object_get(o, "taken_at");
	if (at && !json_is_null(at)) {
		const char *s = json_string_value(at);
		if (!s || !iso_date(s)) {
			resp_api_error(r, 422, "date_invalide",
				       "La date de passage (taken_at) doit être une date réelle écrite AAAA-MM-JJ (par "
				       "exemple 2026-12-15).");
			return 1;
		}
		in->taken_at = arena_strdup(r->a, s);
	}
	return 0;
}

int web_api_results(struct req *r)
{
	if (!is_json(r->content_type))
		return resp_api_error(r, 415, "type_de_contenu",
				      "Envoyez le résultat en JSON, avec l'en-tête « Content-Type: application/json ».");
	json_error_t jerr;
	json_t *root = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				  &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_numeric_overflow)
			return resp_api_error(r, 422, "nombre_invalide",
					      "Un nombre du corps dépasse les valeurs admises : le score est un nombre entier "
					      "de 0 à 1000.");
		if (json_error_code(&jerr) == json_error_duplicate_key)
			return resp_api_error(r, 422, "champ_en_double", "Un champ figure deux fois dans l'objet JSON.");
		return resp_api_error(r, 400, "json_invalide",
				      arena_printf(r->a, "Le corps n'est pas du JSON valide (ligne %d, colonne %d) : il doit "
							 "être un objet encodé en UTF-8.", jerr.line, jerr.column));
	}
	struct result_in in = {0};
	in.source = "api";
	in.api_key_id = r->api_key_id;
	int rc = 0;
	if (!json_is_object(root))
		resp_api_error(r, 422, "corps_invalide",
			       "Le corps doit être un objet JSON, par exemple {\"code\": \"ABCD-EFGH-JKMN\", \"score\": 750}.");
	else
		rc = parse(r, root, &in);
	json_decref(root);
	if (r->responded || rc)
		return 0;

	struct actor who = req_actor(r);
	struct result_out out;
	rc = result_record(r->db, r->a, &who, &in, &out);
	if (out.certification_id) { /* the log line: which certification, and what became of it */
		const char *what = out.reason ? arena_printf(r->a, " refused=%s", out.reason)
				   : rc ? ""
				   : out.unchanged ? " result=unchanged" : " result=created";
		r->log_note = arena_printf(r->a, "%s certification=%lld%s", r->log_note, out.certification_id, what);
	}
	if (rc == CLR_EINVAL || rc == CLR_ENOTFOUND || rc == CLR_ECONFLICT)
		return resp_api_error(r, rc == CLR_EINVAL ? 422 : rc == CLR_ENOTFOUND ? 404 : 409,
				      out.reason ? out.reason : "resultat_refuse", out.message ? out.message : "Résultat refusé.");
	if (rc)
		return rc;
	json_t *o = json_pack("{s:I, s:i, s:s, s:s}", "certification_id", (json_int_t)out.certification_id, "score",
			      in.score, "state", "taken", "status", out.unchanged ? "unchanged" : "created");
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return CLR_ESYS;
	resp_json(r, out.unchanged ? 200 : 201, text);
	free(text);
	return 0;
}
