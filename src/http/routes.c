/* routes.c - THE route table: every URL of the platform, in one place.
 *
 * Columns: method, path pattern ({x} = one segment, captured in order),
 * handler, flags (who may call it: R_ADMIN, R_PROCTOR, R_STAFF, R_USER or none
 * for anyone, see routes.h; R_API for the results API, authenticated
 * by an API key instead of a session; R_UPLOAD for bodies up to 10 MiB).  Authentication, authorisation and the
 * CSRF check happen in server.c before the handler runs, from these flags.
 */
#include "http/routes.h"
#include "web/web.h"
#include <string.h>

const struct route routes[] = {
	/* system */
	{"GET", "/healthz", web_healthz, R_PUBLIC},
	{"GET", "/readyz", web_readyz, R_PUBLIC},
	{"GET", "/metrics", web_metrics, R_PUBLIC},
	{"GET", "/static/{name}", web_static, R_PUBLIC},
	{"GET", "/", web_root, R_PUBLIC},

	/* login */
	{"GET", "/connexion", web_login_form, R_PUBLIC},
	{"POST", "/connexion", web_login, R_PUBLIC},
	{"POST", "/deconnexion", web_logout, R_USER},
	/* « Mot de passe oublié ? » and invitations (reset.c, team.c): the
	 * token of the e-mailed link is the credential */
	{"GET", "/mot-de-passe-oublie", web_reset_form, R_PUBLIC},
	{"POST", "/mot-de-passe-oublie", web_reset_request, R_PUBLIC},
	{"GET", "/mot-de-passe-oublie/{token}", web_reset_token_form, R_PUBLIC},
	{"POST", "/mot-de-passe-oublie/{token}", web_reset_token_save, R_PUBLIC},
	{"GET", "/invitation/{token}", web_invitation_form, R_PUBLIC},
	{"POST", "/invitation/{token}", web_invitation_accept, R_PUBLIC},

	/* partner administrator */
	{"GET", "/accueil", web_home, R_ADMIN},
	{"GET", "/commandes", web_orders, R_ADMIN},
	{"GET", "/commandes/nouvelle", web_order_new, R_ADMIN},
	{"POST", "/commandes/nouvelle", web_order_create, R_ADMIN},
	{"GET", "/commandes/stock", web_stock, R_ADMIN},
	{"GET", "/commandes/{id}", web_order_show, R_ADMIN},
	{"POST", "/commandes/{id}/annuler", web_order_cancel, R_ADMIN},
	{"GET", "/groupes", web_groups, R_ADMIN},
	{"GET", "/groupes/nouveau", web_group_new_form, R_ADMIN},
	{"POST", "/groupes/nouveau", web_group_new, R_ADMIN},
	{"GET", "/groupes/{id}", web_group_show, R_ADMIN},
	{"GET", "/groupes/{id}/modifier", web_group_edit_form, R_ADMIN},
	{"POST", "/groupes/{id}/modifier", web_group_edit, R_ADMIN},
	{"GET", "/groupes/{id}/supprimer", web_group_delete_form, R_ADMIN},
	{"POST", "/groupes/{id}/supprimer", web_group_delete, R_ADMIN},
	{"GET", "/groupes/{id}/associer", web_group_pick, R_ADMIN},
	{"POST", "/groupes/{id}/associer", web_group_associate, R_ADMIN},
	{"POST", "/groupes/{id}/retirer", web_group_remove, R_ADMIN},
	{"GET", "/candidats", web_candidates_list, R_ADMIN},
	{"GET", "/candidats/communes", web_candidate_communes, R_ADMIN},
	{"GET", "/candidats/nouveau", web_candidate_new_form, R_ADMIN},
	{"POST", "/candidats/nouveau", web_candidate_new, R_ADMIN},
	/* import and export (candidates_io.c): before /candidats/{id} */
	{"GET", "/candidats/import", web_import_form, R_ADMIN},
	{"POST", "/candidats/import", web_import_upload, R_ADMIN | R_UPLOAD},
	{"GET", "/candidats/import/modele.csv", web_import_template, R_ADMIN},
	{"GET", "/candidats/import/{token}", web_import_report, R_ADMIN},
	{"POST", "/candidats/import/{token}/confirmer", web_import_confirm, R_ADMIN},
	{"GET", "/candidats/export.csv", web_export_csv, R_ADMIN},
	{"GET", "/candidats/export.xlsx", web_export_xlsx, R_ADMIN},
	{"GET", "/candidats/{id}", web_candidate_show, R_ADMIN},
	{"GET", "/candidats/{id}/etape/{n}", web_candidate_step_form, R_ADMIN},
	{"POST", "/candidats/{id}/etape/{n}", web_candidate_step_save, R_ADMIN},
	{"GET", "/candidats/{id}/supprimer", web_candidate_delete_form, R_ADMIN},
	{"POST", "/candidats/{id}/supprimer", web_candidate_delete, R_ADMIN},
	{"POST", "/candidats/{id}/groupes", web_candidate_groups_save, R_ADMIN},
	{"POST", "/candidats/{id}/acces", web_candidate_access_resend, R_ADMIN},
	{"POST", "/candidats/{id}/effacer", web_candidate_erase, R_ADMIN},
	/* « Gérer les certifications » (certifications.c) */
	{"GET", "/certifications", web_certifications, R_ADMIN},
	{"GET", "/certifications/surveillance", web_cert_partner_pick, R_ADMIN},
	{"POST", "/certifications/surveillance", web_cert_partner_assign, R_ADMIN},
	{"GET", "/certifications/la-poste", web_cert_laposte_search, R_ADMIN},
	{"GET", "/certifications/la-poste/creneaux/{id}", web_cert_laposte_pick, R_ADMIN},
	{"POST", "/certifications/la-poste/creneaux/{id}", web_cert_laposte_assign, R_ADMIN},
	{"GET", "/certifications/lots/{id}", web_cert_batch, R_ADMIN},
	{"GET", "/certifications/sessions/{id}", web_cert_session, R_ADMIN},
	{"POST", "/certifications/sessions/{id}/deplacer", web_cert_session_move, R_ADMIN},
	{"POST", "/certifications/sessions/{id}/surveillants", web_cert_session_proctors, R_ADMIN},
	{"GET", "/certifications/sessions/{id}/annuler", web_cert_session_cancel_form, R_ADMIN},
	{"POST", "/certifications/sessions/{id}/annuler", web_cert_session_cancel, R_ADMIN},
	{"GET", "/certifications/codes", web_cert_codes, R_ADMIN},
	{"POST", "/certifications/codes", web_cert_codes_generate, R_ADMIN},
	{"POST", "/certifications/sessions/{id}/codes", web_cert_session_codes, R_ADMIN},
	{"GET", "/certifications/sessions/{id}/codes.csv", web_cert_codes_csv, R_ADMIN},
	{"GET", "/certifications/sessions/{id}/codes.pdf", web_cert_codes_pdf, R_ADMIN},
	{"GET", "/certifications/sessions/{id}/surveillance.pdf", web_cert_surveillance_pdf, R_ADMIN},
	{"GET", "/certifications/sessions/{id}/brouillons.pdf", web_cert_scratch_pdf, R_ADMIN},
	{"GET", "/certifications/sessions/{id}/resultats.csv", web_cert_results_csv, R_ADMIN},
	{"POST", "/certifications/{id}/code", web_cert_regenerate, R_ADMIN},
	{"GET", "/certifications/{id}/annuler", web_cert_cancel_form, R_ADMIN},
	{"POST", "/certifications/{id}/annuler", web_cert_cancel, R_ADMIN},
	{"GET", "/certifications/{id}/deplacer", web_cert_move_form, R_ADMIN},
	{"POST", "/certifications/{id}/deplacer", web_cert_move, R_ADMIN},
	{"GET", "/compte", web_profile_form, R_ADMIN},
	{"POST", "/compte", web_profile_save, R_ADMIN},
	{"GET", "/compte/mot-de-passe", web_password_form, R_ADMIN | R_PROCTOR},
	{"POST", "/compte/mot-de-passe", web_password_save, R_ADMIN | R_PROCTOR},
	/* « Documentation » and « Contact » (account.c) */
	{"GET", "/compte/documentation", web_documentation, R_ADMIN},
	{"GET", "/compte/documentation/mode-emploi-administrateur.pdf", web_doc_admin_pdf, R_ADMIN},
	{"GET", "/compte/documentation/mode-emploi-surveillant.pdf", web_doc_proctor_pdf, R_ADMIN},
	{"GET", "/compte/documentation/feuille-de-brouillon.pdf", web_doc_scratch_pdf, R_ADMIN},
	{"GET", "/compte/documentation/document-de-surveillance.pdf", web_doc_surveillance_pdf, R_ADMIN},
	{"GET", "/compte/contact", web_contact_form, R_ADMIN},
	{"POST", "/compte/contact", web_contact_send, R_ADMIN},
	{"GET", "/compte/contact/{id}", web_contact_request, R_ADMIN},
	{"POST", "/compte/alerte-stock", web_stock_threshold_save, R_ADMIN},
	/* « Équipe » (team.c) */
	{"GET", "/compte/equipe", web_team, R_ADMIN},
	{"POST", "/compte/equipe/invitations", web_team_invite, R_ADMIN},
	{"POST", "/compte/equipe/invitations/{id}/renvoyer", web_team_resend, R_ADMIN},
	{"POST", "/compte/equipe/invitations/{id}/revoquer", web_team_revoke, R_ADMIN},
	{"POST", "/compte/equipe/membres/{id}/retirer", web_team_remove, R_ADMIN},

	/* proctor (« surveillant »), read-only on their sessions (proctor.c) */
	{"GET", "/mes-sessions", web_proctor_sessions, R_PROCTOR},
	{"GET", "/mes-sessions/{id}", web_proctor_session, R_PROCTOR},
	{"GET", "/mes-sessions/{id}/codes.pdf", web_proctor_codes_pdf, R_PROCTOR},
	{"GET", "/mes-sessions/{id}/surveillance.pdf", web_proctor_surveillance_pdf, R_PROCTOR},
	{"GET", "/mes-sessions/{id}/brouillons.pdf", web_proctor_scratch_pdf, R_PROCTOR},

	/* the candidate's space (cand_space.c): its own session kind, never an
	 * administrator's; the public pages first */
	{"GET", "/candidat/connexion", web_cand_login_form, R_PUBLIC},
	{"POST", "/candidat/connexion", web_cand_login, R_PUBLIC},
	{"GET", "/candidat/mot-de-passe-oublie", web_cand_forgot_form, R_PUBLIC},
	{"POST", "/candidat/mot-de-passe-oublie", web_cand_forgot, R_PUBLIC},
	{"GET", "/candidat/acces", web_cand_access_form, R_PUBLIC},
	{"POST", "/candidat/acces", web_cand_access, R_PUBLIC},
	{"GET", "/candidat", web_cand_home, R_CANDIDATE},
	{"POST", "/candidat/deconnexion", web_cand_logout, R_CANDIDATE},
	{"GET", "/candidat/coordonnees", web_cand_contact_form, R_CANDIDATE},
	{"POST", "/candidat/coordonnees", web_cand_contact_save, R_CANDIDATE},
	{"GET", "/candidat/divers", web_cand_misc_form, R_CANDIDATE},
	{"POST", "/candidat/divers", web_cand_misc_save, R_CANDIDATE},
	{"GET", "/candidat/communes", web_cand_communes, R_CANDIDATE},
	{"GET", "/candidat/mot-de-passe", web_cand_password_form, R_CANDIDATE},
	{"POST", "/candidat/mot-de-passe", web_cand_password_save, R_CANDIDATE},
	{"GET", "/candidat/certifications/{id}/convocation.pdf", web_cand_convocation_pdf, R_CANDIDATE},
	{"GET", "/candidat/certifications/{id}/certification.ics", web_cand_ics, R_CANDIDATE},
	{"GET", "/candidat/certifications/{id}/certificat.pdf", web_cand_certificate_pdf, R_CANDIDATE},
	{"GET", "/candidat/mes-donnees", web_cand_data, R_CANDIDATE},
	{"GET", "/candidat/mes-donnees.json", web_cand_data_json, R_CANDIDATE},
	{"POST", "/candidat/mes-donnees/effacement", web_cand_erasure_request, R_CANDIDATE},
	/* the public verification of a certificate (a code, or the QR code's link) */
	{"GET", "/verification", web_verification, R_PUBLIC},

	/* Le Robert staff */
	{"GET", "/backoffice", web_bo_home, R_STAFF},
	{"GET", "/backoffice/commandes", web_bo_orders, R_STAFF},
	{"GET", "/backoffice/commandes/{id}", web_bo_order, R_STAFF},
	{"POST", "/backoffice/commandes/{id}/devis", web_bo_order_quote, R_STAFF},
	{"POST", "/backoffice/commandes/{id}/valider", web_bo_order_validate, R_STAFF},
	{"POST", "/backoffice/commandes/{id}/annuler", web_bo_order_cancel, R_STAFF},
	{"GET", "/backoffice/organisations", web_bo_orgs, R_STAFF},
	{"GET", "/backoffice/organisations/{id}", web_bo_org, R_STAFF},
	{"POST", "/backoffice/organisations/{id}/stock", web_bo_stock_correct, R_STAFF},
	{"GET", "/backoffice/produits", web_bo_products, R_STAFF},
	{"POST", "/backoffice/produits", web_bo_product_create, R_STAFF},
	{"POST", "/backoffice/produits/{id}", web_bo_product_save, R_STAFF},
	/* La Poste exam centres and their slots (bo_centres.c): the fixed
	 * paths before /backoffice/centres/{id} */
	{"GET", "/backoffice/centres", web_bo_centres, R_STAFF},
	{"POST", "/backoffice/centres", web_bo_centre_create, R_STAFF},
	{"GET", "/backoffice/centres/communes", web_candidate_communes, R_STAFF},
	{"GET", "/backoffice/centres/import", web_bo_slots_import_form, R_STAFF},
	{"POST", "/backoffice/centres/import", web_bo_slots_import, R_STAFF | R_UPLOAD},
	{"GET", "/backoffice/centres/import/modele-creneaux.csv", web_bo_slots_template, R_STAFF},
	{"GET", "/backoffice/centres/{id}", web_bo_centre, R_STAFF},
	{"POST", "/backoffice/centres/{id}", web_bo_centre_save, R_STAFF},
	{"POST", "/backoffice/centres/{id}/creneaux", web_bo_slot_create, R_STAFF},
	{"POST", "/backoffice/centres/{id}/creneaux/{slot}/places", web_bo_slot_seats, R_STAFF},
	{"POST", "/backoffice/centres/{id}/creneaux/{slot}/fermer", web_bo_slot_close, R_STAFF},
	{"POST", "/backoffice/centres/{id}/creneaux/{slot}/rouvrir", web_bo_slot_reopen, R_STAFF},
	{"GET", "/backoffice/courriels", web_bo_mail, R_STAFF},
	{"POST", "/backoffice/courriels/{id}/renvoyer", web_bo_mail_retry, R_STAFF},
	/* results by CSV (bo_results.c): the fixed paths before {token} */
	{"GET", "/backoffice/resultats", web_bo_results_form, R_STAFF},
	{"POST", "/backoffice/resultats", web_bo_results_upload, R_STAFF | R_UPLOAD},
	{"GET", "/backoffice/resultats/modele.csv", web_bo_results_template, R_STAFF},
	{"GET", "/backoffice/resultats/{token}", web_bo_results_report, R_STAFF},
	{"POST", "/backoffice/resultats/{token}/confirmer", web_bo_results_confirm, R_STAFF},
	/* the results API's keys (bo_api.c) */
	{"GET", "/backoffice/cles-api", web_bo_api_keys, R_STAFF},
	{"POST", "/backoffice/cles-api", web_bo_api_key_create, R_STAFF},
	{"GET", "/backoffice/cles-api/{id}/revoquer", web_bo_api_key_revoke_form, R_STAFF},
	{"POST", "/backoffice/cles-api/{id}/revoquer", web_bo_api_key_revoke, R_STAFF},
	/* « Demandes »: the « Contact » tab's requests (bo_support.c) */
	{"GET", "/backoffice/demandes", web_bo_support_list, R_STAFF},
	{"GET", "/backoffice/demandes/{id}", web_bo_support_show, R_STAFF},
	{"POST", "/backoffice/demandes/{id}/repondre", web_bo_support_answer, R_STAFF},
	{"POST", "/backoffice/demandes/{id}/clore", web_bo_support_close, R_STAFF},
	/* « Mon compte » of staff (account.c) */
	{"GET", "/backoffice/compte", web_profile_form, R_STAFF},
	{"POST", "/backoffice/compte", web_profile_save, R_STAFF},
	{"GET", "/backoffice/compte/mot-de-passe", web_password_form, R_STAFF},
	{"POST", "/backoffice/compte/mot-de-passe", web_password_save, R_STAFF},

	/* the results API (api.c, docs/API.md): the exam platform, with an
	 * API key; JSON in and out */
	{"POST", "/api/v1/results", web_api_results, R_API},

	{NULL, NULL, NULL, 0},
};

/* Matches one pattern against a path, segment by segment. */
static int match(struct req *r, const char *pat, const char *path)
{
	int np = 0;
	const char *caps[4];
	size_t lens[4];
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return 0;
		pat++;
		path++;
		const char *pe = strchr(pat, '/');
		const char *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pl >= 2 && pat[0] == '{') {
			if (sl == 0 || np == 4)
				return 0;
			caps[np] = path;
			lens[np++] = sl;
		} else if (pl != sl || strncmp(pat, path, pl) != 0) {
			return 0;
		}
		pat += pl;
		path += sl;
	}
	if (*pat || *path)
		return 0;
	if (r) {
		for (int i = 0; i < np; i++)
			r->params[i] = arena_strndup(r->a, caps[i], lens[i]);
		r->nparams = np;
	}
	return 1;
}

const struct route *route_match(struct req *r, const char *method, const char *path, int *path_known)
{
	*path_known = 0;
	for (const struct route *rt = routes; rt->method; rt++) {
		if (!match(NULL, rt->pattern, path))
			continue;
		if (strcmp(rt->method, method) == 0) {
			match(r, rt->pattern, path);
			return rt;
		}
		*path_known = 1;
	}
	return NULL;
}
