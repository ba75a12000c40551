/* candidate_fields.h - THE description of a candidate's record, in three
 * tables: the fields (CAND_FIELDS, one line each), the five steps of the
 * form, and the statuses (cand_statuses).  Everything that lists fields is
 * derived from CAND_FIELDS: the members of struct candidate_input and
 * struct candidate (candidate.h), the columns read and written and the
 * staging table of the import (candidate.c), the form's fields and their
 * rendering (web/candidates.c, templates/candidates/field.html), the
 * candidate page, the import's column mapping (import.c) and the CSV/XLSX
 * exports (cand_query.c).  Likewise every list of statuses (filters, URL
 * slugs, colours, the SQL sort order) comes from cand_statuses.
 *
 * Adding an optional field to « Divers »: one X(...) line in step 5 below,
 * and a migration `ALTER TABLE candidates ADD COLUMN name TEXT NOT NULL
 * DEFAULT ''`.  Its kind gives its validation, its input and its display.
 */
#ifndef CLR_CANDIDATE_FIELDS_H
#define CLR_CANDIDATE_FIELDS_H

/* A code stored in the database with its French label.  Tables end with
 * {NULL, NULL}. */
struct code_label {
	const char *code, *label;
};
extern const struct code_label cand_civilities[];  /* madame, monsieur */
extern const struct code_label cand_employments[]; /* « Statut »: salarie, demandeur_emploi, ... */
extern const struct code_label cand_fundings[];    /* « Financement »: cpf, employeur, ... */
extern const struct code_label cand_educations[];  /* « Niveau d'études » */
extern const struct code_label cand_csps[];        /* INSEE PCS groups '1'..'8' */
extern const struct code_label cand_yes_no[];      /* oui, non */
/* Label of code in table t, or NULL. */
const char *code_label(const struct code_label *t, const char *code);

/* What a field holds: its validation, its input and how it is shown. */
enum cand_kind {
	CK_RADIO,    /* one of `choices`, as radio buttons */
	CK_SELECT,   /* one of `choices`, as a <select> */
	CK_NAME,     /* a person's name: letters, spaces, hyphens, apostrophes */
	CK_TEXT,     /* free text on one line */
	CK_EMAIL,    /* lower-cased */
	CK_DATE,     /* typed jj/mm/aaaa, stored YYYY-MM-DD */
	CK_POSTAL,   /* a place's postal code (French ones checked with their commune) */
	CK_CITY,     /* the place's commune (official name when in France) or foreign city, after its postal code */
	CK_COUNTRY,  /* ISO 3166-1 alpha-2 code of ref_countries, after the place's postal code and commune */
	CK_PHONE,
	CK_PASSWORD, /* never stored as such, never shown */
	CK_DERIVED,  /* set by validation (the INSEE code of a French birthplace), not a form field */
};

/* Flags. */
#define CF_REQ 1      /* required in its step */
#define CF_COLREQ 2   /* an import file must have this column */
#define CF_FORM 4     /* a form field, not a column (the password and its confirmation) */
#define CF_NOIMPORT 8 /* neither imported nor exported */
#define CF_BOOL 16    /* "oui"/"non" in forms, stored as INTEGER 1/0 */

/* The fields, in the order of the form, the candidate page, the import
 * template and the exports.  Columns:
 *   name     C member = database column = form field = error key
 *   step     1..5 (the steps table below)
 *   kind     enum cand_kind
 *   flags    CF_*
 *   max      most characters accepted (0: no limit of its own)
 *   choices  code/label table of CK_RADIO and CK_SELECT
 *   label    French label (form, candidate page, import error prefix)
 *   header   import/export column when not the label (NULL)
 *   aliases  other import headers, folded to letters and digits, '|'-separated
 *   prompt   placeholder of an input, empty option of a <select> (NULL: none)
 *   missing  message when a required field is empty (NULL: optional, or a rule of its own)
 *   hint     help under the field (NULL: none) */
