// Every POST needs the csrf field of its own session; a refused POST changes nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, newAdmin, loggedIn, inputValue, textOf } from '../lib/server.mjs';

function refused(r, what) {
	assert.equal(r.status, 403, `${what}: status`);
	const t = textOf(r.text);
	assert.ok(/Accès refusé|jeton/i.test(t), `${what}: French message, got « ${t.slice(0, 200)} »`);
}

describe('CSRF protection', () => {
	let srv, admin;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('login without csrf: 403 and not logged in', async () => {
		const c = new Client(srv.url);
		await c.get('/connexion');
		const r = await c.post('/connexion', { email: admin.email, password: admin.password }, { csrf: false });
		refused(r, 'login without csrf');
		assert.equal(c.cookies.get('clr_session'), undefined);
		assert.equal((await c.get('/accueil')).status, 303);
	});

	test('login with a wrong csrf: 403', async () => {
		const c = new Client(srv.url);
		await c.get('/connexion');
		const r = await c.post('/connexion', { email: admin.email, password: admin.password, csrf: 'x'.repeat(43) });
		refused(r, 'login with wrong csrf');
		assert.equal(c.cookies.get('clr_session'), undefined);
	});

	test('login with a token but without the clr_pre cookie: 403', async () => {
		const a = new Client(srv.url);
		await a.get('/connexion');
		const b = new Client(srv.url); // no cookies at all
		const r = await b.post('/connexion', { email: admin.email, password: admin.password, csrf: a.csrf });
		refused(r, 'token without its cookie');
		assert.equal(b.cookies.get('clr_session'), undefined);
	});

	test('login with another visitor\'s token: 403', async () => {
		const a = new Client(srv.url);
		const b = new Client(srv.url);
		await a.get('/connexion');
		await b.get('/connexion');
		const r = await b.post('/connexion', { email: admin.email, password: admin.password, csrf: a.csrf });
		refused(r, 'token of another visitor');
	});

	test('profile POST without or with a wrong csrf changes nothing', async () => {
		const c = await loggedIn(srv, admin);
		const before = await c.get('/compte');
		assert.equal(before.status, 200);
		const name0 = inputValue(before.text, 'name');
		const fields = { name: 'Pirate Malveillant', email: admin.email, phone: '' };
		refused(await c.post('/compte', fields, { csrf: false }), 'profile without csrf');
		refused(await c.post('/compte', { ...fields, csrf: '' }), 'profile with empty csrf');
		refused(await c.post('/compte', { ...fields, csrf: 'AAAA' + c.csrf.slice(4) }), 'profile with altered csrf');
		const after = await c.get('/compte');
		assert.equal(inputValue(after.text, 'name'), name0);
		assert.ok(!textOf(after.text).includes('Pirate Malveillant'));
	});

	test('a token from another session of the same user is refused', async () => {
		const a = await loggedIn(srv, admin);
		const b = await loggedIn(srv, admin);
		await a.get('/compte');
		await b.get('/compte');
		assert.ok(a.csrf && b.csrf);
		assert.notEqual(a.csrf, b.csrf, 'each session has its own token');
		refused(await b.post('/compte', { name: 'Autre Session', email: admin.email, phone: '', csrf: a.csrf }), 'foreign token');
	});

	test('the anonymous token is no longer valid once logged in', async () => {
		const c = new Client(srv.url);
		await c.get('/connexion');
		const pre = c.csrf;
		const r = await c.post('/connexion', { email: admin.email, password: admin.password });
		assert.equal(r.status, 303);
		refused(await c.post('/compte', { name: 'Jeton Anonyme', email: admin.email, phone: '', csrf: pre }), 'pre-login token');
	});

	test('password change without csrf: 403, password unchanged', async () => {
		const c = await loggedIn(srv, admin);
		const r = await c.post('/compte/mot-de-passe', {
			current_password: admin.password, new_password: 'Nouveau-mdp-1234', confirm_password: 'Nouveau-mdp-1234',
		}, { csrf: false });
		refused(r, 'password change without csrf');
		assert.equal((await new Client(srv.url).login(admin.email, admin.password)).status, 303);
	});

	test('logout without csrf: 403 and the session still works', async () => {
		const c = await loggedIn(srv, admin);
		refused(await c.post('/deconnexion', {}, { csrf: false }), 'logout without csrf');
		assert.equal((await c.get('/accueil')).status, 200);
	});
});
