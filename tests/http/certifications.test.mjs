// « Gérer les certifications »: self-proctored sessions and La Poste slots.
// Step 1's rules (type of the right mode, date today or later, time, place);
// « Valider l'attribution » in one transaction (certifications, ONE stock
// movement naming them, statuses derived, one notice per candidate with its
// .ics read back by ical.js, La Poste convocations with a PDF read back by
// pdftotext); drafts and candidates already planned set aside and listed;
// not enough stock or seats, no candidate, another organisation's candidate,
// a double submit, CSRF: a French message or a 404 and nothing changed.
// Changes of plan: a session moved (SEQUENCE + 1), one or all cancelled (the
// credit back by a movement naming the certification, the seat freed,
// METHOD:CANCEL), a La Poste certification moved to another slot; deleting a
// candidate refused while they hold one; the sweep to « En attente ».  After
// every operation the stored status equals the one recomputed here from the
// records, and the ledger equals the sum of its movements.  The race: 50
// concurrent requests for a slot of 10 seats give exactly 10 certifications.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	startServer, newAdmin, newStaff, loggedIn, textOf, unescapeHtml, uniqueEmail, clr, run, sqlRows, Client,
} from '../lib/server.mjs';
import { parseIcs } from '../lib/calendar.mjs';
import { parseMail } from '../lib/mail.mjs';

const sql = sqlRows;
const one = async (srv, q) => (await sql(srv, q))[0]?.[0];

/** Today + days in Europe/Paris: « jj/mm/aaaa ». */
function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}
const isoOf = (fr) => fr.split('/').reverse().join('-');

function letters() {
	return Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

/** A candidate over HTTP: « En création » (draft) or complete (« À attribuer »). */
async function candidate(c, { last = 'Durand' + letters(), first = 'Élise', full = true } = {}) {
	const email = uniqueEmail('cand');
	let r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: last, birth_name: '', first_name: first, email,
		birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
	});
	const m = /^\/candidats\/(\d+)\/etape\/2$/.exec(r.headers.get('location') || '');
	assert.ok(m, `candidate created: ${r.status} ${textOf(r.text).slice(0, 300)}`);
	const id = +m[1];
	if (full) {
		r = await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'non', action: 'next' });
		assert.equal(r.status, 303);
		r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
		assert.equal(r.status, 303);
	}
	return { id, email, last, first };
}

/** The product ids by reference. */
async function products(srv) {
	const rows = await sql(srv, 'SELECT reference, id FROM products');
	return Object.fromEntries(rows);
}

/** The status each candidate of org should have on the day `days` from
 * now, recomputed here from the certifications (an implementation
 * independent of the server's), compared with the stored one; also the
 * ledger against its movements. */
async function checkInvariants(srv, org, days = 0) {
	const today = isoOf(frDate(days));
	const rows = await sql(srv, `SELECT k.id, k.status, COALESCE(k.exam_date, ''),
		(SELECT COUNT(*) FROM certifications x WHERE x.candidate_id = k.id AND x.state = 'planned' AND x.exam_date >= '${today}'),
		(SELECT COUNT(*) FROM certifications x WHERE x.candidate_id = k.id AND x.state = 'planned'),
		(SELECT COUNT(*) FROM certifications x WHERE x.candidate_id = k.id AND x.state = 'taken'),
		COALESCE((SELECT MIN(x.exam_date) FROM certifications x WHERE x.candidate_id = k.id AND x.state = 'planned' AND x.exam_date >= '${today}'), ''),
		COALESCE((SELECT MAX(x.exam_date) FROM certifications x WHERE x.candidate_id = k.id AND x.state IN ('planned', 'taken')), '')
		FROM candidates k JOIN organisations o ON o.id = k.org_id WHERE o.name = '${org.replaceAll("'", "''")}'`);
	for (const [id, status, date, future, planned, taken, next, last] of rows) {
		let want = 'to_assign';
		if (status === 'draft') want = 'draft';
		else if (+future > 0) want = 'planned';
		else if (+planned > 0) want = 'waiting';
		else if (+taken > 0) want = 'done';
		assert.equal(status, want, `candidate ${id}: stored status ${status}, recomputed ${want}`);
		if (want !== 'draft') assert.equal(date, next || last, `candidate ${id}: « Date de passage »`);
	}
	const ledger = await sql(srv, `SELECT b.product_id, b.qty, (SELECT COALESCE(SUM(m.qty), 0) FROM stock_movements m
		WHERE m.org_id = b.org_id AND m.product_id = b.product_id) FROM stock_balances b`);
	for (const [pid, qty, sum] of ledger) assert.equal(qty, sum, `product ${pid}: balance ${qty}, movements ${sum}`);
}

/** The balance of a product for org. */
async function stockOf(srv, org, ref) {
	return +(await one(srv, `SELECT COALESCE(MAX(b.qty), 0) FROM stock_balances b JOIN organisations o ON o.id = b.org_id
		JOIN products p ON p.id = b.product_id WHERE o.name = '${org.replaceAll("'", "''")}' AND p.reference = '${ref}'`));
}