#define CAND_FIELDS(X) \
	/* 1. Identité */ \
	X(civility, 1, CK_RADIO, CF_REQ | CF_COLREQ, 0, cand_civilities, "Civilité", NULL, "", NULL, "Veuillez choisir la civilité.", NULL) \
	X(last_name, 1, CK_NAME, CF_REQ | CF_COLREQ, 100, NULL, "Nom", NULL, "nomdusage|nomdefamille", "Nom", "Veuillez indiquer le nom.", NULL) \
	X(birth_name, 1, CK_NAME, 0, 100, NULL, "Nom de naissance", NULL, "", "Nom de naissance", NULL, NULL) \
	X(first_name, 1, CK_NAME, CF_REQ | CF_COLREQ, 100, NULL, "Prénom", NULL, "", "Prénom", "Veuillez indiquer le prénom.", NULL) \
	X(email, 1, CK_EMAIL, CF_REQ | CF_COLREQ, 254, NULL, "Courriel", NULL, "email|mail|adressedecourriel|adressecourriel|adresseemail|adressemail", "Courriel", "Veuillez indiquer une adresse de courriel.", NULL) \
	X(birth_date, 1, CK_DATE, CF_REQ | CF_COLREQ, 10, NULL, "Date de naissance", NULL, "", "jj/mm/aaaa", "Veuillez indiquer la date de naissance.", NULL) \
	X(birth_postal_code, 1, CK_POSTAL, CF_REQ, 5, NULL, "Code postal de naissance", NULL, "", "Code postal de naissance", NULL, "Obligatoire pour une naissance en France (métropole et outre-mer).") \
	X(birth_city, 1, CK_CITY, CF_REQ, 100, NULL, "Commune de naissance", NULL, "villedenaissance|lieudenaissance", "Commune de naissance", NULL, NULL) \
	X(birth_country, 1, CK_COUNTRY, CF_REQ, 0, NULL, "Pays de naissance", NULL, "", "Choisissez un pays", "Veuillez choisir le pays de naissance.", NULL) \
	X(birth_insee, 1, CK_DERIVED, CF_NOIMPORT, 0, NULL, "Code INSEE de naissance", NULL, "", NULL, NULL, NULL) \
	/* 2. Mot de passe */ \
	X(password, 2, CK_PASSWORD, CF_REQ | CF_FORM | CF_NOIMPORT, 200, NULL, "Mot de passe", NULL, "", "Mot de passe", NULL, "Le mot de passe doit contenir au minimum 6 caractères.") \
	X(password_confirm, 2, CK_PASSWORD, CF_REQ | CF_FORM | CF_NOIMPORT, 200, NULL, "Confirmation du mot de passe", NULL, "", "Confirmation du mot de passe", NULL, NULL) \
	X(send_credentials, 2, CK_RADIO, CF_REQ | CF_BOOL | CF_NOIMPORT, 0, cand_yes_no, "Envoyer l'identifiant et le mot de passe par courriel", NULL, "", NULL, "Indiquez si l'identifiant et le mot de passe doivent être envoyés par courriel.", "Possibilité d'envoyer l'identifiant et le mot de passe par courriel.") \
	/* 3. Informations */ \
	X(employment, 3, CK_SELECT, CF_REQ | CF_COLREQ, 0, cand_employments, "Statut", NULL, "statutprofessionnel", "Choisissez un statut", "Veuillez choisir le statut.", NULL) \
	X(funding, 3, CK_SELECT, CF_REQ | CF_COLREQ, 0, cand_fundings, "Financement", NULL, "", "Choisissez un financement", "Veuillez choisir le financement.", NULL) \
	/* 4. Coordonnées */ \
	X(phone, 4, CK_PHONE, 0, 30, NULL, "Téléphone (mobile de préférence)", "Téléphone", "telephonemobile|mobile|portable", NULL, NULL, NULL) \
	X(address, 4, CK_TEXT, 0, 200, NULL, "Adresse de résidence", NULL, "adresse", NULL, NULL, NULL) \
	X(postal_code, 4, CK_POSTAL, 0, 12, NULL, "Code postal de résidence", NULL, "codepostal", "Code postal de résidence", NULL, NULL) \
	X(city, 4, CK_CITY, 0, 100, NULL, "Commune de résidence", NULL, "commune|ville|villederesidence", "Commune de résidence", NULL, NULL) \
	X(country, 4, CK_COUNTRY, 0, 0, NULL, "Pays de résidence", NULL, "pays", "Choisissez un pays", NULL, NULL) \
	/* 5. Divers */ \
	X(education, 5, CK_SELECT, 0, 0, cand_educations, "Niveau d'études", NULL, "", "Choisissez un niveau d'études", NULL, NULL) \
	X(csp, 5, CK_SELECT, 0, 0, cand_csps, "Catégorie socio-professionnelle", NULL, "csp", "Choisissez une catégorie socio-professionnelle", NULL, NULL) \
	X(french_native, 5, CK_RADIO, 0, 0, cand_yes_no, "Le français est-il votre langue maternelle ?", "Langue maternelle française", "francaislanguematernelle", NULL, NULL, NULL)

