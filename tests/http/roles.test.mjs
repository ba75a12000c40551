// Every route of the route table (as `clr routes` lists it, so that a new
// route cannot escape this test) tried by each role: administrator,
// proctor, staff, anonymous.  A role the route does not name gets 403 (a
// page) or, anonymous, the login redirect (GET) or 403 (POST); a role it
// names never gets 403 nor 500.  The routes open to anyone and those open
// to proctors are pinned here: widening either needs this file changed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, newAdmin, newStaff, loggedIn, clr, textOf, uniqueEmail, sqlRows } from '../lib/server.mjs';
import { invitationLink } from '../lib/team.mjs';

const PUBLIC = new Set([
	'GET /healthz', 'GET /static/{name}', 'GET /', 'GET /connexion', 'POST /connexion',
	'GET /mot-de-passe-oublie', 'POST /mot-de-passe-oublie', 'GET /mot-de-passe-oublie/{token}',
	'POST /mot-de-passe-oublie/{token}', 'GET /invitation/{token}', 'POST /invitation/{token}',
	// probes: /readyz for anyone, /metrics for the addresses of CLR_METRICS_FROM only (404 otherwise)
	'GET /readyz', 'GET /metrics',
	// the candidate's space: its login, its one-time links, and the public certificate check
	'GET /candidat/connexion', 'POST /candidat/connexion', 'GET /candidat/mot-de-passe-oublie',
	'POST /candidat/mot-de-passe-oublie', 'GET /candidat/acces', 'POST /candidat/acces', 'GET /verification',
]);
const PROCTOR = new Set([
	'POST /deconnexion', 'GET /compte/mot-de-passe', 'POST /compte/mot-de-passe', 'GET /mes-sessions',
	'GET /mes-sessions/{id}', 'GET /mes-sessions/{id}/codes.pdf', 'GET /mes-sessions/{id}/surveillance.pdf',
	'GET /mes-sessions/{id}/brouillons.pdf',
]);

/** The route table: [{method, pattern, roles: Set, opts}]. */
async function routeTable() {
	const r = await clr(['routes']);
	return r.stdout.trim().split('\n').map((l) => {
		const [method, pattern, roles, opts] = l.split('\t');
		return { method, pattern, roles: new Set(roles.split(',')), opts };
	});
}

/** A concrete path for a pattern: ids of nothing (999999), a well-formed token of nothing. */
function pathOf(pattern) {
	return pattern
		.replace('{name}', 'app.css')
		.replace('{token}', 'A'.repeat(43))
		.replace(/\{(id|n|slot)\}/g, '999999');
}