/** .eml files of the server's mail folder once delivered, parsed (Python's email package). */
async function mails(srv, { to, wait = 1 } = {}) {
	const deadline = Date.now() + 15000;
	for (;;) {
		const files = readdirSync(srv.mailDir).filter((f) => f.endsWith('.eml')).sort();
		const parsed = [];
		for (const f of files) {
			const m = await parseMail(join(srv.mailDir, f));
			if (!to || (m.headers.To || '').includes(to)) parsed.push(m);
		}
		if (parsed.length >= wait || Date.now() > deadline) return parsed;
		await new Promise((r) => setTimeout(r, 150));
	}
}
const part = (m, type) => m.parts.find((p) => p.type === type);

/** A picker's POST: ids ticked, with the hidden fields of its page. */
function hiddenFields(html, formId = 'assign-form') {
	const f = new RegExp(`<form id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
	assert.ok(f, 'the assignment form');
	const out = {};
	for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = unescapeHtml(m[2]);
	return out;
}

function body(fields, ids = []) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(fields)) p.append(k, v);
	for (const id of ids) p.append('ids', String(id));
	return p.toString();
}

describe('« Gérer les certifications »', () => {
	let srv, admin, other, staff, c, o, s, refs, people, draft, theirs, centre, slot, slot2;
	const date = frDate(10);

	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_DIR: mkdtempSync(join(tmpdir(), 'clr-cert-mail-')), CLR_MAIL_POLL_MS: '100' } });
		admin = await newAdmin(srv, { org: `Centre Voltaire ${letters()}` });
		other = await newAdmin(srv, { org: `Lycée Hugo ${letters()}` });
		staff = await newStaff(srv);
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
		s = await loggedIn(srv, staff);
		refs = await products(srv);
		for (const [org, ref, qty] of [[admin.org, 'PART-CLR-EXAMEN', 20], [admin.org, 'PART-LAPOSTE-EXAMEN', 30],
			[other.org, 'PART-CLR-EXAMEN', 5]])
			await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', org, '--product', ref, '--qty', String(qty), '--reason', 'test']);
		people = [];
		for (let i = 0; i < 6; i++) people.push(await candidate(c, { first: ['Élise', 'Hélène', 'Zoé', 'Noël', 'Anaïs', 'Loïc'][i] }));
		draft = await candidate(c, { full: false, first: 'Brouillon' });
		theirs = await candidate(o, { first: 'Autre' });
		// a La Poste centre in Lyon with two slots (back office)
		let r = await s.post('/backoffice/centres', { name: `La Poste Lyon Bellecour ${letters()}`, address: '10 place Antonin-Poncet',
			postal_code: '69002', city: 'Lyon', active: '1' });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		centre = +/\/backoffice\/centres\/(\d+)/.exec(r.headers.get('location'))[1];
		for (const [d, t, n] of [[frDate(14), '09:30', 10], [frDate(21), '14:00', 3]]) {
			r = await s.post(`/backoffice/centres/${centre}/creneaux`, { date: d, time: t, seats: String(n) });
			assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		}
		[[slot], [slot2]] = await sql(srv, `SELECT id FROM laposte_slots WHERE centre_id = ${centre} ORDER BY date`);
	});
	after(async () => srv && srv.stop());

	test('the screen shows the seed\'s two blocks, the stock and the form', async () => {
		const r = await c.get('/certifications');
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		for (const s of ['Gérer les certifications', 'Certifications dont vous gérez la surveillance',
			'Planifier des certifications en centre d\'examen La Poste', 'Type de certification',
			'Date prévisionnelle de la session d\'examen', 'Attribuer des certifications à un ou plusieurs candidats',
			'Partenaire / centre agréé', '20 certifications restantes', 'Ville, code postal ou département'])
			assert.ok(t.includes(s), `« ${s} » in the page`);
		assert.ok(!t.includes('Partenaire / La Poste (30'), 'the La Poste type is not offered for self-proctoring');
		const list = await c.get('/candidats');
		assert.match(list.text, /href="\/certifications">Gérer les certifications</);
	});

	test('step 1: the type, a date today or later, a time and place are checked (422, French)', async () => {
		for (const [q, field, msg] of [
			[{ date }, 'product', 'Cochez le type de certification'],
			[{ produit: refs['PART-LAPOSTE-EXAMEN'], date }, 'product', 'Cochez le type de certification'],
			[{ produit: refs['PART-CLR-EXAMEN'] }, 'date', 'Veuillez indiquer la date prévisionnelle'],
			[{ produit: refs['PART-CLR-EXAMEN'], date: frDate(-1) }, 'date', 'aujourd\'hui ou plus tard'],
			[{ produit: refs['PART-CLR-EXAMEN'], date: '31/02/2031' }, 'date', 'Date invalide'],
			[{ produit: refs['PART-CLR-EXAMEN'], date, heure: '25:00' }, 'time', 'Heure invalide'],
			[{ produit: '999999', date }, 'product', 'Cochez le type de certification'],
			[{ produit: refs['PART-CLR-EXAMEN'], date, lieu: 'x'.repeat(201) }, 'place', 'ne peut dépasser 200 caractères'],
		]) {
			const r = await c.get('/certifications/surveillance?' + new URLSearchParams(q));
			assert.equal(r.status, 422, JSON.stringify(q));
			const m = new RegExp(`id="${field}-err">([^<]*)<`).exec(r.text);
			assert.ok(m && unescapeHtml(m[1]).includes(msg), `${JSON.stringify(q)}: ${m && m[1]}`);
			if (q.date) assert.ok(r.text.includes(`value="${q.date}"`) || field === 'date', 'what was typed is kept');
		}
		// French typography: a no-break space before the colon of a message
		const bad = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date: '31/02/2031' }));
		assert.ok(bad.text.includes('Date invalide\u00a0: utilisez le format jj/mm/aaaa.'), 'U+00A0 before « : »');
		assert.ok(bad.text.includes('Date prévisionnelle de la session d\'examen'), 'the label');
		const ok = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date, heure: '9h30', lieu: 'Salle 12' }));
		assert.equal(ok.status, 200);
		const t = textOf(ok.text);
		assert.ok(t.includes(`${date} à 09:30`) && t.includes('Salle 12') && t.includes('Valider l\'attribution'), t.slice(0, 600));
		assert.equal(+await one(srv, 'SELECT COUNT(*) FROM exam_sessions'), 0, 'checking writes nothing');
	});

	let batch1, sessionId;
	test('« Valider l\'attribution »: certifications, one movement, statuses, drafts set aside', async () => {
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date, heure: '09:30', lieu: 'Salle 12' }));
		const hidden = hiddenFields(page.text);
		assert.ok(hidden.idem && hidden.produit && hidden.date === isoOf(date), JSON.stringify(hidden));
		const ids = [people[0].id, people[1].id, people[2].id, draft.id];
		const r = await c.post('/certifications/surveillance', body(hidden, ids));
		assert.equal(r.status, 303, textOf(r.text).slice(0, 500));
		batch1 = +/\/certifications\/lots\/(\d+)$/.exec(r.headers.get('location'))[1];
		const b = await c.get(`/certifications/lots/${batch1}`);
		const t = textOf(b.text);
		assert.ok(t.includes('3 certifications attribuées sur 4 candidats sélectionnés'), t.slice(0, 600));
		assert.ok(t.includes('Candidats non retenus (1)') && t.includes('« En création »'), 'the draft is listed with the reason');
		assert.equal(await stockOf(srv, admin.org, 'PART-CLR-EXAMEN'), 17);
		const moves = await sql(srv, `SELECT m.id, m.qty, m.ref FROM stock_movements m WHERE m.ref = 'lot:${batch1}'`);
		assert.equal(moves.length, 1, 'one movement for the batch');
		assert.equal(moves[0][1], '-3');
		const certs = await sql(srv, `SELECT candidate_id, state, exam_date, exam_time, stock_movement_id, session_id FROM certifications WHERE batch_id = ${batch1} ORDER BY candidate_id`);
		assert.deepEqual(certs.map((x) => +x[0]), [people[0].id, people[1].id, people[2].id]);
		for (const x of certs) {
			assert.equal(x[1], 'planned');
			assert.equal(x[2], isoOf(date));
			assert.equal(x[3], '09:30');
			assert.equal(x[4], moves[0][0], 'each certification names the movement that paid for it');
		}
		sessionId = +certs[0][5];
		const st = await sql(srv, `SELECT status, exam_date FROM candidates WHERE id IN (${people[0].id}, ${draft.id}) ORDER BY id`);
		assert.deepEqual(st, [['planned', isoOf(date)], ['draft', '']]);
		await checkInvariants(srv, admin.org);
		const cand = textOf((await c.get(`/candidats/${people[0].id}`)).text);
		assert.ok(cand.includes('Prévue') && cand.includes(date) && cand.includes('Salle 12') && cand.includes('Attribuée'), 'the candidate page shows it and its history');
	});

	test('each candidate gets a notice with a calendar event (read back by ical.js)', async () => {
		const [m] = await mails(srv, { to: people[0].email });
		assert.ok(m, 'the notice');
		assert.match(m.headers.Subject, /Votre session : Certification Le Robert le .* à 09:30/);
		const txt = part(m, 'text/plain').content;
		assert.ok(txt.includes('Salle 12') && txt.includes('pièce d\'identité') && txt.includes(people[0].email), txt);
		const ics = part(m, 'text/calendar');
		assert.ok(ics, 'an .ics attachment');
		const cal = parseIcs(ics.content);
		assert.equal(cal.method, 'REQUEST');
		assert.ok(cal.timezones.includes('Europe/Paris'));
		const ev = cal.events[0];
		assert.match(ev.uid, /^certification-\d+@/);
		assert.equal(ev.sequence, 0);
		assert.ok(ev.start.startsWith(`${isoOf(date)}T09:30`), ev.start);
		assert.ok(ev.end.startsWith(`${isoOf(date)}T11:15`), ev.end);
		assert.equal(ev.tzid, 'Europe/Paris');
	});

	test('a resent form makes no second assignment', async () => {
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date }));
		const hidden = hiddenFields(page.text);
		const form = body(hidden, [people[3].id]);
		const [a, b] = await Promise.all([c.post('/certifications/surveillance', form), c.post('/certifications/surveillance', form)]);
		assert.equal(a.status, 303);
		assert.equal(b.status, 303);
		assert.equal(a.headers.get('location'), b.headers.get('location'), 'the same batch');
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM certifications WHERE candidate_id = ${people[3].id}`), 1);
		assert.equal(await stockOf(srv, admin.org, 'PART-CLR-EXAMEN'), 16);
		await checkInvariants(srv, admin.org);
	});

	test('a candidate already planned is never assigned twice; nothing left → French message, nothing changed', async () => {
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date: frDate(30) }));
		const r = await c.post('/certifications/surveillance', body(hiddenFields(page.text), [people[0].id, draft.id]));
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('Aucun des candidats sélectionnés ne peut recevoir cette certification'));
		assert.match(r.text, new RegExp(`value="${people[0].id}"[^>]* checked`), 'the ticked rows stay ticked');
		const r0 = await c.post('/certifications/surveillance', body(hiddenFields(page.text), []));
		assert.equal(r0.status, 422);
		assert.ok(textOf(r0.text).includes('Sélectionnez au moins un candidat'));
		assert.equal(await stockOf(srv, admin.org, 'PART-CLR-EXAMEN'), 16);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM exam_sessions WHERE date = '${isoOf(frDate(30))}'`), 0, 'no session either');
	});

	test('not enough stock: the message says how many remain and links to « Commander »', async () => {
		const many = [];
		for (let i = 0; i < 3; i++) many.push((await candidate(o, { first: 'Multi' })).id);
		await clr(['stock', 'consume', '--db', srv.dbUrl, '--org', other.org, '--product', 'PART-CLR-EXAMEN', '--qty', '4']);
		const page = await o.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date }));
		const r = await o.post('/certifications/surveillance', body(hiddenFields(page.text), [theirs.id, ...many]));
		assert.equal(r.status, 422);
		const t = textOf(r.text);
		assert.ok(t.includes('Stock insuffisant : il vous reste 1 certification « Partenaire / centre agréé » pour 4 candidats'), t.slice(0, 800));
		assert.match(r.text, /href="\/commandes\/nouvelle"/);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM certifications c JOIN organisations o ON o.id = c.org_id WHERE o.name = '${other.org}'`), 0);
		await checkInvariants(srv, other.org);
	});

	test('another organisation\'s candidates, sessions, batches and certifications are unreachable (404)', async () => {
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date }));
		const r = await c.post('/certifications/surveillance', body(hiddenFields(page.text), [people[4].id, theirs.id]));
		assert.equal(r.status, 404);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM certifications WHERE candidate_id = ${people[4].id}`), 0, 'nothing changed');
		const cert = await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${people[0].id}`);
		for (const path of [`/certifications/sessions/${sessionId}`, `/certifications/lots/${batch1}`, `/certifications/${cert}/annuler`,
			`/certifications/sessions/${sessionId}/annuler`])
			assert.equal((await o.get(path)).status, 404, path);
		assert.equal((await o.post(`/certifications/${cert}/annuler`, {})).status, 404);
		assert.equal((await o.post(`/certifications/sessions/${sessionId}/annuler`, {})).status, 404);
		assert.equal((await o.post(`/certifications/sessions/${sessionId}/deplacer`, { date: frDate(40) })).status, 404);
		assert.equal(await one(srv, `SELECT state FROM certifications WHERE id = ${cert}`), 'planned');
	});

	test('CSRF: without the token nothing is assigned, moved or cancelled', async () => {
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date }));
		const h = hiddenFields(page.text);
		delete h.csrf;
		const r = await c.post('/certifications/surveillance', body(h, [people[4].id]), { csrf: false });
		assert.equal(r.status, 403);
		const cert = await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${people[0].id}`);
		assert.equal((await c.post(`/certifications/${cert}/annuler`, 'x=1', { csrf: false })).status, 403);
		assert.equal((await c.post(`/certifications/sessions/${sessionId}/deplacer`, `date=${frDate(40)}`, { csrf: false })).status, 403);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM certifications WHERE candidate_id = ${people[4].id}`), 0);
		assert.equal(await one(srv, `SELECT state FROM certifications WHERE id = ${cert}`), 'planned');
	});

	test('moving the session: certifications follow, candidates get the updated event (SEQUENCE 1)', async () => {
		let r = await c.post(`/certifications/sessions/${sessionId}/deplacer`, { date: frDate(-2), heure: '10:00', lieu: 'Salle 3' });
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('aujourd\'hui ou plus tard'));
		const newDate = frDate(12);
		r = await c.post(`/certifications/sessions/${sessionId}/deplacer`, { date: newDate, heure: '10:00', lieu: 'Salle 3' });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		const certs = await sql(srv, `SELECT exam_date, exam_time, sequence FROM certifications WHERE session_id = ${sessionId} AND state = 'planned'`);
		assert.ok(certs.length >= 3);
		for (const x of certs) assert.deepEqual(x, [isoOf(newDate), '10:00', '1']);
		const moved = (await mails(srv, { to: people[1].email, wait: 2 })).find((m) => /Nouvelle date/.test(m.headers.Subject));
		assert.ok(moved, 'the « Nouvelle date » notice');
		const ev = parseIcs(part(moved, 'text/calendar').content).events[0];
		assert.equal(ev.sequence, 1);
		assert.ok(ev.start.startsWith(`${isoOf(newDate)}T10:00`));
		await checkInvariants(srv, admin.org);
		assert.equal(await one(srv, `SELECT exam_date FROM candidates WHERE id = ${people[1].id}`), isoOf(newDate));
	});

	test('cancelling one: the credit comes back by a movement naming it, METHOD:CANCEL, status « À attribuer »', async () => {
		const cert = await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${people[2].id} AND state = 'planned'`);
		const before = await stockOf(srv, admin.org, 'PART-CLR-EXAMEN');
		const f = await c.get(`/certifications/${cert}/annuler`);
		assert.equal(f.status, 200);
		assert.ok(textOf(f.text).includes('Le crédit sera rendu à votre stock'));
		const r = await c.post(`/certifications/${cert}/annuler`, {});
		assert.equal(r.status, 303);
		assert.equal(await stockOf(srv, admin.org, 'PART-CLR-EXAMEN'), before + 1);
		assert.deepEqual(await sql(srv, `SELECT qty FROM stock_movements WHERE ref = 'certification:${cert}'`), [['1']]);
		assert.equal(await one(srv, `SELECT state FROM certifications WHERE id = ${cert}`), 'cancelled');
		assert.equal(await one(srv, `SELECT status FROM candidates WHERE id = ${people[2].id}`), 'to_assign');
		const cancel = (await mails(srv, { to: people[2].email, wait: 3 })).find((m) => /Annulation/.test(m.headers.Subject));
		assert.ok(cancel, 'the cancellation e-mail');
		const cal = parseIcs(part(cancel, 'text/calendar').content);
		assert.equal(cal.method, 'CANCEL');
		assert.equal(cal.events[0].status, 'CANCELLED');
		assert.equal(cal.events[0].sequence, 2, 'after the move (1), the cancel carries 2');
		// cancelled twice: refused, nothing more given back
		const again = await c.post(`/certifications/${cert}/annuler`, {});
		assert.equal(again.status, 422);
		assert.ok(textOf(again.text).includes('déjà annulée'));
		assert.equal(await stockOf(srv, admin.org, 'PART-CLR-EXAMEN'), before + 1);
		await checkInvariants(srv, admin.org);
	});

	test('deleting a candidate: refused while a certification is planned, allowed once cancelled', async () => {
		let r = await c.get(`/candidats/${people[0].id}/supprimer`);
		assert.ok(textOf(r.text).includes('annulez-la d\'abord'), textOf(r.text).slice(0, 800));
		r = await c.post(`/candidats/${people[0].id}/supprimer`, {});
		assert.equal(r.status, 422);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM candidates WHERE id = ${people[0].id}`), 1);
		r = await c.post(`/candidats/${people[2].id}/supprimer`, {});
		assert.equal(r.status, 303, 'only a cancelled certification: the candidate may go');
	});

	let laposteBatch;
	test('La Poste: find a centre, choose a slot, candidates convoked with a PDF and an .ics', async () => {
		let r = await c.get('/certifications/la-poste?q=lyon');
		assert.equal(r.status, 200);
		assert.ok(textOf(r.text).includes('Bellecour') && textOf(r.text).includes('10 places libres'));
		assert.match(r.text, new RegExp(`href="/certifications/la-poste/creneaux/${slot}"`));
		assert.ok(textOf((await c.get('/certifications/la-poste?q=69')).text).includes('Bellecour'), 'by département');
		r = await c.get(`/certifications/la-poste/creneaux/${slot}`);
		assert.equal(r.status, 200);
		const hidden = hiddenFields(r.text);
		assert.equal(hidden.produit, refs['PART-LAPOSTE-EXAMEN']);
		r = await c.post(`/certifications/la-poste/creneaux/${slot}`, body(hidden, [people[4].id, people[5].id]));
		assert.equal(r.status, 303, textOf(r.text).slice(0, 500));
		laposteBatch = +/lots\/(\d+)/.exec(r.headers.get('location'))[1];
		assert.equal(+await one(srv, `SELECT booked FROM laposte_slots WHERE id = ${slot}`), 2);
		assert.equal(await stockOf(srv, admin.org, 'PART-LAPOSTE-EXAMEN'), 28);
		const [m] = await mails(srv, { to: people[4].email });
		assert.match(m.headers.Subject, /^Convocation à la Certification Le Robert le .* à 09:30$/);
		const txt = part(m, 'text/plain').content;
		for (const s of ['10 place Antonin-Poncet', '69002', 'identifiant', 'mot de passe', 'pièce d\'identité'])
			assert.ok(txt.includes(s), `« ${s} » in the convocation e-mail`);
		const pdf = m.parts.find((p) => p.type === 'application/pdf');
		assert.ok(pdf && pdf.filename === 'convocation.pdf', 'the PDF convocation');
		const f = join(mkdtempSync(join(tmpdir(), 'clr-pdf-')), 'c.pdf');
		writeFileSync(f, Buffer.from(pdf.base64, 'base64'));
		const pt = await run('pdftotext', ['-layout', f, '-']);
		assert.equal(pt.code, 0, pt.stderr);
		assert.ok(pt.stdout.includes(people[4].last.toUpperCase()) && pt.stdout.includes('10 place Antonin-Poncet'), pt.stdout.slice(0, 800));
		const cal = parseIcs(part(m, 'text/calendar').content);
		assert.ok(cal.events[0].location.includes('Antonin-Poncet'));
		await checkInvariants(srv, admin.org);
	});

	test('La Poste: more candidates than free seats, a closed slot: French message, nothing changed', async () => {
		const extra = [];
		for (let i = 0; i < 4; i++) extra.push((await candidate(c, { first: 'Siège' })).id);
		let r = await c.get(`/certifications/la-poste/creneaux/${slot2}`);
		r = await c.post(`/certifications/la-poste/creneaux/${slot2}`, body(hiddenFields(r.text), extra));
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('Ce créneau n\'a plus que 3 places libres pour 4 candidats'), textOf(r.text).slice(0, 600));
		assert.equal(+await one(srv, `SELECT booked FROM laposte_slots WHERE id = ${slot2}`), 0);
		assert.equal(await stockOf(srv, admin.org, 'PART-LAPOSTE-EXAMEN'), 28);
		// a self-proctored product posted to a La Poste slot
		r = await c.get(`/certifications/la-poste/creneaux/${slot2}`);
		const h = hiddenFields(r.text);
		h.produit = refs['PART-CLR-EXAMEN'];
		r = await c.post(`/certifications/la-poste/creneaux/${slot2}`, body(h, [extra[0]]));
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('ne se passe pas en centre d\'examen La Poste'));
		// an unknown product, then a slot closed by staff meanwhile (a stale page)
		h.produit = '999999';
		r = await c.post(`/certifications/la-poste/creneaux/${slot2}`, body(h, [extra[0]]));
		assert.equal(r.status, 422);
		h.produit = refs['PART-LAPOSTE-EXAMEN'];
		assert.equal((await s.post(`/backoffice/centres/${centre}/creneaux/${slot2}/fermer`, {})).status, 303);
		r = await c.post(`/certifications/la-poste/creneaux/${slot2}`, body(h, [extra[0]]));
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('n\'est plus ouvert aux inscriptions'), textOf(r.text).slice(0, 600));
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM certifications WHERE slot_id = ${slot2}`), 0);
		assert.equal((await s.post(`/backoffice/centres/${centre}/creneaux/${slot2}/rouvrir`, {})).status, 303);
		assert.equal(await stockOf(srv, admin.org, 'PART-LAPOSTE-EXAMEN'), 28);
	});

	test('moving a La Poste certification to another slot frees the seat and re-sends the convocation', async () => {
		const cert = await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${people[5].id} AND state = 'planned'`);
		const f = await c.get(`/certifications/${cert}/deplacer`);
		assert.equal(f.status, 200);
		assert.match(f.text, new RegExp(`name="slot" value="${slot2}"`));
		const r = await c.post(`/certifications/${cert}/deplacer`, { slot: String(slot2) });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 400));
		assert.deepEqual(await sql(srv, `SELECT id, booked FROM laposte_slots WHERE id IN (${slot}, ${slot2}) ORDER BY date`), [[String(slot), '1'], [String(slot2), '1']]);
		const moved = (await mails(srv, { to: people[5].email, wait: 2 })).find((m) => /Nouvelle convocation/.test(m.headers.Subject));
		assert.ok(moved && moved.parts.some((p) => p.type === 'application/pdf'), 'a new convocation with its PDF');
		assert.equal(parseIcs(part(moved, 'text/calendar').content).events[0].sequence, 1);
		await checkInvariants(srv, admin.org);
	});

	test('La Poste certifications get no activation code, and the screens say why', async () => {
		const cert = await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${people[4].id} AND state = 'planned'`);
		const r = await c.post(`/certifications/${cert}/code`, {});
		assert.equal(r.status, 303);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM activation_codes WHERE certification_id = ${cert}`), 0);
		const next = await c.get(r.headers.get('location'));
		assert.ok(textOf(next.text).includes('n\'ont pas de code d\'activation'), textOf(next.text).slice(0, 500));
		const gen = await c.post('/certifications/codes', { date: frDate(14) });
		assert.equal(gen.status, 303);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM activation_codes WHERE certification_id = ${cert}`), 0, 'a date with La Poste ones only');
	});

	test('cancelling a session\'s certifications gives every credit back', async () => {
		const before = await stockOf(srv, admin.org, 'PART-CLR-EXAMEN');
		const planned = +await one(srv, `SELECT COUNT(*) FROM certifications WHERE session_id = ${sessionId} AND state = 'planned'`);
		assert.ok(planned >= 2);
		const r = await c.post(`/certifications/sessions/${sessionId}/annuler`, {});
		assert.equal(r.status, 303);
		assert.equal(await stockOf(srv, admin.org, 'PART-CLR-EXAMEN'), before + planned);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM certifications WHERE session_id = ${sessionId} AND state = 'planned'`), 0);
		await checkInvariants(srv, admin.org);
	});

	test('time passes: the sweep turns « Prévue » into « En attente »', async () => {
		const cid = people[4].id; // La Poste, in 14 days
		assert.equal(await one(srv, `SELECT status FROM candidates WHERE id = ${cid}`), 'planned');
		const r = await run(process.env.CLR_BIN || 'build/clr', ['certifications', 'sweep', '--db', srv.dbUrl],
			{ env: { ...process.env, CLR_TIME_OFFSET: String(20 * 86400) } });
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /[1-9]\d* candidates? now « En attente »/);
		assert.equal(await one(srv, `SELECT status FROM candidates WHERE id = ${cid}`), 'waiting');
		await checkInvariants(srv, admin.org, 20); // as seen 20 days from now
	});

	test('the audit log records every operation', async () => {
		const actions = (await sql(srv, `SELECT DISTINCT action FROM audit_log WHERE action LIKE 'certification.%' OR action LIKE 'session.%'`)).map((x) => x[0]).sort();
		assert.deepEqual(actions, ['certification.assign', 'certification.cancel', 'certification.move', 'session.cancel', 'session.move']);
	});
});

