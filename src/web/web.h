/* web.h - every screen handler, grouped by screen family (one .c each).
 * Handlers parse and authorise, call one domain function, and build the
 * view; they hold no SQL.  The route table (http/routes.c) maps URLs here. */
#ifndef CLR_WEB_H
#define CLR_WEB_H
#include "http/request.h"
#include "domain/audit.h"

/* system.c */
int web_healthz(struct req *r);
int web_static(struct req *r);
int web_root(struct req *r);
/* ops.c - GET /metrics (CLR_METRICS_FROM only) and GET /readyz */
int web_metrics(struct req *r);
int web_readyz(struct req *r);

/* auth.c */
int web_login_form(struct req *r);
int web_login(struct req *r);
int web_logout(struct req *r);

/* home.c */
int web_home(struct req *r);

/* groups.c - « Groupes » (issue 5) */
int web_groups(struct req *r);
int web_group_new_form(struct req *r);
int web_group_new(struct req *r);
int web_group_show(struct req *r);
int web_group_edit_form(struct req *r);
int web_group_edit(struct req *r);
int web_group_delete_form(struct req *r);
int web_group_delete(struct req *r);
int web_group_pick(struct req *r);
int web_group_associate(struct req *r);
int web_group_remove(struct req *r);
int web_candidate_groups_save(struct req *r);
/* « Groupes » tile on « Accueil » (home.c): groups_total */
int web_groups_tile(struct req *r, view *v);
/* The candidate page's « Groupes » section (candidates.c, templates/groups/candidate) */
int web_candidate_groups_fill(struct req *r, view *v, long long cid);
/* « Tous les groupes » options (group_options) with `selected` (an id as
 * text) marked; *gid = that id if it is one of the organisation's groups,
 * else 0. */
int web_group_options(struct req *r, view *v, const char *selected, long long *gid);

/* account.c */
int web_profile_form(struct req *r);
int web_profile_save(struct req *r);
int web_password_form(struct req *r);
int web_password_save(struct req *r);
int web_documentation(struct req *r);
int web_doc_admin_pdf(struct req *r);
int web_doc_proctor_pdf(struct req *r);
int web_doc_scratch_pdf(struct req *r);
int web_doc_surveillance_pdf(struct req *r);
int web_contact_form(struct req *r);
int web_contact_send(struct req *r);
int web_contact_request(struct req *r);
/* A support request's facts and answers into v (shared with bo_support.c). */
struct support_request;
void web_support_request_fill(struct req *r, view *v, const struct support_request *q);
void web_support_answers_fill(struct req *r, view *v, const struct support_request *q);

/* orders.c - « Mes commandes » (administrator) */
int web_orders(struct req *r);
int web_order_new(struct req *r);
int web_order_create(struct req *r);
int web_order_show(struct req *r);
int web_order_cancel(struct req *r);
int web_stock(struct req *r);
/* shared with bo_orders.c: balances + ledger into v */
int web_stock_fill(struct req *r, view *v, long long org_id);
/* « Certifications restantes » on « Accueil » (home.c), from its balances */
struct stock_balance;
void web_stock_tile(struct req *r, view *v, const struct stock_balance *bs, int nb, long long total);

/* bo_orders.c - back office: orders, organisations and stock, products */
int web_bo_orders(struct req *r);
int web_bo_order(struct req *r);
int web_bo_order_quote(struct req *r);
int web_bo_order_validate(struct req *r);
int web_bo_order_cancel(struct req *r);
int web_bo_orgs(struct req *r);
int web_bo_org(struct req *r);
int web_bo_stock_correct(struct req *r);
int web_bo_products(struct req *r);
int web_bo_product_create(struct req *r);
int web_bo_product_save(struct req *r);

/* bo_centres.c - back office: La Poste exam centres and their slots, CSV import of slots */
int web_bo_centres(struct req *r);
int web_bo_centre_create(struct req *r);
int web_bo_centre(struct req *r);
int web_bo_centre_save(struct req *r);
int web_bo_slot_create(struct req *r);
int web_bo_slot_seats(struct req *r);
int web_bo_slot_close(struct req *r);
int web_bo_slot_reopen(struct req *r);
int web_bo_slots_import_form(struct req *r);
int web_bo_slots_import(struct req *r);
int web_bo_slots_template(struct req *r);

/* candidates.c - « Candidats » (issue 6) */
int web_candidates_list(struct req *r);
int web_candidate_communes(struct req *r);
int web_candidate_new_form(struct req *r);
int web_candidate_new(struct req *r);
int web_candidate_show(struct req *r);
int web_candidate_step_form(struct req *r);
int web_candidate_step_save(struct req *r);
int web_candidate_delete_form(struct req *r);
int web_candidate_delete(struct req *r);
/* « Candidats » tile on « Accueil » (home.c) */
int web_candidates_tile(struct req *r, view *v);

/* candidates_io.c - « Importer des candidats », exports of the list (issue 6) */
int web_import_form(struct req *r);
int web_import_template(struct req *r);
int web_import_upload(struct req *r);
int web_import_report(struct req *r);
int web_import_confirm(struct req *r);
int web_export_csv(struct req *r);
int web_export_xlsx(struct req *r);