/* CF_<name>: a field's index in cand_fields. */
enum cand_field_id {
#define X(name, ...) CF_##name,
	CAND_FIELDS(X)
#undef X
	CAND_NFIELDS
};

struct cand_field {
	const char *name;
	int step;
	enum cand_kind kind;
	int flags, max;
	const struct code_label *choices;
	const char *label, *header, *aliases, *prompt, *missing, *hint;
};
extern const struct cand_field cand_fields[CAND_NFIELDS];

/* Index of the field called name, or -1. */
int cand_field_find(const char *name);
/* The import/export column of a field: its header, else its label. */
const char *cand_field_header(const struct cand_field *f);
/* Whether the field is a column of candidates (read and written). */
static inline int cand_field_stored(const struct cand_field *f)
{
	return !(f->flags & CF_FORM);
}
/* Whether the field is a column of the import template and the exports. */
static inline int cand_field_imported(const struct cand_field *f)
{
	return !(f->flags & CF_NOIMPORT);
}

/* The members of struct candidate_input and struct candidate: each field by
 * name (in->last_name) and all of them by index (in->v[CF_last_name]). */
#define CAND_FIELD_VALUES                                                                                         \
	union {                                                                                                  \
		struct {                                                                                         \
			CAND_FIELDS(CAND_FIELD_MEMBER_)                                                          \
		};                                                                                               \
		const char *v[CAND_NFIELDS];                                                                     \
	}
#define CAND_FIELD_MEMBER_(name, ...) const char *name;

/* The steps of the form. */
enum cand_step {
	CAND_STEP_IDENTITY = 1,
	CAND_STEP_PASSWORD = 2,
	CAND_STEP_INFO = 3,
	CAND_STEP_CONTACT = 4,
	CAND_STEP_MISC = 5,
	CAND_NSTEPS = 5,
};
#define CAND_STEP_BIT(n) (1 << ((n) - 1))
#define CAND_REQUIRED_STEPS 7 /* identity | password | info */
#define CAND_ALL_STEPS 31
struct cand_step_info {
	const char *title; /* « Identité » */
	int required;      /* « Obligatoire » or « Facultatif » */
	const char *hint;  /* under the step's fields, or NULL */
	const char *audit; /* audit action of a saved step */
};
extern const struct cand_step_info cand_steps[CAND_NSTEPS + 1]; /* [1..5] */

/* Statuses, in display and sort order.  A candidate's status is derived:
 * « En création » until the required steps are valid, then from their
 * certifications (domain/certification.h). */
#define CAND_DRAFT "draft"
#define CAND_TO_ASSIGN "to_assign"
#define CAND_PLANNED "planned"
#define CAND_WAITING "waiting"
#define CAND_DONE "done"
struct cand_status {
	const char *code;   /* stored */
	const char *label;  /* « À attribuer » */
	const char *colour; /* CSS class suffix of its dot */
	const char *hex;    /* its colour */
	const char *slug;   /* in URLs: statut=a-attribuer */
	const char *tile;   /* on « Accueil »: « Certification(s) à attribuer » */
};
#define CAND_NSTATUS 5
extern const struct cand_status cand_statuses[CAND_NSTATUS + 1]; /* ends with {NULL} */
const struct cand_status *cand_status_find(const char *code);
/* Index of the status in cand_statuses, or -1. */
int cand_status_index(const char *code);
/* "CASE c.status WHEN 'draft' THEN 0 ... END": the statuses' sort order in SQL. */
const char *cand_status_order_sql(void);

#endif
