-- 0004_candidates: the organisation's candidates (issue 6).  Portable SQL.
--
-- A candidate is stored from the first valid step of the creation form with
-- status 'draft' (« En création »); `steps` is the bit set of valid steps
-- (1 identity, 2 password, 4 information, 8 contact details, 16 misc).
-- Statuses: draft, to_assign (« À attribuer »), planned (« Prévue »),
-- waiting (« En attente »), done (« Passée ») - see src/domain/candidate.h.
-- Dates of birth and of the exam are ISO 'YYYY-MM-DD' text; times BIGINT
-- epoch seconds.  `search` is the accent- and case-folded "last first birth
-- e-mail" text maintained by src/domain/candidate.c (indexed by the dialect
-- migration 0004_candidates_search), `sort_name` the folded "last first" for
-- sorting.  E-mail is unique per organisation only (docs/DECISIONS.md).

CREATE TABLE candidates (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	status TEXT NOT NULL DEFAULT 'draft'
		CHECK (status IN ('draft', 'to_assign', 'planned', 'waiting', 'done')),
	steps INTEGER NOT NULL DEFAULT 0,
	civility TEXT NOT NULL DEFAULT '',          -- 'madame' | 'monsieur'
	last_name TEXT NOT NULL DEFAULT '',
	birth_name TEXT NOT NULL DEFAULT '',
	first_name TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL,                        -- lower-cased
	birth_date TEXT NOT NULL DEFAULT '',        -- 'YYYY-MM-DD'
	birth_postal_code TEXT NOT NULL DEFAULT '',
	birth_city TEXT NOT NULL DEFAULT '',        -- official name when born in France
	birth_insee TEXT NOT NULL DEFAULT '',
	birth_country TEXT NOT NULL DEFAULT '',     -- ISO 3166-1 alpha-2
	password_hash TEXT NOT NULL DEFAULT '',     -- argon2id
	send_credentials INTEGER NOT NULL DEFAULT 0,
	employment TEXT NOT NULL DEFAULT '',        -- « Statut »
	funding TEXT NOT NULL DEFAULT '',           -- « Financement »
	phone TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	postal_code TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	country TEXT NOT NULL DEFAULT '',
	education TEXT NOT NULL DEFAULT '',
	csp TEXT NOT NULL DEFAULT '',               -- INSEE PCS group '1'..'8'
	french_native TEXT NOT NULL DEFAULT '',     -- '' | 'oui' | 'non'
	exam_date TEXT,                             -- « Date de passage », set by assignments
	search TEXT NOT NULL DEFAULT '',
	sort_name TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX candidates_org_email ON candidates(org_id, email);
CREATE INDEX candidates_org_name ON candidates(org_id, sort_name, id);
CREATE INDEX candidates_org_status ON candidates(org_id, status, sort_name, id);
CREATE INDEX candidates_org_exam ON candidates(org_id, exam_date, id);
