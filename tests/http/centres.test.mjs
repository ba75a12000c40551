// « Centres d'examen » (back office): La Poste centres and their slots.
// Staff create and edit a centre (postal code and commune checked like a
// candidate's residence: a bad pair is a 422 with the French message and
// nothing stored; the official commune name and the département are
// stored), add slots (past date, malformed date or time, seats 0 or 501,
// the same date and time twice), change seats (never below the seats
// booked), close and reopen a slot (a past one cannot change, and is
// greyed), import a season's slots from CSV (the template, a report of every
// line in error with nothing stored, duplicates in the file or already
// stored, Windows-1252 and commas, a clean file stored in one go), the
// table's figures and search; the audit rows; an administrator gets 403 on
// every URL; CSRF; unknown ids are 404.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startServer, newAdmin, newStaff, loggedIn, fieldByLabel, attr, inputValue, textOf, unescapeHtml, run, Client, sqlRows,
	errorOf,
} from '../lib/server.mjs';

/** Six random letters. */
function letters() {
	return Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

/** Today + days in Europe/Paris, « jj/mm/aaaa ». */
function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}
const isoOf = (fr) => fr.split('/').reverse().join('-');

const sql = sqlRows;
const count = async (srv, table, where = '1 = 1') => +(await sql(srv, `SELECT COUNT(*) FROM ${table} WHERE ${where}`))[0][0];

/** Rows of the slots table: {id, cls, date, heure, places, reservees, libres, etat, html}. */
function slotRows(html) {
	return [...html.matchAll(/<tr class="slot-(\w+)" data-slot="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => {
		const cell = (label) => {
			const c = new RegExp(`<td data-label="${label}"[^>]*>([\\s\\S]*?)</td>`).exec(m[3]);
			return c ? textOf(c[1]) : null;
		};
		return { id: +m[2], cls: m[1], date: cell('Date'), heure: cell('Heure'), places: cell('Places'),
			reservees: cell('Réservées'), libres: cell('Libres'), etat: cell('État'), html: m[3] };
	});
}

/** The row of the centres table for centre id: {commune, departement, creneaux, libres, prochain, etat}. */
function centreRow(html, id) {
	const m = new RegExp(`<tr data-centre="${id}">([\\s\\S]*?)</tr>`).exec(html);
	if (!m) return null;
	const cell = (label) => textOf(new RegExp(`<td data-label="${label}"[^>]*>([\\s\\S]*?)</td>`).exec(m[1])[1]);
	return { centre: cell('Centre'), commune: cell('Commune'), departement: cell('Département'),
		creneaux: cell('Créneaux à venir'), libres: cell('Places libres'), prochain: cell('Prochain créneau'), etat: cell('État') };
}

async function upload(c, content, { filename = 'creneaux.csv', csrf = true } = {}) {
	const fd = new FormData();
	if (csrf) fd.append('csrf', await c.ensureCsrf('/backoffice/centres/import'));
	fd.append('fichier', new Blob([content], { type: 'text/csv' }), filename);
	return c.request('POST', '/backoffice/centres/import', { body: fd });
}

/** Report rows of a refused import: [{line, centre, errors: [..]}]. */
function reportRows(html) {
	return [...html.matchAll(/<tr class="import-ko" data-line="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
		line: +m[1],
		centre: textOf(/<td data-label="Centre">([\s\S]*?)<\/td>/.exec(m[2])[1]),
		errors: [...m[2].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((x) => textOf(x[1])),
	}));
}

