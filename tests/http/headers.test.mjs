// Security headers on every HTML response, /healthz, request log lines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, newAdmin, newStaff, loggedIn } from '../lib/server.mjs';

function checkHtmlHeaders(r, what) {
	const h = r.headers;
	assert.match(h.get('content-type') || '', /^text\/html; charset=utf-8$/i, `${what}: Content-Type`);
	const csp = h.get('content-security-policy') || '';
	assert.match(csp, /(^|;)\s*default-src 'self'(\s*;|\s*$)/, `${what}: CSP default-src 'self' (${csp})`);
	assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors 'none'`);
	assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/, `${what}: no unsafe CSP source`);
	assert.equal(h.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
	assert.match(h.get('referrer-policy') || '', /^(same-origin|no-referrer|strict-origin|strict-origin-when-cross-origin)$/,
		`${what}: Referrer-Policy`);
	assert.equal((h.get('x-frame-options') || '').toUpperCase(), 'DENY', `${what}: X-Frame-Options`);
	assert.match(h.get('cache-control') || '', /no-store/, `${what}: Cache-Control no-store`);
}

describe('HTTP headers and logs', () => {
	let srv, admin, staff;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv);
		staff = await newStaff(srv);
	});
	after(async () => srv && srv.stop());

	test('GET /healthz: 200 ok', async () => {
		const r = await fetch(`${srv.url}/healthz`);
		assert.equal(r.status, 200);
		assert.equal((await r.text()).trim(), 'ok');
	});

	test('security headers on anonymous pages (200, 303, 401, 403, 404)', async () => {
		const c = new Client(srv.url);
		checkHtmlHeaders(await c.get('/connexion'), 'GET /connexion');
		checkHtmlHeaders(await c.get('/n-existe-pas'), '404');
		checkHtmlHeaders(await c.login(admin.email, 'mauvais-mot-de-passe'), '401');
		const c2 = new Client(srv.url);
		await c2.get('/connexion');
		checkHtmlHeaders(await c2.post('/connexion', { email: 'a@b.fr', password: 'x' }, { csrf: false }), '403 csrf');
	});

	test('security headers on logged-in pages', async () => {
		const c = await loggedIn(srv, admin);
		for (const p of ['/accueil', '/commandes', '/groupes', '/candidats', '/compte', '/compte/mot-de-passe'])
			checkHtmlHeaders(await c.get(p), `GET ${p}`);
		checkHtmlHeaders(await c.get('/backoffice'), '403 backoffice');
		const s = await loggedIn(srv, staff);
		checkHtmlHeaders(await s.get('/backoffice'), 'GET /backoffice');
	});

	test('one log line per request on stderr', async () => {
		await fetch(`${srv.url}/healthz`);
		await fetch(`${srv.url}/n-existe-pas-log`);
		// The line may be written just after the response.
		for (let i = 0; i < 40 && !srv.stderr().includes('path=/n-existe-pas-log'); i++) await new Promise((r) => setTimeout(r, 50));
		const lines = srv.stderr().split('\n');
		const ok = lines.find((l) => l.includes('method=GET path=/healthz status=200'));
		assert.ok(ok, 'a line with method=GET path=/healthz status=200');
		assert.match(ok, /dur_ms=\d/, 'dur_ms=');
		assert.ok(lines.some((l) => /method=GET path=\/n-existe-pas-log status=404/.test(l)), '404 logged');
	});

	test('a request cannot forge a log line (control characters and quotes are escaped)', async () => {
		const c = await loggedIn(srv, admin);
		// a path segment routed to a POST without its CSRF token: logged as « csrf refused »
		const forged = 'ts=2030-01-01T00:00:00.000Z level=error msg="forged"';
		const r = await c.post(`/groupes/1%0A${encodeURIComponent(forged)}/supprimer`, {}, { csrf: false });
		assert.equal(r.status, 403);
		const mine = (l) => l.includes('csrf refused') && l.includes('/groupes/1');
		for (let i = 0; i < 40 && !srv.stderr().split('\n').some(mine); i++) await new Promise((ok) => setTimeout(ok, 50));
		const lines = srv.stderr().split('\n');
		assert.ok(!lines.some((l) => l.startsWith('ts=2030-01-01')), 'a forged log line');
		const line = lines.find(mine);
		assert.ok(line, 'the refusal is logged');
		// a bare value's spaces are escaped too: « level=error » cannot pass for a field of the line
		assert.ok(line.includes('/groupes/1\\nts=2030-01-01T00:00:00.000Z\\x20level=error\\x20msg=\\"forged\\"/supprimer'), line);
	});

	test('passwords and session tokens never reach the log', async () => {
		const secret = 'Secret-Tres-Unique-987';
		await new Client(srv.url).login(admin.email, secret);
		const c = await loggedIn(srv, admin);
		await c.get('/accueil');
		const log = srv.stderr();
		assert.ok(!log.includes(secret), 'password in the log');
		assert.ok(!log.includes(admin.password), 'password in the log');
		assert.ok(!log.includes(c.cookies.get('clr_session')), 'session token in the log');
	});
});
