-- 0012_exam_centres: La Poste exam centres and their slots (reference data
-- kept by Le Robert staff; the partner administrators book seats in them).
-- Portable SQL.
--
-- A centre has a unique name (also unique once folded: case, accents and
-- spacing ignored, `name_folded` = text_fold(name)), an address, a postal
-- code and the official name of its commune (checked against
-- ref_postal_codes), the commune's INSEE code and the département derived
-- from it ('75', '2A', '971'...).  `city_key` is place_fold(city), the key
-- of the search by city (substring).  A centre is never deleted: `active` = 0
-- takes it out of the administrators' search, its slots stay.
--
-- A slot is one sitting: date 'YYYY-MM-DD', time 'HH:MM' (Europe/Paris),
-- `seats` places of which `booked` are taken.  Seats are a counter: booking
-- is one conditional UPDATE (booked + n <= seats, see src/domain/centre.c),
-- and the CHECK below is the last line of defence on both backends.
-- Times are BIGINT seconds since the epoch.

CREATE TABLE laposte_centres (
	id @ID@,
	name TEXT NOT NULL UNIQUE,
	name_folded TEXT NOT NULL UNIQUE,
	address TEXT NOT NULL,
	postal_code TEXT NOT NULL,
	city TEXT NOT NULL,
	city_key TEXT NOT NULL,
	insee TEXT NOT NULL,
	department TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX laposte_centres_department ON laposte_centres(department);
CREATE INDEX laposte_centres_postal_code ON laposte_centres(postal_code);

CREATE TABLE laposte_slots (
	id @ID@,
	centre_id BIGINT NOT NULL REFERENCES laposte_centres(id),
	date TEXT NOT NULL CHECK (length(date) = 10),
	time TEXT NOT NULL CHECK (length(time) = 5),
	seats INTEGER NOT NULL CHECK (seats > 0),
	booked INTEGER NOT NULL DEFAULT 0,
	closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	CHECK (booked >= 0 AND booked <= seats),
	UNIQUE (centre_id, date, time)
);
-- the open future slots of every centre, soonest first (search, « centres
-- with free slots »); a centre's own slots use the UNIQUE index above
CREATE INDEX laposte_slots_date ON laposte_slots(date, time, centre_id);
