// A team per organisation (issue 15): « Équipe » (invitations: one-time
// links, resend, revoke, expiry; removal: never the last administrator,
// sessions closed at once), the proctor's read-only « Mes sessions »,
// « Mot de passe oublié ? », the login e-mail change, staff's « Mon compte »,
// order notifications and the low-stock banner.  CSRF and other
// organisations everywhere.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startServer, Client, newAdmin, newStaff, loggedIn, textOf, inputValue, fieldByLabel, attr, uniqueEmail, sqlRows, clr,
	PASSWORD,
} from '../lib/server.mjs';
import { mailsTo, plainOf, linkIn, invitationLink, candidate, examSession } from '../lib/team.mjs';

const NEW_PW = 'Une-phrase-de-passe-neuve-7';
const q = (s) => s.replaceAll("'", "''");

async function invite(c, email, role = 'admin', name = '') {
	return c.post('/compte/equipe/invitations', { name, email, role });
}

/** Accepts the invitation of `link` with a name and NEW_PW; the account. */
async function accept(srv, link, email, name = 'Camille Martin') {
	const c = new Client(srv.url);
	const g = await c.get(link);
	assert.equal(g.status, 200, textOf(g.text).slice(0, 300));
	const r = await c.post(link, { name, password: NEW_PW, confirm: NEW_PW });
	assert.equal(r.status, 303, textOf(r.text).slice(0, 400));
	assert.equal(r.headers.get('location'), '/connexion');
	return { email, password: NEW_PW };
}

