// The candidate's space, after a result (issue 16): the score and the
// certificate only once « Mes coordonnées » is complete; the certificate is
// the candidate's alone; its verification code is drawn once; /verification
// shows name, date and score and nothing else, « Certificat inconnu »
// otherwise, throttled by address; the convocation PDF of a La Poste
// booking again; RGPD: « Mes données » (JSON), the erasure request shown on
// the administrator's candidate page, the erasure keeping what the
// certificate needs (still verifiable), audited.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	startServer, newAdmin, newStaff, loggedIn, textOf, sqlRows, run, Client, clr, uniqueEmail, unescapeHtml,
} from '../lib/server.mjs';
import { newCandidate, candLogin, assignSession, apiKey, postResult, frDate } from '../lib/cand.mjs';

const one = async (srv, q) => (await sqlRows(srv, q))[0]?.[0];
const CONTACT = { phone: '06 12 34 56 78', address: '12 rue des Lilas', postal_code: '69002', city: 'Lyon', country: 'FR' };

describe('candidate space: certificate, verification, personal data', () => {
	let srv, admin, other, c, o, key, tmp;
	let a, b, sa, sb, certA, certB;
	before(async () => {
		srv = await startServer({ env: { CLR_LOGIN_DELAY_MS: '20', CLR_PUBLIC_URL: 'https://verif.exemple.test' } });
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
		const s = await loggedIn(srv, await newStaff(srv));
		key = await apiKey(s);
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '5', '--reason', 'test']);
		a = await newCandidate(c, { send: 'non', first: 'Aline' });
		b = await newCandidate(c, { send: 'non', first: 'Bruno' });
		await assignSession(c, srv, [a.id, b.id]);
		certA = +(await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${a.id}`));
		certB = +(await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${b.id}`));
		assert.equal(await postResult(srv, key, certA, 735), 201);
		assert.equal(await postResult(srv, key, certB, 410), 201);
		sa = await candLogin(srv, a.email, a.password);
		sb = await candLogin(srv, b.email, b.password);
		tmp = mkdtempSync(join(tmpdir(), 'clr-cert-'));
	});
	after(async () => {
		if (tmp) rmSync(tmp, { recursive: true, force: true });
		await srv?.stop();
	});

	test('score and certificate hidden until « Coordonnées » is complete', async () => {
		const home = textOf((await sa.get('/candidat')).text);
		assert.ok(!home.includes('735'), 'no score');
		assert.ok(home.includes('Votre résultat est disponible'));
		assert.equal((await sa.get(`/candidat/certifications/${certA}/certificat.pdf`)).status, 404);
		assert.equal(await one(srv, `SELECT COUNT(*) FROM certifications WHERE verify_code IS NOT NULL`), '0');
	});

	test('the certificate: the candidate\'s own, one code, the PDF says name, birth date, score, level, code', async () => {
		await sa.get('/candidat/coordonnees');
		assert.equal((await sa.post('/candidat/coordonnees', CONTACT)).status, 303);
		const home = textOf((await sa.get('/candidat')).text);
		assert.ok(home.includes('Votre score : 735 / 1000 — niveau Avancé'), home);
		let r = await fetch(`${srv.url}/candidat/certifications/${certA}/certificat.pdf`, { headers: { cookie: sa.cookieHeader() } });
		assert.equal(r.status, 200);
		assert.equal(r.headers.get('content-type'), 'application/pdf');
		const pdf = Buffer.from(await r.arrayBuffer());
		writeFileSync(join(tmp, 'a.pdf'), pdf);
		const txt = (await run('pdftotext', [join(tmp, 'a.pdf'), '-'])).stdout.replace(/\s+/g, ' ');
		const code = await one(srv, `SELECT verify_code FROM certifications WHERE id = ${certA}`);
		for (const s of [`Aline ${a.last.toUpperCase()}`, 'née le 14/07/1990', '735 / 1000', 'Niveau : Avancé', code])
			assert.ok(txt.includes(s), `« ${s} » in the certificate: ${txt}`);
		// again: the same code
		r = await fetch(`${srv.url}/candidat/certifications/${certA}/certificat.pdf`, { headers: { cookie: sa.cookieHeader() } });
		assert.equal(r.status, 200);
		assert.equal(await one(srv, `SELECT verify_code FROM certifications WHERE id = ${certA}`), code);
		// another candidate's certificate: 404, with their coordonnées complete or not
		await sb.get('/candidat/coordonnees');
		assert.equal((await sb.post('/candidat/coordonnees', CONTACT)).status, 303);
		assert.equal((await sb.get(`/candidat/certifications/${certA}/certificat.pdf`)).status, 404);
		assert.equal((await sa.get(`/candidat/certifications/${certB}/certificat.pdf`)).status, 404);
		assert.equal((await sb.get(`/candidat/certifications/${certB}/certificat.pdf`)).status, 200);
		// an administrator's session is not the candidate's
		assert.equal((await c.get(`/candidat/certifications/${certA}/certificat.pdf`)).status, 303);
	});

	test('the certificate\'s QR code opens the verification page of its code (zbarimg)', async (t) => {
		if ((await run('sh', ['-c', 'command -v zbarimg'])).code !== 0) return t.skip('zbarimg missing (Debian zbar-tools)');
		const code = await one(srv, `SELECT verify_code FROM certifications WHERE id = ${certA}`);
		assert.ok(code, 'issued by the test before');
		await run('pdftoppm', ['-r', '150', '-png', '-singlefile', join(tmp, 'a.pdf'), join(tmp, 'a')]);
		const z = await run('zbarimg', ['-q', '--raw', join(tmp, 'a.png')]);
		assert.equal(z.stdout.trim(), `https://verif.exemple.test/verification?code=${code}`);
	});

	test('/verification: name, date and score only; « Certificat inconnu »; throttled', async () => {
		const code = await one(srv, `SELECT verify_code FROM certifications WHERE id = ${certA}`);
		const u = new Client(srv.url);
		let r = await u.get('/verification');
		assert.equal(r.status, 200);
		assert.ok(textOf(r.text).includes('Code de vérification'));
		r = await u.get('/verification?code=' + encodeURIComponent(code.toLowerCase().replace(/-/g, ' ')));
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		assert.ok(t.includes('Certificat authentique') && t.includes(`Aline ${a.last}`) && t.includes('735 / 1000'), t);
		for (const secret of [a.email, '14/07/1990', 'Paris', admin.org, 'Lyon', '06 12'])
			assert.ok(!t.includes(secret), `the page never shows « ${secret} »`);
		r = await u.get('/verification?code=ZZZZ-ZZZZ-ZZZZ');
		assert.equal(r.status, 404);
		assert.ok(textOf(r.text).includes('Certificat inconnu'));
		let throttled = false;
		for (let i = 0; i < 30 && !throttled; i++) throttled = (await u.get(`/verification?code=ZZZZ-ZZZZ-ZZ${String(i).padStart(2, '0')}`)).status === 429;
		assert.ok(throttled, 'unknown codes are throttled');
	});

	test('a La Poste convocation again: the candidate\'s PDF and .ics, nobody else\'s', async () => {
		const k = await newCandidate(c, { send: 'non', first: 'Chloé' });
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-LAPOSTE-EXAMEN', '--qty', '1', '--reason', 'test']);
		const st = await loggedIn(srv, await newStaff(srv));
		let r = await st.post('/backoffice/centres', { name: 'La Poste Lyon Bellecour', address: '10 place Antonin-Poncet', postal_code: '69002', city: 'lyon', active: '1' });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		const centre = +/\/backoffice\/centres\/(\d+)$/.exec(r.headers.get('location'))[1];
		r = await st.post(`/backoffice/centres/${centre}/creneaux`, { date: frDate(10), time: '09:30', seats: '5' });
		assert.equal(r.status, 303);
		const slot = await one(srv, `SELECT id FROM laposte_slots WHERE centre_id = ${centre}`);
		r = await c.get(`/certifications/la-poste/creneaux/${slot}`);
		const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(r.text) || /<form[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/.exec(r.text);
		const p = new URLSearchParams();
		for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) p.append(m[1], unescapeHtml(m[2]));
		p.append('ids', String(k.id));
		r = await c.post(`/certifications/la-poste/creneaux/${slot}`, p.toString());
		assert.equal(r.status, 303, textOf(r.text).slice(0, 500));
		const cert = await one(srv, `SELECT id FROM certifications WHERE candidate_id = ${k.id}`);
		const s = await candLogin(srv, k.email, k.password);
		const home = textOf((await s.get('/candidat')).text);
		for (const x of ['Dans un centre d\'examen La Poste', 'La Poste Lyon Bellecour', '10 place Antonin-Poncet', 'Télécharger la convocation (PDF)'])
			assert.ok(home.includes(x), `« ${x} » on « Mes certifications »`);
		r = await fetch(`${srv.url}/candidat/certifications/${cert}/convocation.pdf`, { headers: { cookie: s.cookieHeader() } });
		assert.equal(r.status, 200);
		writeFileSync(join(tmp, 'conv.pdf'), Buffer.from(await r.arrayBuffer()));
		const txt = (await run('pdftotext', [join(tmp, 'conv.pdf'), '-'])).stdout.replace(/\s+/g, ' ');
		assert.ok(txt.includes('Convocation') && txt.includes('Chloé') && txt.includes('10 place Antonin-Poncet'), txt);
		r = await s.get(`/candidat/certifications/${cert}/certification.ics`);
		assert.equal(r.status, 200);
		assert.match(r.text, /LOCATION:La Poste Lyon Bellecour/);
		// nobody else's
		assert.equal((await sa.get(`/candidat/certifications/${cert}/convocation.pdf`)).status, 404);
		assert.equal((await sb.get(`/candidat/certifications/${cert}/certification.ics`)).status, 404);
		assert.equal((await s.get(`/candidat/certifications/${certA}/convocation.pdf`)).status, 404, 'a self-proctored one has none');
		assert.equal((await s.get('/candidat/certifications/0/convocation.pdf')).status, 404);
	});

	test('« Mes données »: JSON, erasure request, the administrator erases, the certificate stays verifiable', async () => {
		let r = await sa.get('/candidat/mes-donnees');
		assert.equal(r.status, 200);
		let t = textOf(r.text);
		for (const s of ['Mes données', a.email, 'Lyon', 'Télécharger mes données (JSON)', 'Demander l\'effacement de mes données'])
			assert.ok(t.includes(s), s);
		r = await fetch(`${srv.url}/candidat/mes-donnees.json`, { headers: { cookie: sa.cookieHeader() } });
		assert.equal(r.status, 200);
		const data = await r.json();
		assert.equal(data.candidat.email, a.email);
		assert.equal(data.certifications[0].score, 735);
		assert.ok(!JSON.stringify(data).includes('argon2'), 'no password hash');
		// CSRF, then the request
		assert.equal((await sa.post('/candidat/mes-donnees/effacement', {}, { csrf: false })).status, 403);
		assert.equal((await sa.post('/candidat/mes-donnees/effacement', {})).status, 303);
		t = textOf((await sa.get('/candidat/mes-donnees')).text);
		assert.ok(t.includes('Vous avez demandé l\'effacement de vos données'));
		// shown to the administrator, not to another organisation
		t = textOf((await c.get(`/candidats/${a.id}`)).text);
		assert.ok(t.includes('Le candidat a demandé l\'effacement de ses données personnelles'), t.slice(0, 2000));
		assert.equal((await o.post(`/candidats/${a.id}/effacer`, {})).status, 404);
		assert.equal((await c.post(`/candidats/${a.id}/effacer`, {}, { csrf: false })).status, 403);
		r = await c.post(`/candidats/${a.id}/effacer`, {});
		assert.equal(r.status, 303);
		const [[email, phone, city, last, first, birth, pw]] = await sqlRows(srv,
			`SELECT email, phone, city, last_name, first_name, birth_date, password_hash FROM candidates WHERE id = ${a.id}`);
		assert.equal(email, `efface-${a.id}@invalid`);
		assert.deepEqual([phone || '', city || '', pw || ''], ['', '', '']);
		assert.deepEqual([last, first, birth], [a.last, 'Aline', '1990-07-14'], 'name and birth date kept');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'candidate.erase' AND object_id = ${a.id}`), '1');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM audit_log WHERE object_id = ${a.id} AND object_type = 'candidate' AND detail LIKE '%${a.email}%'`), '0');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM outbox WHERE recipient = '${a.email}'`), '0');
		// the candidate's session is gone; the certificate is still verifiable
		assert.equal((await sa.get('/candidat')).status, 303);
		const code = await one(srv, `SELECT verify_code FROM certifications WHERE id = ${certA}`);
		t = textOf((await new Client(srv.url).get(`/verification?code=${code}`)).text);
		assert.ok(t.includes('Certificat authentique') && t.includes('735 / 1000'), t);
		// twice: refused with a French reason
		r = await c.post(`/candidats/${a.id}/effacer`, {});
		assert.equal(r.status, 303);
		assert.ok(decodeURIComponent(r.headers.get('set-cookie').match(/clr_flash=([^;]*)/)[1]).includes('déjà été effacées'));
		// a planned certification: refused
		const k = await newCandidate(c, { send: 'non' });
		await assignSession(c, srv, [k.id], { days: 3 });
		r = await c.post(`/candidats/${k.id}/effacer`, {});
		assert.ok(decodeURIComponent(r.headers.get('set-cookie').match(/clr_flash=([^;]*)/)[1]).includes('annulez-la'));
		assert.equal(await one(srv, `SELECT COUNT(*) FROM candidates WHERE id = ${k.id} AND erased_at IS NULL`), '1');
		void uniqueEmail;
	});
});
