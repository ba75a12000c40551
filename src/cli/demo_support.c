/* demo_support.c - the demo organisation's requests to support for
 * `clr demo` (the « Contact » tab and the back office's « Demandes »): some
 * open, answered and closed, over the last weeks, with staff answers.
 * Written in demo's transaction, straight into the tables (no e-mail is
 * queued for them); idempotent: nothing is added once the organisation has
 * a request. */
#include "cli/cli.h"
#include "core/err.h"
#include "core/text.h"

static const struct {
	const char *topic, *subject, *message, *status;
	int days_ago;
	const char *answer; /* NULL: none */
} reqs[] = {
	{"order", "Devis pour la rentrée de septembre",
	 "Bonjour,\n\nnous prévoyons une quarantaine de candidats à la rentrée (deux classes de BTS). Pourriez-vous nous "
	 "faire un devis pour 40 certifications « Partenaire / centre agréé » ?\n\nMerci d'avance,\nCamille Martin",
	 "closed", 34,
	 "Bonjour Madame Martin,\n\nle devis de 40 certifications vous a été envoyé avec la commande correspondante ; "
	 "vous le retrouvez dans « Mes commandes ».\n\nBien cordialement,\nLe service commercial"},
	{"technical", "Code d'activation refusé",
	 "Bonjour,\n\nlors de la session de ce matin, le code d'activation d'une candidate (Léa Fontaine) a été refusé "
	 "par la plateforme d'examen. Nous lui en avons généré un nouveau, qui a fonctionné. Faut-il signaler l'incident "
	 "ailleurs que sur le document de surveillance ?",
	 "answered", 9,
	 "Bonjour,\n\nle nouveau code a bien remplacé l'ancien : l'incident noté sur le document de surveillance suffit. "
	 "Conservez ce document signé avec les feuilles de brouillon.\n\nBien cordialement,\nLe support Certification Le Robert"},
	{"candidates", "", "Bonjour,\n\nune candidate a changé de nom depuis son inscription. Puis-je modifier son nom de "
			   "naissance alors que sa certification est déjà prévue ?",
	 "answered", 5,
	 "Bonjour,\n\noui : modifiez l'étape « Identité » de sa fiche ; la convocation et les documents de la session "
	 "reprendront le nouveau nom. Le nom de naissance reste celui de sa pièce d'identité.\n\nBien cordialement,\nLe "
	 "support Certification Le Robert"},
	{"certifications", "Déplacer une session", "Bonjour,\n\nnotre salle informatique n'est pas disponible le jour "
						   "prévu. Les candidats sont-ils prévenus si nous déplaçons la session ?",
	 "open", 2, NULL},
	{"other", "Attestation pour un financement CPF",
	 "Bonjour,\n\nun candidat nous demande une attestation d'inscription pour son dossier CPF. Pouvez-vous nous "
	 "indiquer la marche à suivre ?",
	 "open", 0, NULL},
};

int demo_support(db *d, arena *a, long long org_id)
{
	db_rows r;
	int rc = db_query(d, a, &r, "SELECT COUNT(*) FROM support_requests WHERE org_id = $1", DB_P(db_int(a, org_id)));
	if (rc < 0)
		return rc;
	if (db_ll(&r, 0, 0) > 0)
		return 0;
	rc = db_query(d, a, &r,
		      "SELECT (SELECT MIN(id) FROM users WHERE org_id = $1 AND role = 'admin'), "
		      "(SELECT MIN(id) FROM users WHERE role = 'staff')",
		      DB_P(db_int(a, org_id)));
	if (rc < 0)
		return rc;
	long long admin = db_ll(&r, 0, 0), staff = db_ll(&r, 0, 1);
	if (!admin)
		return CLR_ENOTFOUND;
	long long now = now_s();
	for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
		long long at = now - reqs[i].days_ago * 86400LL - 3600 * (long long)(i + 2);
		long long answered = at + 5 * 3600;
		int closed = str_eq(reqs[i].status, "closed");
		rc = db_query(d, a, &r,
			      "INSERT INTO support_requests (org_id, user_id, topic, subject, message, status, created_at, "
			      "updated_at, closed_by, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
			      DB_P(db_int(a, org_id), db_int(a, admin), reqs[i].topic, reqs[i].subject, reqs[i].message,
				   reqs[i].status, db_int(a, at), db_int(a, reqs[i].answer ? answered + (closed ? 86400 : 0) : at),
				   closed && staff ? db_int(a, staff) : NULL, closed ? db_int(a, answered + 86400) : NULL));
		if (rc < 0)
			return rc;
		if (reqs[i].answer) {
			rc = db_exec(d, "INSERT INTO support_answers (request_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)",
				     DB_P(db_int(a, db_ll(&r, 0, 0)), staff ? db_int(a, staff) : NULL, reqs[i].answer,
					  db_int(a, answered)));
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}
