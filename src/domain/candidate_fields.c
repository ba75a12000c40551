/* candidate_fields.c - the tables of candidate_fields.h: the choices of the
 * form, the fields (expanded from CAND_FIELDS), the steps and the statuses,
 * and their lookups. */
#include "domain/candidate_fields.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const struct code_label cand_civilities[] = {
	{"madame", "Madame"}, {"monsieur", "Monsieur"}, {NULL, NULL},
};
const struct code_label cand_employments[] = {
	{"salarie", "Salarié"}, {"demandeur_emploi", "Demandeur d'emploi"}, {"etudiant", "Étudiant"},
	{"independant", "Indépendant"}, {"agent_public", "Agent public"}, {"autre", "Autre"}, {NULL, NULL},
};
const struct code_label cand_fundings[] = {
	{"cpf", "Compte personnel de formation (CPF)"}, {"employeur", "Employeur"}, {"opco", "OPCO"},
	{"france_travail", "France Travail"}, {"personnel", "Personnel"}, {"autre", "Autre"}, {NULL, NULL},
};
const struct code_label cand_educations[] = {
	{"sans", "Sans diplôme"}, {"brevet", "Brevet des collèges"}, {"cap_bep", "CAP, BEP"},
	{"bac", "Baccalauréat"}, {"bac2", "Bac + 2 (BTS, DUT, DEUST)"}, {"bac3", "Bac + 3 (licence, BUT)"},
	{"bac5", "Bac + 5 (master, diplôme d'ingénieur)"}, {"doctorat", "Doctorat"}, {NULL, NULL},
};
/* INSEE, nomenclature PCS 2020, groupes socioprofessionnels. */
const struct code_label cand_csps[] = {
	{"1", "Agriculteurs exploitants"},
	{"2", "Artisans, commerçants et chefs d'entreprise"},
	{"3", "Cadres et professions intellectuelles supérieures"},
	{"4", "Professions intermédiaires"},
	{"5", "Employés"},
	{"6", "Ouvriers"},
	{"7", "Retraités"},
	{"8", "Autres personnes sans activité professionnelle"},
	{NULL, NULL},
};
const struct code_label cand_yes_no[] = {{"oui", "Oui"}, {"non", "Non"}, {NULL, NULL}};

const char *code_label(const struct code_label *t, const char *code)
{
	for (; t && code && t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->label;
	return NULL;
}

const struct cand_field cand_fields[CAND_NFIELDS] = {
#define X(name_, step_, kind_, flags_, max_, choices_, label_, header_, aliases_, prompt_, missing_, hint_) \
	{#name_, step_, kind_, flags_, max_, choices_, label_, header_, aliases_, prompt_, missing_, hint_},
	CAND_FIELDS(X)
#undef X
};

int cand_field_find(const char *name)
{
	for (int i = 0; name && i < CAND_NFIELDS; i++)
		if (strcmp(cand_fields[i].name, name) == 0)
			return i;
	return -1;
}

const char *cand_field_header(const struct cand_field *f)
{
	return f->header ? f->header : f->label;
}

const struct cand_step_info cand_steps[CAND_NSTEPS + 1] = {
	{NULL, 0, NULL, NULL},
	{"Identité", 1, NULL, "candidate.identity"},
	{"Mot de passe", 1, NULL, "candidate.password"},
	{"Informations", 1, NULL, "candidate.info"},
	{"Coordonnées", 0,
	 "Ces champs, facultatifs lors de la création d'un candidat, seront obligatoirement remplis par le candidat "
	 "depuis son compte afin de pouvoir visualiser son score et obtenir son certificat.",
	 "candidate.contact"},
	{"Divers", 0, "Ces champs, facultatifs lors de la création d'un candidat, pourront être remplis par le candidat "
		      "depuis son compte.",
	 "candidate.misc"},
};

const struct cand_status cand_statuses[CAND_NSTATUS + 1] = {
	{CAND_DRAFT, "En création", "draft", "#8a8f98", "en-creation", "Candidat(s) en création"},
	{CAND_TO_ASSIGN, "À attribuer", "to-assign", "#1a5fb4", "a-attribuer", "Certification(s) à attribuer"},
	{CAND_PLANNED, "Prévue", "planned", "#b25e00", "prevue", "Certification(s) prévue(s)"},
	{CAND_WAITING, "En attente", "waiting", "#7b3fa0", "en-attente", "Certification(s) en attente"},
	{CAND_DONE, "Passée", "done", "#1e7b34", "passee", "Certification(s) passée(s)"},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

int cand_status_index(const char *code)
{
	for (int i = 0; code && i < CAND_NSTATUS; i++)
		if (cand_statuses[i].code == code) /* the list index's rows point at the table */
			return i;
	for (int i = 0; code && i < CAND_NSTATUS; i++)
		if (strcmp(cand_statuses[i].code, code) == 0)
			return i;
	return -1;
}

const struct cand_status *cand_status_find(const char *code)
{
	int i = cand_status_index(code);
	return i < 0 ? NULL : &cand_statuses[i];
}

static char order_sql[256];
static void order_sql_build(void)
{
	size_t n = (size_t)snprintf(order_sql, sizeof order_sql, "CASE c.status");
	for (int i = 0; i < CAND_NSTATUS; i++)
		n += (size_t)snprintf(order_sql + n, sizeof order_sql - n, " WHEN '%s' THEN %d", cand_statuses[i].code, i);
	snprintf(order_sql + n, sizeof order_sql - n, " END");
}

const char *cand_status_order_sql(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, order_sql_build);
	return order_sql;
}