describe('« Équipe » and invitations', () => {
	let srv, admin, other, c, o;
	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_POLL_MS: '100' } });
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
	});
	after(async () => srv && srv.stop());

	test('the tab lists the members and offers the invitation form by its French labels', async () => {
		const r = await c.get('/compte/equipe');
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		for (const s of ['Profil', 'Mot de passe', 'Équipe', 'Invitations en attente', 'Inviter un membre', 'Administrateur', 'Surveillant', admin.email])
			assert.ok(t.includes(s), `« ${s} »`);
		assert.equal(attr(fieldByLabel(r.text, 'Courriel'), 'name'), 'email');
		assert.equal(attr(fieldByLabel(r.text, 'Nom (facultatif)'), 'name'), 'name');
		assert.ok(!/membres\/\d+\/retirer/.test(r.text), 'the only administrator cannot be removed: no button');
		const p = await c.get('/compte');
		assert.match(p.text, /href="\/compte\/equipe">Équipe</, 'the tab next to « Profil »');
	});

	test('bad invitations: a French message, nothing stored or sent', async () => {
		for (const [f, msg] of [
			[{ email: '', role: 'admin' }, 'Veuillez indiquer l'],
			[{ email: 'pas-une-adresse', role: 'admin' }, 'Adresse de courriel invalide'],
			[{ email: uniqueEmail('x'), role: 'chef' }, 'Choisissez le rôle'],
			[{ email: other.email, role: 'admin' }, 'déjà celle d'],
		]) {
			const r = await c.post('/compte/equipe/invitations', { name: '', ...f });
			assert.equal(r.status, 422, JSON.stringify(f));
			assert.ok(textOf(r.text).includes(msg), `${JSON.stringify(f)}: ${textOf(r.text).slice(0, 400)}`);
		}
		const [[n]] = await sqlRows(srv, 'SELECT COUNT(*) FROM invitations');
		assert.equal(+n, 0);
	});

	test('an invitation is e-mailed with a one-time link; the invitee sets name and password, then logs in', async () => {
		const email = uniqueEmail('invitee');
		const r = await invite(c, email, 'admin', 'Camille');
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		const page = await c.get('/compte/equipe');
		assert.ok(textOf(page.text).includes(email), 'pending invitation listed');
		const [m] = await mailsTo(srv, email, { subject: 'Invitation' });
		assert.ok(plainOf(m).includes(admin.org), 'the organisation is named');
		assert.ok(plainOf(m).includes('72') || /expire le \d\d\/\d\d\/\d{4}/.test(plainOf(m)), 'the expiry');
		const link = linkIn(m, '/invitation/');
		const [[hash]] = await sqlRows(srv, `SELECT token_hash FROM invitations WHERE email = '${q(email)}'`);
		assert.ok(!hash.includes(link.split('/').pop()), 'only the hash is stored');
		// weak passwords and a mismatch are refused with the admin's rules
		const v = new Client(srv.url);
		await v.get(link);
		for (const [pw, conf, msg] of [['court', 'court', '12 caractères'], ['motdepasse123', 'motdepasse123', 'courants'],
			[NEW_PW, NEW_PW + 'x', 'ne correspondent pas']]) {
			const x = await v.post(link, { name: 'Camille Martin', password: pw, confirm: conf });
			assert.equal(x.status, 422, pw);
			assert.ok(textOf(x.text).includes(msg), `${pw}: ${textOf(x.text).slice(0, 500)}`);
		}
		const forged = await v.post(link, { name: 'Camille Martin', password: NEW_PW, confirm: NEW_PW, csrf: 'z'.repeat(43) });
		assert.equal(forged.status, 403, 'CSRF on the public invitation form');
		const acc = await accept(srv, link, email);
		const nc = await loggedIn(srv, acc);
		const home = await nc.get('/accueil');
		assert.equal(home.status, 200, 'a new administrator sees « Accueil »');
		// single use
		const again = await new Client(srv.url).get(link);
		assert.equal(again.status, 404);
		assert.ok(textOf(again.text).includes('Lien d\'invitation invalide'));
		const re = await new Client(srv.url).post(link, { name: 'X', password: NEW_PW, confirm: NEW_PW });
		assert.equal(re.status, 404);
		const t = textOf((await c.get('/compte/equipe')).text);
		assert.ok(t.includes('Camille Martin'), 'the new member is listed');
	});

	test('an expired link is refused (72 h)', async () => {
		const email = uniqueEmail('late');
		assert.equal((await invite(c, email, 'proctor')).status, 303);
		const link = await invitationLink(srv, email);
		await sqlRows(srv, `UPDATE invitations SET expires_at = expires_at - 72 * 3600 - 1 WHERE email = '${q(email)}'`);
		const r = await new Client(srv.url).get(link);
		assert.equal(r.status, 404);
		const p = await new Client(srv.url).post(link, { name: 'Trop Tard', password: NEW_PW, confirm: NEW_PW });
		assert.equal(p.status, 404);
		assert.ok(textOf((await c.get('/compte/equipe')).text).includes('Expirée'), 'shown as expired');
		const [[n]] = await sqlRows(srv, `SELECT COUNT(*) FROM users WHERE email = '${q(email)}'`);
		assert.equal(+n, 0);
	});

	test('resend: a new link replaces the old; revoke: the link stops working', async () => {
		const email = uniqueEmail('resend');
		await invite(c, email);
		const first = await invitationLink(srv, email, 1);
		const [[id]] = await sqlRows(srv, `SELECT id FROM invitations WHERE email = '${q(email)}'`);
		const r = await c.post(`/compte/equipe/invitations/${id}/renvoyer`, {});
		assert.equal(r.status, 303);
		const second = await invitationLink(srv, email, 2);
		assert.notEqual(first, second);
		assert.equal((await new Client(srv.url).get(first)).status, 404, 'the old link is dead');
		assert.equal((await new Client(srv.url).get(second)).status, 200);
		// another organisation cannot touch it
		assert.equal((await o.post(`/compte/equipe/invitations/${id}/revoquer`, {})).status, 404);
		assert.equal((await o.post(`/compte/equipe/invitations/${id}/renvoyer`, {})).status, 404);
		assert.equal((await new Client(srv.url).get(second)).status, 200);
		const v = await c.post(`/compte/equipe/invitations/${id}/revoquer`, {});
		assert.equal(v.status, 303);
		assert.equal((await new Client(srv.url).get(second)).status, 404, 'revoked');
		assert.equal((await c.post(`/compte/equipe/invitations/${id}/renvoyer`, {})).status, 404, 'a revoked one cannot be resent');
	});

	test('removal: sessions closed at once, never the last administrator, never another organisation\'s', async () => {
		const email = uniqueEmail('leaver');
		await invite(c, email, 'proctor');
		const acc = await accept(srv, await invitationLink(srv, email), email, 'Paul Surveillant');
		const pc = await loggedIn(srv, acc);
		assert.equal((await pc.get('/mes-sessions')).status, 200);
		const [[uid]] = await sqlRows(srv, `SELECT id FROM users WHERE email = '${q(email)}'`);
		assert.equal((await o.post(`/compte/equipe/membres/${uid}/retirer`, {})).status, 404, 'other organisation');
		const r = await c.post(`/compte/equipe/membres/${uid}/retirer`, {});
		assert.equal(r.status, 303);
		const after = await pc.get('/mes-sessions');
		assert.equal(after.status, 303, 'the removed member\'s session is closed');
		assert.match(after.headers.get('location'), /^\/connexion/);
		assert.equal((await new Client(srv.url).login(acc.email, acc.password)).status, 401, 'cannot log in again');
		// the last administrator of `other` cannot be removed
		const [[oid]] = await sqlRows(srv, `SELECT id FROM users WHERE email = '${q(other.email)}'`);
		const last = await o.post(`/compte/equipe/membres/${oid}/retirer`, {});
		assert.equal(last.status, 303);
		const page = await o.get('/compte/equipe');
		assert.ok(textOf(page.text).includes('Impossible de retirer le dernier administrateur'), textOf(page.text).slice(0, 300));
		assert.equal((await o.get('/accueil')).status, 200, 'still there');
	});

	test('CSRF: every team POST without the token is refused (403), nothing changes', async () => {
		const email = uniqueEmail('csrf');
		const r = await c.post('/compte/equipe/invitations', { email, role: 'admin', csrf: 'x'.repeat(43) });
		assert.equal(r.status, 403);
		const [[n]] = await sqlRows(srv, `SELECT COUNT(*) FROM invitations WHERE email = '${q(email)}'`);
		assert.equal(+n, 0);
		for (const p of ['/compte/equipe/invitations/1/renvoyer', '/compte/equipe/invitations/1/revoquer', '/compte/equipe/membres/1/retirer', '/compte/alerte-stock'])
			assert.equal((await c.post(p, {}, { csrf: false })).status, 403, p);
	});
});

