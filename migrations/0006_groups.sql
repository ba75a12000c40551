-- 0006_groups: the organisation's groups of candidates (issue 5).  Portable SQL.
--
-- A group has a name, unique within its organisation without regard to case
-- and accents (`name_folded` is text_fold(name), see src/core/text.h),
-- and a category: 'client' (« Client »), 'classe' (« Classe »), 'session'
-- (« Session d'examen »), 'autre' (« Autre »).  A candidate may belong to
-- several groups; group_members carries the organisation id as well, so
-- every statement can be scoped by it.  Deleting a group or a candidate
-- deletes their memberships (ON DELETE CASCADE; SQLite runs with
-- foreign_keys=ON): the candidates of a deleted group stay.
-- Times are BIGINT seconds since the epoch.

CREATE TABLE groups (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	name TEXT NOT NULL,
	name_folded TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('client', 'classe', 'session', 'autre')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (org_id, name_folded)
);
CREATE INDEX groups_org_category ON groups(org_id, category, name_folded);

CREATE TABLE group_members (
	group_id BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	candidate_id BIGINT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	added_at BIGINT NOT NULL,
	PRIMARY KEY (group_id, candidate_id)
);
CREATE INDEX group_members_candidate ON group_members(candidate_id);