describe('every route with every role', () => {
	let srv, table;
	const clients = {};
	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_POLL_MS: '100' } });
		table = await routeTable();
		const admin = await newAdmin(srv);
		const staff = await newStaff(srv);
		clients.admin = await loggedIn(srv, admin);
		clients.staff = await loggedIn(srv, staff);
		const email = uniqueEmail('proctor');
		const r = await clients.admin.post('/compte/equipe/invitations', { name: '', email, role: 'proctor' });
		assert.equal(r.status, 303);
		const link = await invitationLink(srv, email);
		const v = new Client(srv.url);
		await v.get(link);
		const pw = 'Surveiller-les-sessions-9';
		assert.equal((await v.post(link, { name: 'Paul Surveillant', password: pw, confirm: pw })).status, 303);
		clients.proctor = await loggedIn(srv, { email, password: pw });
		clients.anonymous = new Client(srv.url);
		await clients.anonymous.get('/connexion'); // the anonymous CSRF cookie and token
	});
	after(async () => srv && srv.stop());

	test('the table is listed whole and every route names its roles', async () => {
		assert.ok(table.length > 100, `${table.length} routes`);
		const known = new Set(['public', 'admin', 'proctor', 'staff', 'user', 'api', 'candidate']);
		for (const rt of table) {
			for (const x of rt.roles) assert.ok(known.has(x), `${rt.method} ${rt.pattern}: role ${x}`);
			const key = `${rt.method} ${rt.pattern}`;
			assert.equal(rt.roles.has('public'), PUBLIC.has(key), `${key} public? pin it in PUBLIC`);
			const proctorOk = rt.roles.has('proctor') || rt.roles.has('user');
			assert.equal(proctorOk, PROCTOR.has(key), `${key} open to proctors? pin it in PROCTOR`);
		}
	});

	for (const role of ['anonymous', 'admin', 'proctor', 'staff']) {
		test(`${role}: 403 / login redirect where the route does not admit the role, never 403 or 500 where it does`, async () => {
			const c = clients[role];
			const problems = [];
			// /deconnexion last: it ends the session
			const order = [...table].sort((a, b) => (a.pattern === '/deconnexion') - (b.pattern === '/deconnexion'));
			for (const rt of order) {
				const path = pathOf(rt.pattern);
				const r = rt.method === 'GET' ? await c.get(path) : await c.post(path, {});
				const key = `${rt.method} ${rt.pattern}`;
				const st = r.status;
				if (st >= 500) problems.push(`${key}: ${st}`);
				if (rt.roles.has('api')) {
					if (st !== 401) problems.push(`${key}: ${st}, expected 401 without an API key`);
					continue;
				}
				if (rt.roles.has('candidate')) {
					// a candidate's session only (tests/http/cand_access.test.mjs): for everyone
					// here, the candidates' login page or a 403
					const loc = r.headers.get('location') || '';
					if (rt.method === 'GET' ? st !== 303 || !loc.startsWith('/candidat/connexion?suite=') : st !== 403)
						problems.push(`${key}: ${st} ${loc}, expected the candidates' login (GET) or 403 (POST)`);
					continue;
				}
				const admits = rt.roles.has('public') || (role !== 'anonymous' && (rt.roles.has('user') || rt.roles.has(role)));
				if (admits) {
					if (st === 403 || st === 405) problems.push(`${key}: ${st} for an admitted ${role}`);
					// a page without parameters answers (422: a search page asked without its query;
					// 410: a one-time link's page asked without its token, /candidat/acces)
					if (rt.method === 'GET' && !rt.pattern.includes('{') && ![200, 303, 410, 422].includes(st))
						problems.push(`${key}: ${st}, expected 200, 303, 410 or 422`);
				} else if (role === 'anonymous' && rt.method === 'GET') {
					if (st !== 303 || !(r.headers.get('location') || '').startsWith('/connexion?suite='))
						problems.push(`${key}: ${st} ${r.headers.get('location')}, expected the login redirect`);
				} else if (st !== 403) {
					problems.push(`${key}: ${st}, expected 403 for ${role}`);
				}
			}
			assert.deepEqual(problems, []);
			if (role !== 'anonymous') {
				const after = await c.get(role === 'staff' ? '/backoffice' : role === 'proctor' ? '/mes-sessions' : '/accueil');
				assert.equal(after.status, 303, 'logged out by /deconnexion, the last route');
			}
		});
	}

	test('a proctor\'s landing page is « Mes sessions », and the root sends them there', async () => {
		const [[email]] = await sqlRows(srv, 'SELECT email FROM users WHERE proctor = 1');
		const c = new Client(srv.url);
		const r = await c.login(email, 'Surveiller-les-sessions-9');
		assert.equal(r.headers.get('location'), '/mes-sessions');
		const root = await c.get('/');
		assert.equal(root.headers.get('location'), '/mes-sessions');
		const h = await c.get('/mes-sessions');
		assert.ok(textOf(h.text).includes('Mes sessions'));
		// a « suite » outside their pages is not followed
		const c2 = new Client(srv.url);
		await c2.get('/connexion?suite=%2Fcommandes');
		const r2 = await c2.post('/connexion', { email, password: 'Surveiller-les-sessions-9', suite: '/commandes' });
		assert.equal(r2.headers.get('location'), '/mes-sessions');
	});
});
