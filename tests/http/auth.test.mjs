// Login, logout, redirections for anonymous users, staff/admin separation.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startServer, Client, newAdmin, newStaff, loggedIn, fieldByLabel, attr, inputTag, inputValue, forms, textOf, setCookies,
} from '../lib/server.mjs';

const GENERIC = 'Courriel ou mot de passe incorrect.';
const ADMIN_PAGES = ['/accueil', '/commandes', '/groupes', '/candidats', '/compte', '/compte/mot-de-passe'];

function cookie(res, name) {
	return setCookies(res.headers).find((c) => c.startsWith(`${name}=`)) || null;
}

describe('authentication', () => {
	let srv, admin, staff;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Lycée Victor-Hugo de Besançon' });
		staff = await newStaff(srv);
	});
	after(async () => srv && srv.stop());

	test('GET /connexion shows the French login form', async () => {
		const c = new Client(srv.url);
		const r = await c.get('/connexion');
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8$/i);
		const email = fieldByLabel(r.text, 'Courriel');
		assert.ok(email, 'an input labelled « Courriel »');
		assert.equal(attr(email, 'name'), 'email');
		const pw = fieldByLabel(r.text, 'Mot de passe');
		assert.ok(pw, 'an input labelled « Mot de passe »');
		assert.equal(attr(pw, 'name'), 'password');
		assert.equal(attr(pw, 'type'), 'password');
		const f = forms(r.text).find((x) => inputTag(x.body, 'password'));
		assert.ok(f, 'the fields are inside a form');
		assert.equal(f.method, 'post');
		assert.match(f.body, /<button[^>]*>\s*Se connecter\s*<\/button>|<input[^>]*type="submit"[^>]*value="Se connecter"/);
		const tok = inputValue(f.body, 'csrf');
		assert.ok(tok && tok.length >= 16, 'a hidden csrf field with a real token');
		const pre = cookie(r, 'clr_pre');
		assert.ok(pre, 'an anonymous clr_pre cookie is set');
		assert.match(pre, /HttpOnly/i);
	});

	test('two anonymous visitors get different CSRF tokens', async () => {
		const a = new Client(srv.url);
		const b = new Client(srv.url);
		await a.get('/connexion');
		await b.get('/connexion');
		assert.ok(a.csrf && b.csrf);
		assert.notEqual(a.csrf, b.csrf);
	});

	test('an administrator logs in: 303 to /accueil with a safe session cookie', async () => {
		const c = new Client(srv.url);
		const r = await c.login(admin.email, admin.password);
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		assert.equal(r.headers.get('location'), '/accueil');
		const sc = cookie(r, 'clr_session');
		assert.ok(sc, 'Set-Cookie clr_session');
		assert.match(sc, /;\s*Path=\/(;|$)/i);
		assert.match(sc, /;\s*HttpOnly/i);
		assert.match(sc, /;\s*SameSite=Lax/i);
		assert.doesNotMatch(sc, /;\s*Secure/i, 'no Secure flag over plain http');
		const value = sc.split(';')[0].split('=').slice(1).join('=');
		assert.ok(value.length >= 32, `session token looks random and long enough (${value})`);
		const home = await c.get('/accueil');
		assert.equal(home.status, 200);
		assert.ok(textOf(home.text).includes('Lycée Victor-Hugo de Besançon'), 'organisation name in the page');
	});

	test('the session cookie changes at every login', async () => {
		const c1 = await loggedIn(srv, admin);
		const c2 = await loggedIn(srv, admin);
		const v1 = c1.cookies.get('clr_session');
		const v2 = c2.cookies.get('clr_session');
		assert.ok(v1 && v2);
		assert.notEqual(v1, v2);
		// Logging in again from a session that already exists also gives a new token.
		const before = c1.cookies.get('clr_session');
		const r = await c1.login(admin.email, admin.password);
		assert.equal(r.status, 303);
		assert.notEqual(c1.cookies.get('clr_session'), before);
	});

	test('the e-mail is matched regardless of case and surrounding spaces', async () => {
		const c = new Client(srv.url);
		const r = await c.login(`  ${admin.email.toUpperCase()} `, admin.password);
		assert.equal(r.status, 303, 'login with upper-case e-mail');
	});

	test('staff log in and land in /backoffice', async () => {
		const c = new Client(srv.url);
		const r = await c.login(staff.email, staff.password);
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/backoffice');
		const bo = await c.get('/backoffice');
		assert.equal(bo.status, 200);
	});

	test('wrong password or unknown e-mail: 401 with one generic message, no session', async () => {
		for (const [email, pw] of [
			[admin.email, 'pas-le-bon-mot-de-passe'],
			['personne@example.test', admin.password],
		]) {
			const c = new Client(srv.url);
			const r = await c.login(email, pw);
			assert.equal(r.status, 401, `login ${email}`);
			assert.ok(textOf(r.text).includes(GENERIC), `generic message for ${email}`);
			assert.equal(cookie(r, 'clr_session'), null, 'no session cookie');
			assert.equal(inputValue(r.text, 'password') || '', '', 'the password is not echoed back');
			const home = await c.get('/accueil');
			assert.equal(home.status, 303);
		}
	});

	test('empty fields are refused like a wrong password', async () => {
		const c = new Client(srv.url);
		const r = await c.login('', '');
		assert.ok([400, 401, 422].includes(r.status), `status ${r.status}`);
		assert.equal(cookie(r, 'clr_session'), null);
	});

	test('anonymous users are sent to /connexion?suite=<page>', async () => {
		const c = new Client(srv.url);
		for (const p of [...ADMIN_PAGES, '/backoffice']) {
			const r = await c.get(p);
			assert.equal(r.status, 303, `GET ${p}`);
			assert.equal(r.headers.get('location'), `/connexion?suite=${encodeURIComponent(p)}`, `GET ${p}`);
		}
	});

	test('an administrator sees every admin page', async () => {
		const c = await loggedIn(srv, admin);
		for (const p of ADMIN_PAGES) {
			const r = await c.get(p);
			assert.equal(r.status, 200, `GET ${p}`);
			assert.ok(textOf(r.text).includes(admin.org), `org name on ${p}`);
		}
	});

	test('an administrator is refused the back office (403, « Accès refusé »)', async () => {
		const c = await loggedIn(srv, admin);
		const r = await c.get('/backoffice');
		assert.equal(r.status, 403);
		assert.match(r.headers.get('content-type'), /text\/html/);
		assert.ok(textOf(r.text).includes('Accès refusé'));
	});

	test('staff are refused the administrator pages (403)', async () => {
		const c = await loggedIn(srv, staff);
		for (const p of ['/accueil', '/commandes', '/groupes', '/candidats']) {
			const r = await c.get(p);
			assert.equal(r.status, 403, `staff GET ${p}`);
			assert.ok(textOf(r.text).includes('Accès refusé'), `message on ${p}`);
		}
	});

	test('logout: 303 to /connexion and the old cookie is dead', async () => {
		const c = await loggedIn(srv, admin);
		const old = c.cookies.get('clr_session');
		assert.equal((await c.get('/accueil')).status, 200);
		const r = await c.logout();
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/connexion');
		const sc = cookie(r, 'clr_session');
		assert.ok(sc === null || /max-age=0|expires=thu, 01 jan 1970/i.test(sc) || sc.startsWith('clr_session=;'),
			`the cookie is cleared or left alone, got ${sc}`);
		// Replay the old cookie from a fresh client.
		const thief = new Client(srv.url);
		thief.cookies.set('clr_session', old);
		const home = await thief.get('/accueil');
		assert.equal(home.status, 303);
		assert.match(home.headers.get('location'), /^\/connexion/);
	});

	test('a forged session cookie is ignored', async () => {
		const c = new Client(srv.url);
		c.cookies.set('clr_session', 'A'.repeat(43));
		const r = await c.get('/accueil');
		assert.equal(r.status, 303);
		assert.match(r.headers.get('location'), /^\/connexion/);
	});
});

