// The candidate's space, access (issue 16): the credentials e-mail carries a
// one-time link and never a password (outbox, .eml files, the database, the
// server's log); the link sets a password once, for 7 days; the password an
// administrator chose works at /candidat/connexion; « Mot de passe oublié ? »
// answers the same for any address; a candidate's session and an
// administrator's never reach each other's pages, nor another candidate's
// data; CSRF on every form; « Mes coordonnées » checked and required before
// the score; « Renvoyer le lien d'accès ».
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
	startServer, newAdmin, loggedIn, textOf, uniqueEmail, sqlRows, run, Client, clr, unescapeHtml, errorOf, PG_URL,
} from '../lib/server.mjs';
import { qpDecode, storedMessage, linkFor, newCandidate, letters, candLogin } from '../lib/cand.mjs';

const one = async (srv, q) => (await sqlRows(srv, q))[0]?.[0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const CONTACT = {
	phone: '06 12 34 56 78', address: '12 rue des Lilas', postal_code: '69002', city: 'Lyon', country: 'FR',
};

describe('candidate space: access, login, isolation', () => {
	let srv, admin, other, c, o;
	const pwUsed = [];
	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_POLL_MS: '100', CLR_LOGIN_DELAY_MS: '20', CLR_PUBLIC_URL: 'https://exemple.test/' } });
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
	});
	after(async () => srv && srv.stop());

	test('the credentials e-mail carries the identifier and a one-time link, never the password', async () => {
		const k = await newCandidate(c);
		pwUsed.push(k.password);
		const { path, message } = await linkFor(srv, k.email);
		assert.ok(message.includes(`https://exemple.test${path}`), 'the link is absolute, on CLR_PUBLIC_URL');
		assert.ok(message.includes(k.email), 'the identifier');
		assert.ok(message.includes('Votre administrateur a choisi votre mot de passe'), 'says an administrator chose it');
		assert.ok(!message.includes(k.password), 'no password in the message');
		// the candidate page lists it, and offers « Renvoyer le lien d'accès »
		const page = await c.get(`/candidats/${k.id}`);
		assert.ok(textOf(page.text).includes('Renvoyer le lien d\'accès'));
		// the administrator's password works in the candidate's space
		const s = await candLogin(srv, k.email, k.password);
		const home = await s.get('/candidat');
		assert.equal(home.status, 200);
		assert.ok(textOf(home.text).includes('Mes certifications'));
		assert.ok(textOf(home.text).includes('Espace candidat'));
	});

	test('the link sets a password once; a weak one is refused; reuse and expiry give « Ce lien n\'est plus valable »', async () => {
		const k = await newCandidate(c);
		pwUsed.push(k.password);
		const { path, token } = await linkFor(srv, k.email);
		const u = new Client(srv.url);
		let r = await u.get(path);
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		assert.ok(t.includes('Choisir votre mot de passe') && t.includes(k.email));
		assert.ok(t.includes('Votre administrateur a déjà choisi un mot de passe'));
		// CSRF: the link is not spent by a forged POST
		r = await u.post('/candidat/acces', { jeton: token, password: 'Force-Sans-Jeton-77', password_confirm: 'Force-Sans-Jeton-77' }, { csrf: false });
		assert.equal(r.status, 403);
		assert.equal((await new Client(srv.url).get(path)).status, 200, 'still valid');
		r = await u.post('/candidat/acces', { jeton: token, password: 'court', password_confirm: 'court' });
		assert.equal(r.status, 422);
		assert.ok(errorOf(r.text, 'password'), 'the password field says why');
		r = await u.post('/candidat/acces', { jeton: token, password: 'Un-Bon-Mot-De-Passe-42', password_confirm: 'Autre-Chose-Encore-42' });
		assert.equal(r.status, 422);
		assert.ok(errorOf(r.text, 'password_confirm'));
		const mine = 'Mon-Propre-Mot-' + letters();
		pwUsed.push(mine);
		r = await u.post('/candidat/acces', { jeton: token, password: mine, password_confirm: mine });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		assert.equal(r.headers.get('location'), '/candidat');
		assert.equal((await u.get('/candidat')).status, 200, 'logged in by the link');
		// once only
		const again = new Client(srv.url);
		r = await again.get(path);
		assert.equal(r.status, 410);
		assert.ok(textOf(r.text).includes('Ce lien n\'est plus valable'));
		r = await again.post('/candidat/acces', { jeton: token, password: 'Encore-Un-Autre-99', password_confirm: 'Encore-Un-Autre-99' });
		assert.equal(r.status, 410);
		// the administrator's password no longer works, the new one does
		const bad = new Client(srv.url);
		await bad.get('/candidat/connexion');
		assert.equal((await bad.post('/candidat/connexion', { email: k.email, password: k.password })).status, 401);
		await candLogin(srv, k.email, mine);
		// « Renvoyer le lien d'accès »: a fresh link, audited; expired after 7 days
		r = await c.post(`/candidats/${k.id}/acces`, {});
		assert.equal(r.status, 303);
		const fresh = await linkFor(srv, k.email);
		assert.notEqual(fresh.token, token);
		assert.equal((await new Client(srv.url).get(fresh.path)).status, 200);
		assert.equal(+(await one(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'candidate.access_link' AND object_id = ${k.id}`)), 1);
		await sqlRows(srv, `UPDATE candidate_tokens SET expires_at = ${Math.floor(Date.now() / 1000) - 1} WHERE candidate_id = ${k.id}`);
		assert.equal((await new Client(srv.url).get(fresh.path)).status, 410);
		// two links out: choosing a password with one spends the other
		await c.post(`/candidats/${k.id}/acces`, {});
		const l1 = await linkFor(srv, k.email);
		await c.post(`/candidats/${k.id}/acces`, {});
		const l2 = await linkFor(srv, k.email);
		assert.notEqual(l1.token, l2.token);
		const w = new Client(srv.url);
		await w.get(l2.path);
		const again2 = 'Encore-Un-Choix-' + letters();
		pwUsed.push(again2);
		assert.equal((await w.post('/candidat/acces', { jeton: l2.token, password: again2, password_confirm: again2 })).status, 303);
		assert.equal((await new Client(srv.url).get(l1.path)).status, 410, 'the other link is spent');
		// only hashes are stored
		assert.equal(+(await one(srv, `SELECT COUNT(*) FROM candidate_tokens WHERE hash = '${fresh.token}'`)), 0);
		// another organisation cannot send a link for this candidate
		assert.equal((await o.post(`/candidats/${k.id}/acces`, {})).status, 404);
	});

	test('login: a wrong password is refused (401), the throttle answers 429, « Mot de passe oublié ? » never tells', async () => {
		const k = await newCandidate(c, { send: 'non' });
		pwUsed.push(k.password);
		const u = new Client(srv.url);
		let r = await u.get('/candidat/connexion');
		const t = textOf(r.text);
		for (const s of ['Courriel', 'Mot de passe', 'Se connecter', 'Mot de passe oublié ?']) assert.ok(t.includes(s), s);
		r = await u.post('/candidat/connexion', { email: k.email, password: k.password }, { csrf: false });
		assert.equal(r.status, 403, 'login without the csrf field');
		assert.equal(u.cookies.get('clr_cand'), undefined);
		r = await u.post('/candidat/connexion', { email: k.email, password: 'pas-le-bon' });
		assert.equal(r.status, 401);
		assert.ok(textOf(r.text).includes('Courriel ou mot de passe incorrect.'));
		let throttled = false;
		for (let i = 0; i < 12 && !throttled; i++) {
			r = await u.post('/candidat/connexion', { email: k.email, password: 'pas-le-bon' });
			throttled = r.status === 429;
		}
		assert.ok(throttled, 'throttled after repeated failures');
		assert.ok(textOf(r.text).includes('Trop de tentatives'));
		await sleep(1500);
		// forgotten password: same answer for a known and an unknown address
		const f1 = new Client(srv.url);
		await f1.get('/candidat/mot-de-passe-oublie');
		const known = await f1.post('/candidat/mot-de-passe-oublie', { email: k.email });
		const f2 = new Client(srv.url);
		await f2.get('/candidat/mot-de-passe-oublie');
		const unknown = await f2.post('/candidat/mot-de-passe-oublie', { email: uniqueEmail('personne') });
		assert.equal(known.status, 303);
		assert.equal(unknown.status, known.status);
		assert.equal(unknown.headers.get('location'), known.headers.get('location'));
		const flash = (x) => x.headers.get('set-cookie').match(/clr_flash=([^;]*)/)[1];
		assert.equal(flash(unknown), flash(known));
		const reset = await linkFor(srv, k.email, 'candidate.reset');
		const v = new Client(srv.url);
		assert.equal((await v.get(reset.path)).status, 200);
		const bad = await f2.post('/candidat/mot-de-passe-oublie', { email: 'pas une adresse' });
		assert.equal(bad.status, 422);
	});

	test('a candidate reaches no administrator page; an administrator is not a candidate; candidates are apart', async () => {
		const a = await newCandidate(c);
		const b = await newCandidate(c);
		pwUsed.push(a.password, b.password);
		const sa = await candLogin(srv, a.email, a.password);
		for (const p of ['/accueil', '/candidats', `/candidats/${a.id}`, '/compte', '/commandes']) {
			const r = await sa.get(p);
			assert.equal(r.status, 303, p);
			assert.match(r.headers.get('location'), /^\/connexion\?suite=/, p);
		}
		assert.equal((await sa.get('/backoffice')).status, 303);
		assert.equal((await sa.post(`/candidats/${a.id}/acces`, { csrf: sa.csrf })).status, 403);
		// the administrator's session is not a candidate's
		for (const p of ['/candidat', '/candidat/coordonnees', '/candidat/divers', '/candidat/mot-de-passe']) {
			const r = await c.get(p);
			assert.equal(r.status, 303, p);
			assert.match(r.headers.get('location'), /^\/candidat\/connexion\?suite=/, p);
		}
		assert.equal((await c.post('/candidat/coordonnees', CONTACT)).status, 403);
		// certifications of b are not a's: assign b a session, a asks for its files
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '5', '--reason', 'test']);
		const product = await one(srv, "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'");
		const date = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(Date.now() + 5 * 86400000));
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: product, date, lieu: 'Salle 4' }));
		const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(page.text);
		const p = new URLSearchParams();
		for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) p.append(m[1], unescapeHtml(m[2]));
		p.append('ids', String(b.id));
		assert.equal((await c.post('/certifications/surveillance', p.toString())).status, 303);
		const certB = +(await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${b.id}`));
		const sb = await candLogin(srv, b.email, b.password);
		let r = await sb.get(`/candidat/certifications/${certB}/certification.ics`);
		assert.equal(r.status, 200);
		assert.match(r.text, /BEGIN:VCALENDAR/);
		assert.ok(textOf((await sb.get('/candidat')).text).includes('Surveillée par votre organisme'));
		r = await sa.get(`/candidat/certifications/${certB}/certification.ics`);
		assert.equal(r.status, 404, 'another candidate\'s calendar file');
		r = await sa.get(`/candidat/certifications/${certB}/convocation.pdf`);
		assert.equal(r.status, 404);
		assert.ok(!textOf((await sa.get('/candidat')).text).includes(b.last), 'b is nowhere on a\'s page');
		// the assignment e-mail gives the identifier and a link
		const notice = await linkFor(srv, b.email, 'candidate.certification');
		assert.ok(notice.message.includes(b.email));
	});

	test('« Mes coordonnées »: required for the score, checked against the postal codes; CSRF on every form', async () => {
		const k = await newCandidate(c);
		pwUsed.push(k.password);
		const s = await candLogin(srv, k.email, k.password);
		let home = textOf((await s.get('/candidat')).text);
		assert.ok(home.includes('Complétez vos coordonnées'), home.slice(0, 500));
		assert.ok(home.includes('Téléphone (mobile de préférence)'), 'says what is missing');
		await s.get('/candidat/coordonnees');
		let r = await s.post('/candidat/coordonnees', { ...CONTACT, phone: '' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'phone'), 'Ce champ est obligatoire.');
		r = await s.post('/candidat/coordonnees', { ...CONTACT, city: 'Marseille' });
		assert.equal(r.status, 422);
		assert.ok(errorOf(r.text, 'city'), 'commune checked against the postal code');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM candidates WHERE id = ${k.id} AND city = ''`), '1', 'nothing changed');
		// CSRF: none, or another session's
		const csrfOk = s.csrf;
		assert.equal((await s.post('/candidat/coordonnees', CONTACT, { csrf: false })).status, 403);
		assert.equal((await s.post('/candidat/coordonnees', { ...CONTACT, csrf: c.csrf || 'x' })).status, 403);
		s.csrf = csrfOk;
		r = await s.post('/candidat/coordonnees', CONTACT);
		assert.equal(r.status, 303, textOf(r.text).slice(0, 400));
		home = textOf((await s.get('/candidat')).text);
		assert.ok(!home.includes('Complétez vos coordonnées'));
		assert.match(await one(srv, `SELECT city FROM candidates WHERE id = ${k.id}`), /^Lyon/);
		// « Divers »
		await s.get('/candidat/divers');
		r = await s.post('/candidat/divers', { education: 'bac3', csp: '4', french_native: 'oui' });
		assert.equal(r.status, 303);
		assert.equal(await one(srv, `SELECT education FROM candidates WHERE id = ${k.id}`), 'bac3');
		r = await s.post('/candidat/divers', { education: 'nimporte', csp: '4', french_native: 'oui' });
		assert.equal(r.status, 422);
		// logout needs the token too
		assert.equal((await s.post('/candidat/deconnexion', {}, { csrf: false })).status, 403);
		assert.equal((await s.post('/candidat/deconnexion', {})).status, 303);
		assert.equal((await s.get('/candidat')).status, 303);
	});

	test('an imported candidate gets a link to choose their password (no password chosen by anyone)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'clr-imp-'));
		const email = uniqueEmail('importe');
		const csv = 'Civilité;Nom;Nom de naissance;Prénom;Courriel;Date de naissance;Code postal de naissance;Commune de naissance;Pays de naissance;Statut;Financement\r\n'
			+ `Madame;Importée${letters()};;Inès;${email};02/02/1992;42000;St Etienne;France;Salarié;Compte personnel de formation (CPF)\r\n`;
		writeFileSync(join(dir, 'c.csv'), csv);
		await clr(['candidates', 'import', '--db', srv.dbUrl, '--org', admin.org, '--file', join(dir, 'c.csv'), '--send-credentials']);
		rmSync(dir, { recursive: true, force: true });
		const { path, message } = await linkFor(srv, email);
		assert.ok(message.includes('Pour choisir votre mot de passe'), 'nobody chose one');
		assert.ok(!message.includes('Votre administrateur a choisi'));
		const u = new Client(srv.url);
		const r = await u.get(path);
		assert.equal(r.status, 200);
		assert.ok(!textOf(r.text).includes('Votre administrateur a déjà choisi'));
	});

	test('bad input: a clear answer, nothing changed', async () => {
		const k = await newCandidate(c, { send: 'non' });
		pwUsed.push(k.password);
		const u = new Client(srv.url);
		await u.get('/candidat/connexion');
		assert.equal((await u.post('/candidat/connexion', {})).status, 401);
		assert.equal((await u.post('/candidat/connexion', { email: 'x'.repeat(5000), password: 'y' })).status, 401);
		assert.equal((await u.post('/candidat/acces', {})).status, 410);
		assert.equal((await u.post('/candidat/acces', { jeton: 'a'.repeat(43), password: 'Xx-123456789', password_confirm: 'Xx-123456789' })).status, 410);
		assert.equal((await u.get('/candidat/acces?jeton=%00%ff')).status, 400);
		assert.equal((await u.get('/candidat/acces')).status, 410);
		const s = await candLogin(srv, k.email, k.password);
		await s.get('/candidat/coordonnees');
		let r = await s.post('/candidat/coordonnees', {});
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('Le formulaire contient des erreurs'));
		r = await s.post('/candidat/coordonnees', { ...CONTACT, phone: 'pas un numéro' });
		assert.equal(r.status, 422);
		assert.ok(errorOf(r.text, 'phone'));
		r = await s.post('/candidat/coordonnees', { ...CONTACT, country: 'ZZ' });
		assert.equal(r.status, 422);
		assert.equal(await one(srv, `SELECT COUNT(*) FROM candidates WHERE id = ${k.id} AND phone = ''`), '1', 'nothing changed');
		await s.get('/candidat/mot-de-passe');
		r = await s.post('/candidat/mot-de-passe', { current_password: 'faux', new_password: 'Nouveau-Mot-42x', confirm_password: 'Nouveau-Mot-42x' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'current_password'), 'Mot de passe actuel incorrect.');
		const mine = 'Change-Depuis-Espace-' + letters();
		pwUsed.push(mine);
		r = await s.post('/candidat/mot-de-passe', { current_password: k.password, new_password: mine, confirm_password: mine });
		assert.equal(r.status, 303);
		await candLogin(srv, k.email, mine);
		for (const p of ['/candidat/certifications/abc/certification.ics', '/candidat/certifications/-1/convocation.pdf', '/candidat/certifications/99999999999999999999/certificat.pdf'])
			assert.equal((await s.get(p)).status, 404, p);
	});

	test('no password anywhere: outbox, .eml files, database, server log', async () => {
		// let the worker write the .eml files
		const deadline = Date.now() + 10000;
		while (Date.now() < deadline && +(await one(srv, "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'")) > 0) await sleep(100);
		const emls = existsSync(srv.mailDir) ? readdirSync(srv.mailDir).filter((f) => f.endsWith('.eml')) : [];
		assert.ok(emls.length > 3, `.eml files written (${emls.length})`);
		const emlText = emls.map((f) => qpDecode(readFileSync(join(srv.mailDir, f), 'latin1'))).join('\n');
		const ids = (await sqlRows(srv, 'SELECT id FROM outbox')).map((x) => x[0]);
		const outbox = (await Promise.all(ids.map((id) => storedMessage(srv, id)))).map(qpDecode).join('\n');
		let dbText;
		if (srv.dbUrl.startsWith('sqlite:')) {
			const f = srv.dbUrl.slice(7);
			dbText = [f, f + '-wal'].filter(existsSync).map((x) => readFileSync(x, 'latin1')).join('\n');
		} else {
			const r = await run('pg_dump', ['--data-only', srv.dbUrl]);
			assert.equal(r.code, 0, r.stderr);
			dbText = r.stdout;
		}
		assert.ok(pwUsed.length >= 6);
		for (const pw of pwUsed) {
			assert.ok(!emlText.includes(pw), `password in an .eml file`);
			assert.ok(!outbox.includes(pw), `password in the outbox`);
			assert.ok(!dbText.includes(pw), `password in the database`);
			assert.ok(!srv.stderr().includes(pw), `password in the server log`);
		}
		assert.ok(!srv.stderr().includes('jeton='), 'no link token in the log');
		const cols = await sqlRows(srv, srv.dbUrl.startsWith('sqlite:')
			? "SELECT name FROM pragma_table_info('outbox') WHERE name = 'secret'"
			: "SELECT column_name FROM information_schema.columns WHERE table_name = 'outbox' AND column_name = 'secret'");
		assert.equal(cols.length, 0, 'the secret column is gone');
	});
});