describe('the proctor, read-only on their sessions', () => {
	let srv, admin, other, c, o, proctor, pc, sid, otherSid, people;
	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_POLL_MS: '100' } });
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
		people = [await candidate(c, { last: 'Lefèvre', first: 'Zoé', birth: '03/02/2001' }), await candidate(c, { last: 'Noël', first: 'Anaïs' })];
		sid = await examSession(srv, c, admin.org, people);
		otherSid = await examSession(srv, o, other.org, [await candidate(o, { last: 'Autrui' })]);
		const email = uniqueEmail('proctor');
		assert.equal((await invite(c, email, 'proctor', 'Paul')).status, 303);
		proctor = await accept(srv, await invitationLink(srv, email), email, 'Paul Surveillant');
		pc = new Client(srv.url);
		const r = await pc.login(proctor.email, proctor.password);
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/mes-sessions', 'a proctor lands on « Mes sessions »');
	});
	after(async () => srv && srv.stop());

	test('no session assigned: « Mes sessions » is empty and the session is 404', async () => {
		const r = await pc.get('/mes-sessions');
		assert.equal(r.status, 200);
		assert.ok(textOf(r.text).includes('Aucune session ne vous est attribuée'));
		assert.equal((await pc.get(`/mes-sessions/${sid}`)).status, 404);
		assert.equal((await pc.get(`/mes-sessions/${sid}/codes.pdf`)).status, 404);
	});

	test('the administrator assigns them on the session page; they see it, candidates by name and birth date, codes, documents', async () => {
		const page = await c.get(`/certifications/sessions/${sid}`);
		assert.ok(textOf(page.text).includes('Surveillants'), 'the section');
		assert.ok(textOf(page.text).includes('Paul Surveillant'));
		const [[uid]] = await sqlRows(srv, `SELECT id FROM users WHERE email = '${q(proctor.email)}'`);
		const r = await c.post(`/certifications/sessions/${sid}/surveillants`, { proctor: uid });
		assert.equal(r.status, 303);
		const list = await pc.get('/mes-sessions');
		assert.ok(list.text.includes(`/mes-sessions/${sid}`), 'listed');
		const s = await pc.get(`/mes-sessions/${sid}`);
		assert.equal(s.status, 200);
		const t = textOf(s.text);
		assert.ok(t.includes('Lefèvre') && t.includes('Zoé') && t.includes('03/02/2001'), t.slice(0, 800));
		assert.match(t, /[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/, 'activation codes');
		for (const p of people) assert.ok(!s.text.includes(p.email), 'no e-mail address');
		assert.ok(!s.text.includes('/candidats/'), 'no link to the candidate pages');
		for (const f of ['codes.pdf', 'surveillance.pdf', 'brouillons.pdf']) {
			const d = await pc.get(`/mes-sessions/${sid}/${f}`);
			assert.equal(d.status, 200, f);
			assert.match(d.headers.get('content-type'), /application\/pdf/);
		}
		// another organisation's session, even by its id: 404
		assert.equal((await pc.get(`/mes-sessions/${otherSid}`)).status, 404);
		// the other organisation cannot assign our proctor to its session
		const x = await o.post(`/certifications/sessions/${otherSid}/surveillants`, { proctor: uid });
		assert.equal(x.status, 303);
		const [[n]] = await sqlRows(srv, `SELECT COUNT(*) FROM exam_session_proctors WHERE session_id = ${otherSid}`);
		assert.equal(+n, 0, 'not assigned across organisations');
		assert.equal((await o.post(`/certifications/sessions/${sid}/surveillants`, {})).status, 404);
	});

	test('everything else is refused: orders, candidates, account tabs but « Mot de passe »', async () => {
		for (const p of ['/accueil', '/commandes', '/candidats', `/candidats/${people[0].id}`, '/groupes', '/certifications',
			`/certifications/sessions/${sid}`, `/certifications/sessions/${sid}/codes.pdf`, '/compte', '/compte/equipe', '/backoffice'])
			assert.equal((await pc.get(p)).status, 403, p);
		const pw = await pc.get('/compte/mot-de-passe');
		assert.equal(pw.status, 200);
		assert.ok(!/href="\/compte"/.test(pw.text), 'no « Profil » tab');
		assert.ok(!/href="\/compte\/equipe"/.test(pw.text), 'no « Équipe » tab');
		assert.ok(!/href="\/commandes"/.test(pw.text), 'no orders in the navigation');
	});
});

