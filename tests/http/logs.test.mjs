// Logs (issue 18): CLR_LOG_FORMAT=json gives one JSON object per line; a
// request's line carries its id (the X-Request-Id header), and the user's and
// organisation's ids when authenticated; and no e-mail address or password
// used during a full HTTP flow appears anywhere in the log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, newAdmin, newStaff, loggedIn, Client, textOf, uniqueEmail, sqlRows } from '../lib/server.mjs';

const hex = () => randomBytes(4).toString('hex');

async function createCandidate(c, email, password, send) {
	let r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: 'Lefèvre', birth_name: '', first_name: 'Hélène', email,
		birth_date: '14/07/1990', birth_postal_code: '42000', birth_city: 'St Etienne', birth_country: 'FR',
		action: 'next',
	});
	const m = /^\/candidats\/(\d+)\/etape\/2$/.exec(r.headers.get('location') || '');
	assert.ok(m, textOf(r.text).slice(0, 300));
	const id = m[1];
	r = await c.post(`/candidats/${id}/etape/2`, { password, password_confirm: password, send_credentials: send, action: 'next' });
	assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
	r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
	assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
	return id;
}

describe('logs', () => {
	let srv;
	before(async () => {
		srv = await startServer({ env: { CLR_LOG_FORMAT: 'json', CLR_MAIL_POLL_MS: '100' } });
	});
	after(async () => srv && srv.stop());

	test('a full flow: JSON lines, request ids, user and organisation ids, no e-mail and no password', async () => {
		const admin = await newAdmin(srv, { password: `Admin-${hex()}-solide` });
		const staff = await newStaff(srv, { password: `Staff-${hex()}-solide` });
		const secrets = [admin.email, admin.password, staff.email, staff.password];

		const wrong = `Faux-${hex()}`;
		secrets.push(wrong);
		const anon = new Client(srv.url);
		const bad = await anon.login(admin.email, wrong);
		assert.equal(bad.status, 401);

		const c = await loggedIn(srv, admin);
		const ids = [];
		for (let i = 0; i < 3; i++) {
			const email = uniqueEmail(`cand${i}`);
			const password = `Cand-${hex()}`;
			secrets.push(email, password);
			ids.push(await createCandidate(c, email, password, i === 0 ? 'oui' : 'non'));
		}
		await c.get(`/candidats?q=${encodeURIComponent(secrets[5])}`);
		await c.get(`/candidats/${ids[0]}`);
		const exp = await c.get('/candidats/export.csv');
		assert.equal(exp.status, 200);
		const home = await c.get('/accueil');
		const reqId = home.headers.get('x-request-id');
		const s = await loggedIn(srv, staff);
		await s.get('/backoffice/courriels');
		await c.logout();

		// the credentials e-mail leaves the outbox (the worker logs it)
		for (let i = 0; i < 100; i++) {
			const [[n]] = await sqlRows(srv, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'");
			if (+n >= 1) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		await new Promise((r) => setTimeout(r, 300));

		const log = srv.stderr();
		const lines = log.split('\n').filter((l) => l !== '');
		assert.ok(lines.length > 20, 'the flow is logged');
		const objs = lines.map((l) => {
			try {
				return JSON.parse(l);
			} catch (e) {
				assert.fail(`not one JSON object: ${l}`);
			}
		});
		for (const o of objs) {
			assert.match(o.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			assert.ok(['info', 'warn', 'error'].includes(o.level), JSON.stringify(o));
		}
		const reqs = objs.filter((o) => o.method);
		assert.ok(reqs.every((o) => typeof o.status === 'number' && /^[0-9a-f]{16}$/.test(o.req)), 'status and id on each request line');
		const h = reqs.find((o) => o.req === reqId);
		assert.ok(h, 'the X-Request-Id of /accueil is in the log');
		const [[uid, oid]] = await sqlRows(srv, `SELECT id, org_id FROM users WHERE email = '${admin.email}'`);
		assert.equal(h.user, +uid);
		assert.equal(h.org, +oid);
		assert.equal(h.path, '/accueil');
		assert.ok(objs.some((o) => o.msg === 'mail sent'), 'the credentials e-mail was delivered and logged');

		for (const secret of secrets) {
			assert.ok(!log.includes(secret), `« ${secret} » must not be in the log`);
			assert.ok(!log.includes(encodeURIComponent(secret)), `« ${secret} » (URL-encoded) must not be in the log`);
		}
	});
});