describe('the last seats of a slot', () => {
	let srv;
	before(async () => {
		srv = await startServer();
	});
	after(async () => srv && srv.stop());

	test('50 concurrent requests for a slot of 10 seats: exactly 10 certifications', async () => {
		const admins = [await newAdmin(srv, { org: `Course A ${letters()}` }), await newAdmin(srv, { org: `Course B ${letters()}` })];
		const staff = await loggedIn(srv, await newStaff(srv));
		let r = await staff.post('/backoffice/centres', { name: `La Poste Lille ${letters()}`, address: '8 place de la République',
			postal_code: '59000', city: 'Lille', active: '1' });
		const centre = +/centres\/(\d+)/.exec(r.headers.get('location'))[1];
		r = await staff.post(`/backoffice/centres/${centre}/creneaux`, { date: frDate(9), time: '08:30', seats: '10' });
		assert.equal(r.status, 303);
		const slot = +(await one(srv, `SELECT id FROM laposte_slots WHERE centre_id = ${centre}`));
		const jobs = [];
		for (const a of admins) {
			await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', a.org, '--product', 'PART-LAPOSTE-EXAMEN', '--qty', '100', '--reason', 'test']);
			const cl = await loggedIn(srv, a);
			for (let i = 0; i < 25; i++) {
				const cand = await candidate(cl, { first: 'Course' });
				const page = await cl.get(`/certifications/la-poste/creneaux/${slot}`);
				jobs.push({ cl, form: body(hiddenFields(page.text), [cand.id]) });
			}
		}
		const res = await Promise.all(jobs.map((j) => j.cl.post(`/certifications/la-poste/creneaux/${slot}`, j.form)));
		const ok = res.filter((x) => x.status === 303).length;
		const full = res.filter((x) => x.status === 422 && /complet|plus que|n'est plus ouvert/.test(textOf(x.text))).length;
		assert.equal(ok, 10, `statuses: ${res.map((x) => x.status).join(',')}`);
		assert.equal(full, 40, 'the others are told the slot is full');
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM certifications WHERE slot_id = ${slot}`), 10);
		assert.equal(+await one(srv, `SELECT booked FROM laposte_slots WHERE id = ${slot}`), 10);
		assert.equal(+await one(srv, `SELECT SUM(qty) FROM stock_balances b JOIN products p ON p.id = b.product_id WHERE p.reference = 'PART-LAPOSTE-EXAMEN'`), 190);
		for (const a of admins) await checkInvariants(srv, a.org);
	});
});

describe('activation codes', () => {
	let srv, admin, other, c, o, refs, sessionId, certs, people;
	const CODE = /^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/; // no 0 O 1 I L
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: `Centre Codes ${letters()}` });
		other = await newAdmin(srv, { org: `Autre Codes ${letters()}` });
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
		refs = await products(srv);
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '10', '--reason', 'test']);
		people = [];
		for (let i = 0; i < 4; i++) people.push(await candidate(c, { first: 'Code' }));
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date: frDate(0), lieu: 'Salle 2' }));
		const r = await c.post('/certifications/surveillance', body(hiddenFields(page.text), people.slice(0, 3).map((p) => p.id)));
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		sessionId = +await one(srv, `SELECT session_id FROM certifications WHERE candidate_id = ${people[0].id}`);
		certs = (await sql(srv, `SELECT id FROM certifications WHERE session_id = ${sessionId} ORDER BY id`)).map((x) => +x[0]);
	});
	after(async () => srv && srv.stop());

	test('« Générer les codes »: one code per certification, in the alphabet without look-alikes, unique', async () => {
		const f = await c.get('/certifications/codes');
		assert.equal(f.status, 200);
		for (const s of ['Générer les codes d\'activation', 'Pour une session d\'examen', 'Pour une date', 'Générer les codes'])
			assert.ok(textOf(f.text).includes(s), s);
		const r = await c.post('/certifications/codes', { session: String(sessionId) });
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), `/certifications/sessions/${sessionId}`);
		const codes = await sql(srv, `SELECT code, certification_id FROM activation_codes WHERE revoked_at IS NULL ORDER BY certification_id`);
		assert.equal(codes.length, 3);
		assert.deepEqual(codes.map((x) => +x[1]), certs);
		const page = await c.get(`/certifications/sessions/${sessionId}`);
		const shown = [...page.text.matchAll(/class="code">([^<]*)</g)].map((m) => m[1]);
		assert.equal(shown.length, 3);
		for (const s of shown) assert.match(s, CODE);
		assert.equal(new Set(shown).size, 3);
		assert.deepEqual(shown.map((s) => s.replaceAll('-', '')).sort(), codes.map((x) => x[0]).sort());
		// again: nothing new
		assert.equal((await c.post(`/certifications/sessions/${sessionId}/codes`, {})).status, 303);
		assert.equal(+await one(srv, 'SELECT COUNT(*) FROM activation_codes'), 3);
	});

	test('regenerating a code revokes the old one; cancelling revokes it too; CSV download', async () => {
		const old = await one(srv, `SELECT code FROM activation_codes WHERE certification_id = ${certs[0]} AND revoked_at IS NULL`);
		const r = await c.post(`/certifications/${certs[0]}/code`, {});
		assert.equal(r.status, 303);
		const now = await one(srv, `SELECT code FROM activation_codes WHERE certification_id = ${certs[0]} AND revoked_at IS NULL`);
		assert.notEqual(now, old);
		assert.ok(await one(srv, `SELECT revoked_at FROM activation_codes WHERE code = '${old}'`), 'the old one is revoked');
		assert.equal((await c.post(`/certifications/${certs[1]}/annuler`, {})).status, 303);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM activation_codes WHERE certification_id = ${certs[1]} AND revoked_at IS NULL`), 0);
		const csv = await c.get(`/certifications/sessions/${sessionId}/codes.csv`);
		assert.equal(csv.status, 200);
		assert.match(csv.headers.get('content-disposition'), /attachment; filename="codes-session-/);
		const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
		assert.equal(lines[0], 'Nom;Prénom;Date de naissance;Code d\'activation');
		assert.equal(lines.length, 3, 'the two planned ones');
		assert.ok(lines.some((l) => l.endsWith(now.slice(0, 4) + '-' + now.slice(4, 8) + '-' + now.slice(8))));
	});

	test('the session\'s documents: codes list, « Document de surveillance », scratch sheets (PDF read back)', async () => {
		const code = await one(srv, `SELECT code FROM activation_codes WHERE certification_id = ${certs[0]} AND revoked_at IS NULL`);
		const shown = `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
		const text = async (path) => {
			const res = await fetch(srv.url + path, { headers: { cookie: c.cookieHeader() } });
			assert.equal(res.status, 200, path);
			assert.equal(res.headers.get('content-type'), 'application/pdf');
			assert.match(res.headers.get('content-disposition'), /attachment; filename=".*\.pdf"/);
			const f = join(mkdtempSync(join(tmpdir(), 'clr-docs-')), 'd.pdf');
			writeFileSync(f, Buffer.from(await res.arrayBuffer()));
			const r = await run('pdftotext', ['-layout', f, '-']);
			assert.equal(r.code, 0, r.stderr);
			return r.stdout;
		};
		const codes = await text(`/certifications/sessions/${sessionId}/codes.pdf`);
		assert.ok(codes.includes(shown) && codes.includes(people[0].last.toUpperCase()), codes.slice(0, 600));
		const surv = await text(`/certifications/sessions/${sessionId}/surveillance.pdf`);
		for (const s of ['Document de surveillance', 'Heure de début', 'Incidents', people[0].last.toUpperCase(), shown])
			assert.ok(surv.includes(s), `« ${s} » in the « Document de surveillance »`);
		const scratch = await text(`/certifications/sessions/${sessionId}/brouillons.pdf`);
		assert.ok(scratch.includes('Feuille de brouillon') && scratch.includes(people[0].last.toUpperCase()));
		assert.equal((await o.get(`/certifications/sessions/${sessionId}/surveillance.pdf`)).status, 404, 'another organisation');
	});

	test('by date and group; another organisation: 404; CSRF', async () => {
		await c.post('/candidats/' + people[3].id + '/groupes', {}); // (no group: the candidate stays ungrouped)
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: refs['PART-CLR-EXAMEN'], date: frDate(0), lieu: 'Salle 9' }));
		assert.equal((await c.post('/certifications/surveillance', body(hiddenFields(page.text), [people[3].id]))).status, 303);
		const g = await c.post('/groupes/nouveau', { name: `Codes ${letters()}`, category: 'autre' });
		const gid = +/\/groupes\/(\d+)/.exec(g.headers.get('location'))[1];
		let r = await c.post('/certifications/codes', { date: frDate(0), groupe: String(gid) });
		assert.equal(r.status, 303);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM activation_codes k JOIN certifications x ON x.id = k.certification_id WHERE x.candidate_id = ${people[3].id}`), 0, 'not in the group: no code');
		r = await c.post('/certifications/codes', { date: frDate(0) });
		assert.equal(r.status, 303);
		assert.match(r.headers.get('location'), /\/certifications\/codes\?date=/);
		assert.equal(+await one(srv, `SELECT COUNT(*) FROM activation_codes k JOIN certifications x ON x.id = k.certification_id WHERE x.candidate_id = ${people[3].id}`), 1);
		r = await c.post('/certifications/codes', { date: '31/02/2026' });
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/certifications/codes', 'a bad date: back with a message');
		for (const [path, m] of [[`/certifications/${certs[0]}/code`, 'POST'], [`/certifications/sessions/${sessionId}/codes`, 'POST'],
			[`/certifications/sessions/${sessionId}/codes.csv`, 'GET'], [`/certifications/sessions/${sessionId}/resultats.csv`, 'GET']])
			assert.equal((m === 'POST' ? await o.post(path, {}) : await o.get(path)).status, 404, path);
		const before = await one(srv, `SELECT code FROM activation_codes WHERE certification_id = ${certs[0]} AND revoked_at IS NULL`);
		assert.equal((await c.post(`/certifications/${certs[0]}/code`, 'x=1', { csrf: false })).status, 403);
		assert.equal(await one(srv, `SELECT code FROM activation_codes WHERE certification_id = ${certs[0]} AND revoked_at IS NULL`), before);
	});
});
