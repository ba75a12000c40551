-- 0013_certifications: certifications as records (issue « Gérer les
-- certifications »).  Portable SQL.
--
-- A certification is one candidate's exam of one product: self-proctored
-- by the partner (mode 'partner', in one of its exam_sessions) or at a La
-- Poste exam centre (mode 'laposte', in one of laposte_slots, migration
-- 0012).  State: 'planned' (assigned, no result yet), 'cancelled', 'taken'
-- (a result came back; score out of 1000).  At most one planned
-- certification per candidate and product (partial unique index).  The
-- candidate's status and « Date de passage » are derived from these rows by
-- src/domain/certification.c in the same transaction.
--
-- Assignments are made in batches (certification_batches): one per
-- « Valider l'attribution », idempotent through the form's hidden token,
-- consuming the stock by ONE ledger movement (stock_movement_id on each
-- certification says which ones it paid for); the candidates not retained
-- are listed in certification_batch_skips.  A cancellation gives the credit
-- back by a movement of its own (refund_movement_id).  Every change of a
-- certification is a row of certification_events (its history).
-- Dates are 'YYYY-MM-DD' text, times 'HH:MM' ('' = none), instants BIGINT
-- epoch seconds.

CREATE TABLE exam_sessions (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	product_id BIGINT NOT NULL REFERENCES products(id),
	date TEXT NOT NULL,
	time TEXT NOT NULL DEFAULT '',
	place TEXT NOT NULL DEFAULT '',        -- « Lieu ou salle », free text
	created_by BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX exam_sessions_org ON exam_sessions(org_id, date, id);

CREATE TABLE certification_batches (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	idem_key TEXT NOT NULL,                -- hidden token of the form
	product_id BIGINT NOT NULL REFERENCES products(id),
	session_id BIGINT REFERENCES exam_sessions(id),
	slot_id BIGINT REFERENCES laposte_slots(id),
	selected BIGINT NOT NULL DEFAULT 0,    -- candidates chosen
	assigned BIGINT NOT NULL DEFAULT 0,    -- certifications created
	created_by BIGINT,
	created_at BIGINT NOT NULL,
	UNIQUE (org_id, idem_key)
);

CREATE TABLE certifications (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id),
	candidate_id BIGINT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
	product_id BIGINT NOT NULL REFERENCES products(id),
	mode TEXT NOT NULL CHECK (mode IN ('partner', 'laposte')),
	session_id BIGINT REFERENCES exam_sessions(id),
	slot_id BIGINT REFERENCES laposte_slots(id),
	batch_id BIGINT NOT NULL REFERENCES certification_batches(id),
	exam_date TEXT NOT NULL,
	exam_time TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'cancelled', 'taken')),
	score INTEGER CHECK (score >= 0 AND score <= 1000),
	result_at BIGINT,
	sequence INTEGER NOT NULL DEFAULT 0,   -- iCalendar SEQUENCE: +1 at each change sent to the candidate
	stock_movement_id BIGINT REFERENCES stock_movements(id),
	refund_movement_id BIGINT REFERENCES stock_movements(id),
	assigned_by BIGINT,
	assigned_at BIGINT NOT NULL,
	cancelled_by BIGINT,
	cancelled_at BIGINT,
	updated_at BIGINT NOT NULL,
	CHECK ((mode = 'partner' AND session_id IS NOT NULL AND slot_id IS NULL)
		OR (mode = 'laposte' AND slot_id IS NOT NULL AND session_id IS NULL))
);
CREATE UNIQUE INDEX certifications_active ON certifications(candidate_id, product_id) WHERE state = 'planned';
-- a candidate's certifications by state and date: the derived status reads
-- them for every candidate it recomputes (5 lookups each)
CREATE INDEX certifications_candidate ON certifications(candidate_id, state, exam_date);
CREATE INDEX certifications_session ON certifications(session_id, id);
CREATE INDEX certifications_slot ON certifications(slot_id, id);
CREATE INDEX certifications_batch ON certifications(batch_id, id);
-- the daily move from « Prévue » to « En attente »: planned ones by date
CREATE INDEX certifications_due ON certifications(state, exam_date);

CREATE TABLE certification_batch_skips (
	batch_id BIGINT NOT NULL REFERENCES certification_batches(id) ON DELETE CASCADE,
	candidate_id BIGINT NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
	reason TEXT NOT NULL CHECK (reason IN ('draft', 'active')),
	PRIMARY KEY (batch_id, candidate_id)
);

CREATE TABLE certification_events (
	id @ID@,
	certification_id BIGINT NOT NULL REFERENCES certifications(id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL,
	at BIGINT NOT NULL,
	actor_id BIGINT,
	action TEXT NOT NULL CHECK (action IN ('assigned', 'rescheduled', 'cancelled', 'result')),
	detail TEXT NOT NULL DEFAULT ''        -- French, as shown in the history
);
CREATE INDEX certification_events_cert ON certification_events(certification_id, id);