describe('« Mot de passe oublié ? »', () => {
	let srv, admin, staff;
	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_POLL_MS: '100' } });
		admin = await newAdmin(srv);
		staff = await newStaff(srv);
	});
	after(async () => srv && srv.stop());

	test('/connexion links to it; the page has « Courriel » and « Recevoir le lien »', async () => {
		const l = await new Client(srv.url).get('/connexion');
		assert.match(l.text, /href="\/mot-de-passe-oublie">Mot de passe oublié/);
		const r = await new Client(srv.url).get('/mot-de-passe-oublie');
		assert.equal(r.status, 200);
		assert.equal(attr(fieldByLabel(r.text, 'Courriel'), 'name'), 'email');
		assert.ok(textOf(r.text).includes('Recevoir le lien'));
	});

	test('the answer is the same whether the address has an account or not', async () => {
		const a = await new Client(srv.url).post('/mot-de-passe-oublie', { email: uniqueEmail('nobody') });
		const b = await new Client(srv.url).post('/mot-de-passe-oublie', { email: admin.email });
		assert.equal(a.status, 200);
		assert.equal(b.status, a.status);
		const strip = (h) => textOf(h).replace(/\s+/g, ' ');
		assert.equal(strip(a.text), strip(b.text));
		assert.ok(strip(a.text).includes('Si un compte correspond à cette adresse'));
	});

	test('the link sets a new password once, closes every session, and expires', async () => {
		const s1 = await loggedIn(srv, admin);
		const email = admin.email;
		await new Client(srv.url).post('/mot-de-passe-oublie', { email: email.toUpperCase() });
		const ms = await mailsTo(srv, email, { wait: 2, subject: 'Réinitialisation' });
		const link = linkIn(ms[ms.length - 1], '/mot-de-passe-oublie/');
		const [[hashes]] = await sqlRows(srv, 'SELECT group_concat(token_hash) FROM password_resets'.replace('group_concat(token_hash)', srv.dbUrl.startsWith('sqlite:') ? 'group_concat(token_hash)' : "string_agg(token_hash, ',')"));
		assert.ok(!hashes.includes(link.split('/').pop()), 'only the hash is stored');
		const v = new Client(srv.url);
		const g = await v.get(link);
		assert.equal(g.status, 200);
		assert.equal(attr(fieldByLabel(g.text, 'Nouveau mot de passe'), 'name'), 'new_password');
		const weak = await v.post(link, { new_password: 'azertyuiop12', confirm_password: 'azertyuiop12' });
		assert.equal(weak.status, 422);
		const r = await v.post(link, { new_password: NEW_PW, confirm_password: NEW_PW });
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/connexion');
		assert.equal((await s1.get('/accueil')).status, 303, 'the open session was closed');
		assert.equal((await new Client(srv.url).login(email, admin.password)).status, 401, 'old password refused');
		assert.equal((await new Client(srv.url).login(email, NEW_PW)).status, 303, 'new password works');
		assert.equal((await new Client(srv.url).get(link)).status, 404, 'single use');
		assert.equal((await new Client(srv.url).post(link, { new_password: NEW_PW + '2', confirm_password: NEW_PW + '2' })).status, 404);
		// staff too, and expiry after one hour
		await new Client(srv.url).post('/mot-de-passe-oublie', { email: staff.email });
		const sl = linkIn((await mailsTo(srv, staff.email, { subject: 'Réinitialisation' }))[0], '/mot-de-passe-oublie/');
		assert.equal((await new Client(srv.url).get(sl)).status, 200);
		await sqlRows(srv, 'UPDATE password_resets SET expires_at = expires_at - 3601');
		assert.equal((await new Client(srv.url).get(sl)).status, 404, 'expired');
		assert.equal((await new Client(srv.url).post(sl, { new_password: NEW_PW, confirm_password: NEW_PW })).status, 404);
		assert.equal((await new Client(srv.url).login(staff.email, staff.password)).status, 303, 'unchanged');
	});

	test('a malformed or empty address: 422 with a French message', async () => {
		for (const [email, msg] of [['', 'Veuillez indiquer'], ['pas-une-adresse', 'Adresse de courriel invalide'], ['a'.repeat(5000) + '@x.fr', 'Adresse de courriel invalide']]) {
			const r = await new Client(srv.url).post('/mot-de-passe-oublie', { email });
			assert.equal(r.status, 422, email.slice(0, 20));
			assert.ok(textOf(r.text).includes(msg), textOf(r.text).slice(0, 300));
		}
	});

	test('rate-limited per address typed (429, French), CSRF checked', async () => {
		const email = uniqueEmail('flood');
		const c = new Client(srv.url);
		for (let i = 0; i < 3; i++) assert.equal((await c.post('/mot-de-passe-oublie', { email })).status, 200, `request ${i + 1}`);
		const r = await c.post('/mot-de-passe-oublie', { email });
		assert.equal(r.status, 429);
		assert.ok(textOf(r.text).includes('Trop de demandes'), textOf(r.text).slice(0, 300));
		const x = await new Client(srv.url).post('/mot-de-passe-oublie', { email: admin.email, csrf: 'y'.repeat(43) });
		assert.equal(x.status, 403);
	});
});