describe('exam centres and slots (back office)', () => {
	let srv, staff, admin, s, a;
	const centre = (over = {}) => ({
		name: `La Poste Lyon Bellecour ${letters()}`, address: '10 place Antonin-Poncet', postal_code: '69002', city: 'lyon', active: '1', ...over,
	});
	async function create(fields) {
		const r = await s.post('/backoffice/centres', fields);
		assert.equal(r.status, 303, `centre created: ${r.status} ${textOf(r.text).slice(0, 400)}`);
		const m = /^\/backoffice\/centres\/(\d+)$/.exec(r.headers.get('location') || '');
		assert.ok(m, r.headers.get('location'));
		return +m[1];
	}
	async function addSlot(id, date, time, seats) {
		const r = await s.post(`/backoffice/centres/${id}/creneaux`, { date, time, seats: String(seats) });
		assert.equal(r.status, 303, `slot added: ${errorOf(r.text, 'date') || errorOf(r.text, 'time') || errorOf(r.text, 'seats') || r.status}`);
		assert.equal(r.headers.get('location'), `/backoffice/centres/${id}#creneaux`);
		return +(await sql(srv, `SELECT id FROM laposte_slots WHERE centre_id = ${id} AND date = '${isoOf(date)}' AND time = '${time}'`))[0][0];
	}

	before(async () => {
		srv = await startServer();
		staff = await newStaff(srv);
		admin = await newAdmin(srv);
		s = await loggedIn(srv, staff);
		a = await loggedIn(srv, admin);
	});
	after(async () => srv && srv.stop());

	test('« Centres d\'examen » is in the back-office navigation, with the table and « Créer un centre »', async () => {
		const home = await s.get('/backoffice');
		assert.ok(/<a href="\/backoffice\/centres">Centres d'examen<\/a>/.test(home.text), 'nav link');
		const r = await s.get('/backoffice/centres');
		assert.equal(r.status, 200);
		assert.ok(/<a href="\/backoffice\/centres" aria-current="page">Centres d'examen<\/a>/.test(r.text));
		const t = textOf(r.text);
		for (const x of ['Centres d\'examen La Poste', 'Centre', 'Commune', 'Département', 'Créneaux à venir', 'Places libres',
			'Prochain créneau ouvert', 'État', 'Créer un centre', 'Aucun centre pour le moment', 'Importer des créneaux (CSV)'])
			assert.ok(t.includes(x), `« ${x} »`);
		for (const [label, name] of [['Nom du centre', 'name'], ['Adresse', 'address'], ['Code postal', 'postal_code'], ['Commune', 'city']])
			assert.equal(attr(fieldByLabel(r.text, label), 'name'), name, label);
		assert.ok(/<input name="active" type="checkbox" value="1" checked>/.test(r.text), 'active by default');
		assert.ok(inputValue(r.text, 'csrf'), 'csrf field');
	});

	test('create a centre: official commune, INSEE code, département, audit row', async () => {
		const f = centre({ city: 'LYON' });
		const id = await create(f);
		const p = await s.get(`/backoffice/centres/${id}`);
		assert.equal(p.status, 200);
		const t = textOf(p.text);
		assert.ok(t.includes('Le centre a été créé. Ajoutez-lui des créneaux.'));
		assert.ok(t.includes('10 place Antonin-Poncet, 69002 Lyon 2e Arrondissement'), t.slice(0, 800));
		assert.ok(t.includes('69 — Rhône'));
		assert.deepEqual(await sql(srv, `SELECT city, insee, department, active FROM laposte_centres WHERE id = ${id}`),
			[['Lyon 2e Arrondissement', '69382', '69', '1']]);
		assert.equal(await count(srv, 'audit_log', `action = 'centre.create' AND object_id = ${id}`), 1);
		// Corsica and overseas
		const aj = await create(centre({ name: `La Poste Ajaccio ${letters()}`, postal_code: '20000', city: 'ajaccio' }));
		const fdf = await create(centre({ name: `La Poste Fort-de-France ${letters()}`, postal_code: '97200', city: 'fort de france' }));
		assert.deepEqual(await sql(srv, `SELECT department FROM laposte_centres WHERE id IN (${aj}, ${fdf}) ORDER BY id`), [['2A'], ['972']]);
		const l = await s.get('/backoffice/centres');
		assert.equal(centreRow(l.text, fdf).departement, '972 — Martinique');
		assert.equal(centreRow(l.text, aj).commune, '20000 Ajaccio');
	});

	const invalid = [
		['name missing', { name: '  ' }, 'name', 'Veuillez indiquer le nom du centre.'],
		['name too long', { name: 'é'.repeat(121) }, 'name', 'Le nom du centre ne peut dépasser 120 caractères.'],
		['address missing', { address: '' }, 'address', 'Veuillez indiquer l\'adresse du centre.'],
		['postal code missing', { postal_code: '' }, 'postal_code', 'Veuillez indiquer le code postal.'],
		['postal code of 4 digits', { postal_code: '6900' }, 'postal_code', 'Le code postal doit comporter 5 chiffres.'],
		['postal code that does not exist', { postal_code: '00000' }, 'postal_code', 'Ce code postal n\'existe pas.'],
		['commune missing', { city: '' }, 'city', 'Veuillez indiquer la commune.'],
		['commune of another postal code', { city: 'Marseille' }, 'city',
			'Cette commune ne correspond pas au code postal 69002 (communes : Lyon 2e Arrondissement).'],
	];
	for (const [what, over, field, msg] of invalid) {
		test(`create: ${what} -> 422 « ${msg} », nothing stored, what was typed kept`, async () => {
			const before = await count(srv, 'laposte_centres');
			const f = centre(over);
			const r = await s.post('/backoffice/centres', f);
			assert.equal(r.status, 422);
			assert.equal(errorOf(r.text, field), msg);
			assert.ok(textOf(r.text).includes('Le centre n\'a pas été enregistré : corrigez les champs signalés.'));
			for (const k of ['name', 'address', 'postal_code', 'city'])
				if (k !== field) assert.equal(inputValue(r.text, k), f[k], `${k} kept`);
			assert.equal(await count(srv, 'laposte_centres'), before);
		});
	}

	test('a name is unique without regard to case and accents', async () => {
		const f = centre({ name: `La Poste Strasbourg Cathédrale ${letters()}`, postal_code: '67000', city: 'Strasbourg' });
		await create(f);
		const r = await s.post('/backoffice/centres', { ...f, name: f.name.toUpperCase().replace('É', 'E') });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'name'), 'Un centre porte déjà ce nom.');
	});

	test('edit a centre; a bad commune changes nothing; deactivate', async () => {
		const f = centre();
		const id = await create(f);
		let p = await s.get(`/backoffice/centres/${id}`);
		assert.equal(inputValue(p.text, 'name'), f.name);
		assert.equal(inputValue(p.text, 'city'), 'Lyon 2e Arrondissement');
		let r = await s.post(`/backoffice/centres/${id}`, { ...f, postal_code: '42000', city: 'Marseille' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'city'), 'Cette commune ne correspond pas au code postal 42000 (communes : Saint-Étienne).');
		assert.equal(inputValue(r.text, 'postal_code'), '42000', 'typed value kept');
		assert.deepEqual(await sql(srv, `SELECT postal_code, city FROM laposte_centres WHERE id = ${id}`), [['69002', 'Lyon 2e Arrondissement']]);
		r = await s.post(`/backoffice/centres/${id}`, { ...f, address: '8 avenue de la Libération', postal_code: '42000', city: 'st etienne', active: '' });
		assert.equal(r.status, 303);
		p = await s.get(`/backoffice/centres/${id}`);
		const t = textOf(p.text);
		assert.ok(t.includes('Le centre a été enregistré.'));
		assert.ok(t.includes('8 avenue de la Libération, 42000 Saint-Étienne') && t.includes('42 — Loire'));
		assert.ok(t.includes('Inactif : absent de la recherche des administrateurs'));
		assert.deepEqual(await sql(srv, `SELECT department, active FROM laposte_centres WHERE id = ${id}`), [['42', '0']]);
		assert.equal(await count(srv, 'audit_log', `action = 'centre.update' AND object_id = ${id}`), 1);
	});

	test('slots: add one, see it listed with its free seats; the table counts it', async () => {
		const id = await create(centre());
		const d = frDate(10);
		const r = await s.post(`/backoffice/centres/${id}/creneaux`, { date: d, time: '9h30', seats: '25' });
		assert.equal(r.status, 303);
		const p = await s.get(`/backoffice/centres/${id}`);
		assert.ok(textOf(p.text).includes('Le créneau a été ajouté.'));
		const rows = slotRows(p.text);
		assert.equal(rows.length, 1);
		assert.equal(rows[0].date.slice(0, 10), d);
		assert.equal(rows[0].heure, '09:30');
		assert.equal(inputValue(rows[0].html, 'seats'), '25');
		assert.deepEqual([rows[0].reservees, rows[0].libres, rows[0].etat, rows[0].cls], ['0', '25', 'Ouvert', 'open']);
		for (const [label, name] of [['Date', 'date'], ['Heure', 'time'], ['Places', 'seats']])
			assert.equal(attr(fieldByLabel(p.text, label), 'name'), name, label);
		assert.ok(textOf(p.text).includes('Ajouter un créneau'));
		const l = await s.get('/backoffice/centres');
		const row = centreRow(l.text, id);
		assert.deepEqual([row.creneaux, row.libres, row.prochain, row.etat], ['1', '25', `${d} à 09:30`, 'Actif']);
		assert.equal(await count(srv, 'audit_log', `action = 'slot.create'`) >= 1, true);
	});

	test('slots: past date, bad date or time, seats 0 or 501, same date and time twice -> 422, nothing stored', async () => {
		const id = await create(centre());
		const d = frDate(12);
		await addSlot(id, d, '14:00', 20);
		const cases = [
			[{ date: frDate(-1), time: '09:00', seats: '20' }, 'date', 'Cette date est passée : un créneau se crée pour aujourd\'hui ou une date à venir.'],
			[{ date: '31/02/2030', time: '09:00', seats: '20' }, 'date', 'Date invalide : utilisez le format jj/mm/aaaa.'],
			[{ date: '', time: '09:00', seats: '20' }, 'date', 'Veuillez indiquer la date.'],
			[{ date: frDate(800), time: '09:00', seats: '20' }, 'date', 'Cette date est à plus de deux ans : vérifiez l\'année.'],
			[{ date: d, time: '25:00', seats: '20' }, 'time', 'Heure invalide : utilisez le format HH:MM (par exemple 09:30).'],
			[{ date: d, time: '', seats: '20' }, 'time', 'Veuillez indiquer l\'heure.'],
			[{ date: d, time: '09:00', seats: '0' }, 'seats', 'Le nombre de places doit être un nombre entier de 1 à 500.'],
			[{ date: d, time: '09:00', seats: '501' }, 'seats', 'Le nombre de places doit être un nombre entier de 1 à 500.'],
			[{ date: d, time: '09:00', seats: '12,5' }, 'seats', 'Le nombre de places doit être un nombre entier de 1 à 500.'],
			[{ date: d, time: '09:00', seats: '' }, 'seats', 'Veuillez indiquer le nombre de places.'],
			[{ date: d, time: '14h', seats: '30' }, 'date', `Ce centre a déjà un créneau le ${d} à 14:00.`],
		];
		for (const [fields, field, msg] of cases) {
			const before = await count(srv, 'laposte_slots');
			const r = await s.post(`/backoffice/centres/${id}/creneaux`, fields);
			assert.equal(r.status, 422, JSON.stringify(fields));
			assert.equal(errorOf(r.text, field), msg, JSON.stringify(fields));
			assert.ok(textOf(r.text).includes('Le créneau n\'a pas été ajouté : corrigez les champs signalés.'));
			for (const k of ['date', 'time', 'seats']) assert.equal(inputValue(r.text, k), fields[k], `${k} kept`);
			assert.equal(await count(srv, 'laposte_slots'), before, JSON.stringify(fields));
		}
		// the same date and time at another centre is fine; today is fine
		const other = await create(centre());
		await addSlot(other, d, '14:00', 10);
		await addSlot(other, frDate(0), '23:59', 10);
	});

	test('seats: changed, never below the seats booked (the message says how many), 1 to 500', async () => {
		const id = await create(centre());
		const sid = await addSlot(id, frDate(5), '09:00', 20);
		await sql(srv, `UPDATE laposte_slots SET booked = 7 WHERE id = ${sid}`); // bookings come from the certifications
		let r = await s.post(`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '5' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, `seats-${sid}`), '7 places sont déjà réservées sur ce créneau : il ne peut pas compter moins de 7 places.');
		assert.equal(inputValue(slotRows(r.text)[0].html, 'seats'), '5', 'typed value kept in its row');
		await sql(srv, `UPDATE laposte_slots SET booked = 1 WHERE id = ${sid}`);
		r = await s.post(`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '0' });
		assert.equal(errorOf(r.text, `seats-${sid}`), 'Le nombre de places doit être un nombre entier de 1 à 500.');
		await sql(srv, `UPDATE laposte_slots SET booked = 7 WHERE id = ${sid}`);
		r = await s.post(`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '501' });
		assert.equal(r.status, 422);
		assert.equal(+(await sql(srv, `SELECT seats FROM laposte_slots WHERE id = ${sid}`))[0][0], 20, 'unchanged');
		r = await s.post(`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '7' });
		assert.equal(r.status, 303);
		let p = await s.get(`/backoffice/centres/${id}`);
		assert.ok(textOf(p.text).includes('Le nombre de places a été modifié.'));
		assert.deepEqual([slotRows(p.text)[0].reservees, slotRows(p.text)[0].libres, slotRows(p.text)[0].etat], ['7', '0', 'Complet']);
		r = await s.post(`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '30' });
		assert.equal(r.status, 303);
		p = await s.get(`/backoffice/centres/${id}`);
		assert.deepEqual([slotRows(p.text)[0].libres, slotRows(p.text)[0].etat], ['23', 'Ouvert']);
		assert.equal(await count(srv, 'audit_log', `action = 'slot.seats' AND object_id = ${sid}`), 2);
	});

	test('close and reopen a slot; a past slot is greyed and cannot change', async () => {
		const id = await create(centre());
		const sid = await addSlot(id, frDate(3), '10:00', 12);
		let r = await s.post(`/backoffice/centres/${id}/creneaux/${sid}/fermer`, {});
		assert.equal(r.status, 303);
		let p = await s.get(`/backoffice/centres/${id}`);
		assert.ok(textOf(p.text).includes('Le créneau est fermé : il n\'accepte plus de réservation'));
		let row = slotRows(p.text)[0];
		assert.deepEqual([row.etat, row.cls], ['Fermé', 'closed']);
		assert.ok(row.html.includes(`/creneaux/${sid}/rouvrir`) && row.html.includes('>Rouvrir</button>'));
		const l = await s.get('/backoffice/centres');
		assert.deepEqual([centreRow(l.text, id).creneaux, centreRow(l.text, id).libres, centreRow(l.text, id).prochain], ['1', '0', '—']);
		r = await s.post(`/backoffice/centres/${id}/creneaux/${sid}/rouvrir`, {});
		assert.equal(r.status, 303);
		p = await s.get(`/backoffice/centres/${id}`);
		assert.ok(textOf(p.text).includes('Le créneau est rouvert aux réservations.'));
		row = slotRows(p.text)[0];
		assert.equal(row.etat, 'Ouvert');
		assert.ok(row.html.includes('>Fermer</button>'));
		assert.equal(await count(srv, 'audit_log', `object_id = ${sid} AND action IN ('slot.close', 'slot.reopen')`), 2);
		// a past slot (10 days ago): greyed, « Passé », no form; refused
		await sql(srv, `INSERT INTO laposte_slots (centre_id, date, time, seats, booked, closed, created_at, updated_at) VALUES (${id}, '${isoOf(frDate(-10))}', '09:00', 15, 15, 0, 0, 0)`);
		const past = +(await sql(srv, `SELECT id FROM laposte_slots WHERE centre_id = ${id} AND date < '${isoOf(frDate(0))}'`))[0][0];
		p = await s.get(`/backoffice/centres/${id}`);
		row = slotRows(p.text).find((x) => x.id === past);
		assert.deepEqual([row.cls, row.etat, row.places], ['past', 'Passé', '15']);
		assert.ok(!row.html.includes('<form'), 'no action on a past slot');
		assert.ok(p.text.indexOf(`data-slot="${past}"`) < p.text.indexOf(`data-slot="${sid}"`), 'by date');
		assert.ok(textOf(p.text).includes('Les créneaux passés (90 derniers jours) sont grisés.'));
		r = await s.post(`/backoffice/centres/${id}/creneaux/${past}/fermer`, {});
		assert.equal(r.status, 303);
		assert.ok(textOf((await s.get(`/backoffice/centres/${id}`)).text).includes('Ce créneau est passé : il ne peut plus être modifié.'));
		r = await s.post(`/backoffice/centres/${id}/creneaux/${past}/places`, { seats: '20' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, `seats-${past}`), 'Ce créneau est passé : il ne peut plus être modifié.');
		assert.deepEqual(await sql(srv, `SELECT seats, closed FROM laposte_slots WHERE id = ${past}`), [['15', '0']]);
	});

	test('the table: search by city, postal code, département number or name', async () => {
		const tag = letters();
		const nice = await create(centre({ name: `La Poste Nice Thiers ${tag}`, address: '23 avenue Thiers', postal_code: '06000', city: 'Nice' }));
		const ste = await create(centre({ name: `La Poste Saint-Étienne ${tag}`, postal_code: '42000', city: 'Saint-Étienne' }));
		const found = async (q) => {
			const r = await s.get(`/backoffice/centres?q=${encodeURIComponent(q)}`);
			assert.equal(r.status, 200, q);
			return [nice, ste].filter((id) => r.text.includes(`data-centre="${id}"`));
		};
		assert.deepEqual(await found('nice'), [nice]);
		assert.deepEqual(await found('ST ETIENNE'), [ste]);
		assert.deepEqual(await found('06'), [nice]);
		assert.deepEqual(await found('0600'), [nice]);
		assert.deepEqual(await found('42'), [ste]);
		assert.deepEqual(await found('alpes-maritimes'), [nice]);
		assert.deepEqual(await found('loire'), [ste]);
		assert.deepEqual(await found(tag.toUpperCase()), [nice, ste], 'by name');
		const none = await s.get(`/backoffice/centres?q=zzzz${tag}`);
		assert.ok(textOf(none.text).includes('Aucun centre ne correspond à cette recherche.'));
		assert.equal(inputValue(none.text, 'q'), `zzzz${tag}`);
		for (const q of ['%', '_', '\\', '"', "' OR 1=1 --", 'x'.repeat(300), '2a', '971'])
			assert.equal((await s.get(`/backoffice/centres?q=${encodeURIComponent(q)}`)).status, 200, q);
	});

	test('CSV import: the template, then a file with errors is refused whole with a report of every bad line', async () => {
		const tpl = await s.get('/backoffice/centres/import/modele-creneaux.csv');
		assert.equal(tpl.status, 200);
		assert.match(tpl.headers.get('content-type'), /^text\/csv/);
		assert.match(tpl.headers.get('content-disposition'), /filename="modele-creneaux.csv"/);
		assert.equal(tpl.text.replace(/^\uFEFF/, '').split('\r\n')[0], 'Centre;Date;Heure;Places');
		const page = await s.get('/backoffice/centres/import');
		assert.equal(page.status, 200);
		assert.match(page.text, /enctype="multipart\/form-data"/);
		assert.ok(page.text.includes('href="/backoffice/centres/import/modele-creneaux.csv"'));
		assert.equal(attr(fieldByLabel(page.text, 'Fichier CSV'), 'type'), 'file');

		const f = centre({ name: `La Poste Lille République ${letters()}`, postal_code: '59000', city: 'Lille' });
		const id = await create(f);
		const d1 = frDate(20), d2 = frDate(21);
		await addSlot(id, d2, '14:00', 10); // already stored
		const before = await count(srv, 'laposte_slots');
		const lines = [
			'Centre;Date;Heure;Places',
			`${f.name};${d1};09:00;20`, // 2 ok
			`La Poste Inconnue;${d1};09:00;20`, // 3 unknown centre
			`${f.name};${frDate(-2)};09:00;20`, // 4 past
			`${f.name};${d1};9h;0`, // 5 seats 0 (and 09:00 again: counted once it is valid)
			`${f.name.toUpperCase()};${d1};09:00;15`, // 6 duplicate of line 2 (name folded)
			`${f.name};${d2};14:00;12`, // 7 already stored
			`${f.name};pas une date;midi;501`, // 8 three errors
			';;;', // blank: ignored
		];
		const r = await upload(s, lines.join('\r\n') + '\r\n');
		assert.equal(r.status, 422);
		const t = textOf(r.text);
		assert.ok(t.includes('Rien n\'a été importé : 6 lignes sur 7 contiennent des erreurs.'), t.slice(0, 1500));
		const rows = reportRows(r.text);
		assert.deepEqual(rows.map((x) => x.line), [3, 4, 5, 6, 7, 8]);
		assert.deepEqual(rows[0].errors, ['Centre : Aucun centre ne porte le nom « La Poste Inconnue ».']);
		assert.deepEqual(rows[1].errors, ['Date : Cette date est passée : un créneau se crée pour aujourd\'hui ou une date à venir.']);
		assert.deepEqual(rows[2].errors, ['Places : Le nombre de places doit être un nombre entier de 1 à 500.']);
		assert.deepEqual(rows[3].errors, ['Ce créneau figure déjà à la ligne 2 du fichier.']);
		assert.deepEqual(rows[4].errors, [`Ce créneau existe déjà : le centre a un créneau le ${d2} à 14:00.`]);
		assert.deepEqual(rows[5].errors, ['Date : Date invalide : utilisez le format jj/mm/aaaa.',
			'Heure : Heure invalide : utilisez le format HH:MM (par exemple 09:30).',
			'Places : Le nombre de places doit être un nombre entier de 1 à 500.']);
		assert.equal(await count(srv, 'laposte_slots'), before, 'all or nothing');

		// the whole file is refused: a missing or unknown column, not a CSV, empty
		let x = await upload(s, 'Centre;Date;Heure;Remarque\r\nX;01/01/2030;09:00;ok\r\n');
		assert.equal(x.status, 422);
		assert.ok(textOf(x.text).includes('Colonnes manquantes : « Places » Colonnes inconnues : « Remarque »'), textOf(x.text).slice(0, 1200));
		x = await upload(s, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]));
		assert.equal(x.status, 422);
		assert.ok(textOf(x.text).includes('Ce fichier n\'est pas un fichier CSV'));
		x = await upload(s, 'Centre;Date;Heure;Places\r\n');
		assert.ok(textOf(x.text).includes('Le fichier ne contient aucun créneau (seulement la ligne d\'en-tête).'));
		assert.equal(await count(srv, 'laposte_slots'), before);
	});

	test('CSV import: a clean file is stored in one go (Windows-1252, commas); sent again, every line is reported', async () => {
		const tag = letters();
		const f1 = centre({ name: `La Poste Strasbourg Cathédrale ${tag}`, address: '5 place de la Cathédrale', postal_code: '67000', city: 'Strasbourg' });
		const f2 = centre({ name: `La Poste Nantes Bretagne ${tag}`, address: '2 place de Bretagne', postal_code: '44000', city: 'Nantes' });
		const c1 = await create(f1);
		const c2 = await create(f2);
		const rows = [];
		for (let w = 0; w < 4; w++) {
			rows.push(`${f1.name},${frDate(7 * w + 2)},09:00,20`);
			rows.push(`${f1.name},${frDate(7 * w + 4)},14:00,15`);
			rows.push(`"${f2.name}",${frDate(7 * w + 3)},09:30,30`);
		}
		const text = ['Places,Heure,Date,Centre'].concat(rows.map((l) => {
			const [c, d, h, p] = l.split(',');
			return [p, h, d, c].join(',');
		})).join('\r\n') + '\r\n';
		const cp1252 = Buffer.from(text, 'latin1'); // « é » is 0xE9 in Windows-1252 as in Latin-1
		const audits = await count(srv, 'audit_log', `action = 'slots.import'`);
		let r = await upload(s, cp1252, { filename: 'saison-2027.csv' });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 1500));
		assert.equal(r.headers.get('location'), '/backoffice/centres');
		const l = await s.get('/backoffice/centres');
		assert.ok(textOf(l.text).includes('12 créneaux importés dans 2 centres : le fichier « saison-2027.csv » était sans erreur.'));
		assert.equal(centreRow(l.text, c1).creneaux, '8');
		assert.equal(centreRow(l.text, c2).libres, '120');
		assert.equal(await count(srv, 'laposte_slots', `centre_id IN (${c1}, ${c2})`), 12);
		assert.equal(await count(srv, 'audit_log', `action = 'slots.import'`), audits + 1);
		r = await upload(s, cp1252);
		assert.equal(r.status, 422);
		const rep = reportRows(r.text);
		assert.equal(rep.length, 12);
		assert.ok(rep.every((x) => /^Ce créneau existe déjà : le centre a un créneau le \d\d\/\d\d\/\d{4} à \d\d:\d\d\.$/.test(x.errors[0])));
		assert.ok(rep[0].centre.startsWith('La Poste Strasbourg Cathédrale'), 'decoded from Windows-1252');
		assert.equal(await count(srv, 'laposte_slots', `centre_id IN (${c1}, ${c2})`), 12, 'nothing duplicated');
	});

	test('an administrator gets 403 on every /backoffice/centres URL; anonymous visitors are sent to log in', async () => {
		const id = await create(centre());
		const sid = await addSlot(id, frDate(4), '09:00', 10);
		const gets = ['/backoffice/centres', `/backoffice/centres/${id}`, '/backoffice/centres/import',
			'/backoffice/centres/import/modele-creneaux.csv', '/backoffice/centres/communes?cp=69002', '/backoffice/centres/999999'];
		for (const path of gets) assert.equal((await a.get(path)).status, 403, path);
		const posts = [['/backoffice/centres', centre()], [`/backoffice/centres/${id}`, centre()],
			[`/backoffice/centres/${id}/creneaux`, { date: frDate(6), time: '09:00', seats: '10' }],
			[`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '50' }],
			[`/backoffice/centres/${id}/creneaux/${sid}/fermer`, {}], [`/backoffice/centres/${id}/creneaux/${sid}/rouvrir`, {}]];
		const n = await count(srv, 'laposte_slots');
		for (const [path, body] of posts) assert.equal((await a.post(path, body)).status, 403, path);
		assert.equal((await upload(a, 'Centre;Date;Heure;Places\r\n')).status, 403);
		assert.equal(await count(srv, 'laposte_slots'), n);
		assert.deepEqual(await sql(srv, `SELECT seats, closed FROM laposte_slots WHERE id = ${sid}`), [['10', '0']]);
		const anon = new Client(srv.url);
		const r = await anon.get('/backoffice/centres');
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/connexion?suite=%2Fbackoffice%2Fcentres');
		// staff get the communes of a postal code (the form's suggestions)
		const cm = await s.get('/backoffice/centres/communes?cp=69002');
		assert.deepEqual(JSON.parse(cm.text), ['Lyon 2e Arrondissement']);
	});

	test('CSRF: every POST without the token is refused and changes nothing', async () => {
		const id = await create(centre());
		const sid = await addSlot(id, frDate(4), '11:00', 10);
		const posts = [['/backoffice/centres', centre()], [`/backoffice/centres/${id}`, { ...centre(), name: 'Piratée' }],
			[`/backoffice/centres/${id}/creneaux`, { date: frDate(6), time: '09:00', seats: '10' }],
			[`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '50' }],
			[`/backoffice/centres/${id}/creneaux/${sid}/fermer`, {}]];
		const n = await count(srv, 'laposte_slots'), nc = await count(srv, 'laposte_centres');
		for (const [path, body] of posts) {
			assert.equal((await s.post(path, body, { csrf: false })).status, 403, `${path} without csrf`);
			assert.equal((await s.post(path, { ...body, csrf: 'forged' })).status, 403, `${path} forged csrf`);
		}
		assert.equal((await upload(s, 'Centre;Date;Heure;Places\r\n', { csrf: false })).status, 403);
		assert.equal(await count(srv, 'laposte_slots'), n);
		assert.equal(await count(srv, 'laposte_centres'), nc);
		assert.deepEqual(await sql(srv, `SELECT seats, closed FROM laposte_slots WHERE id = ${sid}`), [['10', '0']]);
		assert.equal(await count(srv, 'laposte_centres', `name = 'Piratée'`), 0);
	});

	test('unknown ids are 404: a centre, a slot, another centre\'s slot', async () => {
		const id = await create(centre());
		const other = await create(centre());
		const sid = await addSlot(other, frDate(4), '09:00', 10);
		for (const path of ['/backoffice/centres/999999', '/backoffice/centres/abc', '/backoffice/centres/0', '/backoffice/centres/-1'])
			assert.equal((await s.get(path)).status, 404, path);
		const posts = [[`/backoffice/centres/999999`, centre()], ['/backoffice/centres/999999/creneaux', { date: frDate(6), time: '09:00', seats: '10' }],
			[`/backoffice/centres/${id}/creneaux/999999/places`, { seats: '20' }], [`/backoffice/centres/${id}/creneaux/${sid}/places`, { seats: '20' }],
			[`/backoffice/centres/${id}/creneaux/${sid}/fermer`, {}], [`/backoffice/centres/${id}/creneaux/abc/rouvrir`, {}]];
		for (const [path, body] of posts) assert.equal((await s.post(path, body)).status, 404, path);
		assert.deepEqual(await sql(srv, `SELECT seats, closed FROM laposte_slots WHERE id = ${sid}`), [['10', '0']]);
		assert.ok(textOf((await s.get('/backoffice/centres/999999')).text).includes('Page introuvable'));
	});
});
