-- 0014_activation_codes: activation codes of self-proctored certifications,
-- and what a result brings back.  Portable SQL.
--
-- A code is 12 characters of an alphabet without look-alikes (no 0/O,
-- 1/I/L), stored without its dashes, unique on the whole platform (a code
-- once given is never given again, even revoked).  It belongs to one
-- certification; at most one live code per certification (regenerating
-- revokes the old one, cancelling the certification revokes it).  Its
-- validity is not stored: it works from the exam day (the certification's
-- exam_date, which follows a moved session) to CLR_CODE_DAYS days after
-- (src/domain/activation.c).
CREATE TABLE activation_codes (
	id @ID@,
	code TEXT NOT NULL UNIQUE,
	certification_id BIGINT NOT NULL REFERENCES certifications(id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	created_by BIGINT,
	created_at BIGINT NOT NULL,
	revoked_at BIGINT
);
CREATE UNIQUE INDEX activation_codes_live ON activation_codes(certification_id) WHERE revoked_at IS NULL;

-- a result: the time the candidate took, the day they sat the exam (as the
-- exam platform reports it), where it came from (the results API with its
-- key, a CSV import, staff), and the candidate's latest score derived
-- beside their status (the exports show it)
ALTER TABLE certifications ADD COLUMN duration_s INTEGER;
ALTER TABLE certifications ADD COLUMN taken_at TEXT;
ALTER TABLE certifications ADD COLUMN result_source TEXT;
ALTER TABLE candidates ADD COLUMN score INTEGER;