describe('login throttling by e-mail', () => {
	let srv, a, b;
	before(async () => {
		srv = await startServer();
		a = await newAdmin(srv);
		b = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('after 5 failures for one e-mail, even the right password gets 429', async () => {
		for (let i = 0; i < 5; i++) {
			const r = await new Client(srv.url).login(a.email, `mauvais-${i}-mot-de-passe`);
			assert.equal(r.status, 401, `failure ${i + 1}`);
		}
		const r = await new Client(srv.url).login(a.email, a.password);
		assert.equal(r.status, 429);
		assert.ok(textOf(r.text).includes('Trop de tentatives'), textOf(r.text).slice(0, 300));
		assert.equal(cookie(r, 'clr_session'), null);
	});

	test('another e-mail from the same address is not affected', async () => {
		const r = await new Client(srv.url).login(b.email, b.password);
		assert.equal(r.status, 303);
	});
});

describe('login throttling by IP address', () => {
	let srv, victim;
	before(async () => {
		srv = await startServer();
		victim = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('after 20 failures from one address, logins get 429', async () => {
		// 5 e-mails x 4 failures: below the per-e-mail limit, at the per-IP one.
		for (let e = 0; e < 5; e++) {
			for (let i = 0; i < 4; i++) {
				const r = await new Client(srv.url).login(`inconnu${e}@example.test`, 'mauvais-mot-de-passe');
				assert.equal(r.status, 401, `failure ${e * 4 + i + 1}`);
			}
		}
		const r = await new Client(srv.url).login(victim.email, victim.password);
		assert.equal(r.status, 429);
		assert.ok(textOf(r.text).includes('Trop de tentatives'));
	});
});