describe('the login e-mail, staff\'s « Mon compte », notifications, the stock banner', () => {
	let srv, admin, staff, c, s;
	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_POLL_MS: '100' } });
		admin = await newAdmin(srv);
		staff = await newStaff(srv);
		c = await loggedIn(srv, admin);
		s = await loggedIn(srv, staff);
	});
	after(async () => srv && srv.stop());

	test('a new login e-mail needs the current password; the old address is told', async () => {
		const old = admin.email;
		const next = uniqueEmail('moved');
		const a = await c.post('/compte', { name: 'Amélie', email: next, phone: '' });
		assert.equal(a.status, 422);
		assert.ok(textOf(a.text).includes('indiquez votre mot de passe actuel'), textOf(a.text).slice(0, 400));
		const b = await c.post('/compte', { name: 'Amélie', email: next, phone: '', current_password: 'faux-mot-de-passe' });
		assert.equal(b.status, 422);
		assert.equal(inputValue(b.text, 'current_password'), '', 'never echoed');
		const [[e0]] = await sqlRows(srv, `SELECT email FROM users WHERE email = '${q(old)}'`);
		assert.equal(e0, old, 'unchanged');
		const ok = await c.post('/compte', { name: 'Amélie', email: next, phone: '', current_password: admin.password });
		assert.equal(ok.status, 303);
		const [m] = await mailsTo(srv, old, { subject: 'adresse de connexion' });
		assert.ok(plainOf(m).includes(next), 'the notice names the new address');
		// the name alone needs no password
		assert.equal((await c.post('/compte', { name: 'Amélie B.', email: next, phone: '' })).status, 303);
		admin.email = next;
	});

	test('staff get « Mon compte »: profile and password under /backoffice/compte', async () => {
		const b = await s.get('/backoffice');
		assert.match(b.text, /href="\/backoffice\/compte"[^>]*>Mon compte</);
		const p = await s.get('/backoffice/compte');
		assert.equal(p.status, 200);
		assert.equal(inputValue(p.text, 'email'), staff.email);
		assert.ok(!/href="\/compte\/equipe"/.test(p.text), 'no « Équipe » for staff');
		const r = await s.post('/backoffice/compte', { name: 'Jeanne Robert', email: staff.email, phone: '' });
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/backoffice/compte');
		const pw = await s.post('/backoffice/compte/mot-de-passe', { current_password: staff.password, new_password: NEW_PW, confirm_password: NEW_PW });
		assert.equal(pw.status, 303);
		assert.equal(pw.headers.get('location'), '/backoffice/compte/mot-de-passe');
		assert.equal((await new Client(srv.url).login(staff.email, NEW_PW)).status, 303);
		assert.equal((await c.get('/backoffice/compte')).status, 403, 'not for administrators');
	});

	test('the administrators are e-mailed when staff quote, validate or cancel an order', async () => {
		const order = async () => {
			const f = await c.get('/commandes/nouvelle');
			const fields = { idem: inputValue(f.text, 'idem') };
			for (const m of f.text.matchAll(/<input\b[^>]*>/gi)) {
				const name = attr(m[0], 'name') || '';
				if (name.startsWith('qty_')) fields[name] = (attr(m[0], 'aria-label') || '').includes('centre agréé') ? '3' : '0';
			}
			const r = await c.post('/commandes/nouvelle', fields);
			const m = /\/commandes\/(\d+)/.exec(r.headers.get('location') || '');
			assert.ok(m, `order created: ${r.status} ${textOf(r.text).slice(0, 300)}`);
			return +m[1];
		};
		const o1 = await order();
		assert.equal((await s.post(`/backoffice/commandes/${o1}/devis`, { quote_ref: 'DEV-2026-042' })).status, 303);
		const [qm] = await mailsTo(srv, admin.email, { subject: 'Devis DEV-2026-042' });
		assert.ok(plainOf(qm).includes('DEV-2026-042'));
		assert.equal((await s.post(`/backoffice/commandes/${o1}/valider`, {})).status, 303);
		const [vm] = await mailsTo(srv, admin.email, { subject: 'est validée' });
		assert.match(plainOf(vm), /: 3\b/, plainOf(vm));
		const o2 = await order();
		assert.equal((await s.post(`/backoffice/commandes/${o2}/annuler`, {})).status, 303);
		const [cm] = await mailsTo(srv, admin.email, { subject: 'a été annulée' });
		assert.ok(plainOf(cm).includes('annulée'));
		// the administrator's own cancel sends no « annulée » notice
		const o3 = await order();
		assert.equal((await c.post(`/commandes/${o3}/annuler`, {})).status, 303);
		await new Promise((r) => setTimeout(r, 600));
		assert.equal((await mailsTo(srv, admin.email, { subject: 'a été annulée', wait: 2 })).length, 1);
	});

	test('a banner on « Accueil » under the threshold set in « Profil » (default 5)', async () => {
		let h = await c.get('/accueil');
		assert.ok(textOf(h.text).includes('Stock bas'), 'PART-LAPOSTE at 0 < 5');
		const p = await c.get('/compte');
		assert.equal(inputValue(p.text, 'threshold'), '5');
		for (const bad of ['-1', 'dix', '1000001', '']) {
			const r = await c.post('/compte/alerte-stock', { threshold: bad });
			assert.equal(r.status, 422, bad);
			assert.ok(textOf(r.text).includes('nombre entier'), bad);
		}
		assert.equal((await c.post('/compte/alerte-stock', { threshold: '0' })).status, 303);
		h = await c.get('/accueil');
		assert.ok(!textOf(h.text).includes('Stock bas'), 'threshold 0: no banner');
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-LAPOSTE-EXAMEN', '--qty', '7', '--reason', 'test']);
		assert.equal((await c.post('/compte/alerte-stock', { threshold: '8' })).status, 303);
		h = await c.get('/accueil');
		const t = textOf(h.text);
		assert.ok(t.includes('Stock bas') && t.includes('il reste 7'), t.slice(0, 600));
	});
});