/* certifications.c - « Gérer les certifications » */
int web_certifications(struct req *r);
int web_cert_partner_pick(struct req *r);
int web_cert_partner_assign(struct req *r);
int web_cert_laposte_search(struct req *r);
int web_cert_laposte_pick(struct req *r);
int web_cert_laposte_assign(struct req *r);
int web_cert_batch(struct req *r);
int web_cert_session(struct req *r);
int web_cert_session_move(struct req *r);
int web_cert_session_cancel_form(struct req *r);
int web_cert_session_cancel(struct req *r);
int web_cert_cancel_form(struct req *r);
int web_cert_cancel(struct req *r);
int web_cert_move_form(struct req *r);
int web_cert_move(struct req *r);
int web_cert_codes(struct req *r);
int web_cert_codes_generate(struct req *r);
int web_cert_session_codes(struct req *r);
int web_cert_regenerate(struct req *r);
int web_cert_codes_csv(struct req *r);
int web_cert_codes_pdf(struct req *r);
int web_cert_surveillance_pdf(struct req *r);
int web_cert_scratch_pdf(struct req *r);
int web_cert_results_csv(struct req *r);
/* The candidate page's « Certifications » section (candidates.c,
 * templates/certifications/candidate): cand_certs, cert_history. */
int web_candidate_certifications_fill(struct req *r, view *v, long long cid);

/* team.c - « Équipe » (issue 15), the invitation link, « Alerte de stock » */
int web_team(struct req *r);
int web_team_invite(struct req *r);
int web_team_resend(struct req *r);
int web_team_revoke(struct req *r);
int web_team_remove(struct req *r);
int web_invitation_form(struct req *r);
int web_invitation_accept(struct req *r);
int web_stock_threshold_save(struct req *r);
/* « Alerte de stock » field of « Profil » (account.c): threshold */
int web_stock_threshold_fill(struct req *r, view *v);
/* The low-stock banner of « Accueil » (home.c), from its balances: has_stock_alerts, stock_alerts,
 * stock_threshold */
int web_stock_alert_fill(struct req *r, view *v, const struct stock_balance *bs, int nb);

/* reset.c - « Mot de passe oublié ? » */
int web_reset_form(struct req *r);
int web_reset_request(struct req *r);
int web_reset_token_form(struct req *r);
int web_reset_token_save(struct req *r);

/* proctor.c - the proctor's « Mes sessions »; a session's « Surveillants » */
int web_proctor_sessions(struct req *r);
int web_proctor_session(struct req *r);
int web_proctor_codes_pdf(struct req *r);
int web_proctor_surveillance_pdf(struct req *r);
int web_proctor_scratch_pdf(struct req *r);
int web_cert_session_proctors(struct req *r);
/* The session page's « Surveillants » (certifications.c): proctors, has_proctors */
int web_session_proctors_fill(struct req *r, view *v, long long session_id);

/* backoffice.c */
int web_bo_home(struct req *r);

/* bo_mail.c - back office « Courriels » (the outbox) */
int web_bo_mail(struct req *r);
int web_bo_mail_retry(struct req *r);

/* bo_api.c - back office « Clés d'API » (the results API's keys) */
int web_bo_api_keys(struct req *r);
int web_bo_api_key_create(struct req *r);
int web_bo_api_key_revoke_form(struct req *r);
int web_bo_api_key_revoke(struct req *r);

/* bo_support.c - back office « Demandes » (the « Contact » tab's requests) */
int web_bo_support_list(struct req *r);
int web_bo_support_show(struct req *r);
int web_bo_support_answer(struct req *r);
int web_bo_support_close(struct req *r);

/* bo_results.c - back office « Résultats »: results by CSV, in two steps */
int web_bo_results_form(struct req *r);
int web_bo_results_upload(struct req *r);
int web_bo_results_template(struct req *r);
int web_bo_results_report(struct req *r);
int web_bo_results_confirm(struct req *r);

/* api.c - the results API (R_API: the exam platform's key) */
int web_api_results(struct req *r);

/* helpers shared by handlers (system.c) */
struct actor req_actor(const struct req *r);
/* Whether the query asks for the results alone (partiel=1: live updates of
 * a list as one types or filters, static/app.js). */
int web_is_part(const struct req *r);
/* The template `part` alone when the query has partiel=1 (live updates of a
 * list), else the page `page`. */
int web_page_or_part(struct req *r, const char *page, const char *part, view *v);

/* cand_space.c - the candidate's space (/candidat/...), issue 16 */
int web_cand_login_form(struct req *r);
int web_cand_login(struct req *r);
int web_cand_logout(struct req *r);
int web_cand_forgot_form(struct req *r);
int web_cand_forgot(struct req *r);
int web_cand_access_form(struct req *r);
int web_cand_access(struct req *r);
int web_cand_home(struct req *r);
int web_cand_contact_form(struct req *r);
int web_cand_contact_save(struct req *r);
int web_cand_misc_form(struct req *r);
int web_cand_misc_save(struct req *r);
int web_cand_convocation_pdf(struct req *r);
int web_cand_ics(struct req *r);
int web_cand_password_form(struct req *r);
int web_cand_password_save(struct req *r);
int web_cand_communes(struct req *r);
int web_cand_certificate_pdf(struct req *r);
/* the public verification of a certificate */
int web_verification(struct req *r);
int web_cand_data(struct req *r);
int web_cand_data_json(struct req *r);
int web_cand_erasure_request(struct req *r);
/* the administrator erases a candidate's personal data */
int web_candidate_erase(struct req *r);
/* the candidate page's erasure request and state (cand_space.c) */
struct candidate;
void web_candidate_privacy_fill(struct req *r, view *v, const struct candidate *c);
/* « Renvoyer le lien d'accès » on the candidate page (administrator) */
int web_candidate_access_resend(struct req *r);
/* The fields of step `step` of the candidate form into v (candidates.c),
 * for the candidate's own forms. */
struct candidate_input;
struct errs;
int web_candidate_fields(struct req *r, view *v, int step, const struct candidate_input *vals, const struct errs *e,
			 int all_required);

#endif
