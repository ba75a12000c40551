// Login, logout, redirections for anonymous users, staff/admin separation.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startServer, Client, newAdmin, newStaff, loggedIn, fieldByLabel, attr, inputTag, inputValue, forms, textOf, setCookies, sqlRows, freshDatabase, clr, run, BIN,
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

// ---------------------------------------------------------------- throttling
//
// Failures are throttled per (account, client address) and per client
// address, with growing delays (the n-th failure past the free ones makes the
// next attempt wait 2^(n-k) seconds), never by locking the account itself.
// The servers below trust 127.0.0.1 as a proxy (CLR_TRUSTED_PROXIES), so a
// test chooses its client's address with X-Forwarded-For.

const PAIR_FREE = 5; // failures of one account from one address before a delay
const ADDR_FREE = 20; // failures from one address (any account) before a delay
const THROTTLED = 'Trop de tentatives de connexion infructueuses';

/** POST /connexion as a client at address IP (X-Forwarded-For through the trusted proxy). */
async function loginFrom(srv, ip, email, password) {
	const c = new Client(srv.url);
	await c.get('/connexion');
	const headers = ip ? { 'x-forwarded-for': ip } : {};
	return c.post('/connexion', { email, password }, { headers });
}

/** N prepared clients (each with its CSRF token), then all their logins at once. */
async function parallelLogins(srv, n, ip, emailOf, password) {
	const clients = [];
	for (let i = 0; i < n; i++) {
		const c = new Client(srv.url);
		await c.get('/connexion');
		clients.push(c);
	}
	const t0 = Date.now();
	const rs = await Promise.all(clients.map((c, i) =>
		c.post('/connexion', { email: emailOf(i), password }, { headers: { 'x-forwarded-for': ip } })));
	return { statuses: rs.map((r) => r.status), ms: Date.now() - t0 };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('login throttling behind a trusted proxy', () => {
	let srv, victim, owner, other;
	before(async () => {
		// a first delay of 2 s (1 s by default) leaves room for a slow login (argon2, sanitizers)
		srv = await startServer({ env: { CLR_TRUSTED_PROXIES: '127.0.0.1', CLR_LOGIN_DELAY_MS: '2000' } });
		victim = await newAdmin(srv);
		owner = await newAdmin(srv);
		other = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('many failures from one address do not lock out the users at other addresses', async () => {
		// 25 failures from one address, on 5 accounts (5 each).
		for (let e = 0; e < 5; e++)
			for (let i = 0; i < PAIR_FREE; i++) {
				const r = await loginFrom(srv, '203.0.113.7', `inconnu${e}@example.test`, 'mauvais-mot-de-passe');
				assert.ok([401, 429].includes(r.status), `failure ${e * 5 + i + 1}: ${r.status}`);
			}
		const r = await loginFrom(srv, '198.51.100.20', victim.email, victim.password);
		assert.equal(r.status, 303, `the right password from another address: ${textOf(r.text).slice(0, 200)}`);
		const ips = await sqlRows(srv, `SELECT s.ip FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${victim.email}'`);
		assert.deepEqual(ips.map((x) => x[0]), ['198.51.100.20'], 'the session records the client address, not the proxy');
	});

	test('an attacker failing on an account from elsewhere does not lock its owner out', async () => {
		for (let i = 0; i < PAIR_FREE + 3; i++) {
			const r = await loginFrom(srv, '203.0.113.50', owner.email, `essai-${i}-mauvais`);
			assert.ok([401, 429].includes(r.status), `attack ${i + 1}: ${r.status}`);
		}
		assert.equal((await loginFrom(srv, '203.0.113.50', owner.email, 'encore-un-essai')).status, 429, 'the attacker waits');
		const r = await loginFrom(srv, '198.51.100.21', owner.email, owner.password);
		assert.equal(r.status, 303, `the owner logs in from their address: ${textOf(r.text).slice(0, 200)}`);
		// The attacker keeps failing; the owner still logs in.
		assert.equal((await loginFrom(srv, '203.0.113.51', owner.email, 'encore-un-essai')).status, 401);
		assert.equal((await loginFrom(srv, '198.51.100.21', owner.email, owner.password)).status, 303);
	});

	test('growing delays per (account, address): 2 s, then 4 s; the right password then works', async () => {
		const ip = '203.0.113.60';
		const row = async () => {
			const rows = await sqlRows(srv, `SELECT fails, (next_ms - last_ms) / 1000 FROM login_throttle WHERE subject = 'a:${ip} ${other.email}'`);
			return rows.length ? rows[0].map(Number) : null;
		};
		for (let i = 0; i < PAIR_FREE; i++)
			assert.equal((await loginFrom(srv, ip, other.email, `faux-${i}-faux`)).status, 401, `failure ${i + 1}`);
		assert.deepEqual(await row(), [PAIR_FREE, 2], 'the 5th failure: 2^0 delays of 2 s');
		let r = await loginFrom(srv, ip, other.email, other.password);
		assert.equal(r.status, 429, 'even the right password waits');
		assert.match(textOf(r.text), /réessayez dans [12] secondes?\./, textOf(r.text).slice(0, 300));
		assert.equal(cookie(r, 'clr_session'), null, 'no session');
		await sleep(2100);
		assert.equal((await loginFrom(srv, ip, other.email, 'faux-encore-faux')).status, 401, 'one more try after 2 s');
		assert.deepEqual(await row(), [PAIR_FREE + 1, 4], 'the 6th failure: 2^1 delays of 2 s');
		r = await loginFrom(srv, ip, other.email, other.password);
		assert.equal(r.status, 429);
		assert.match(textOf(r.text), /réessayez dans [34] secondes\./, textOf(r.text).slice(0, 300));
		await sleep(4100);
		assert.equal((await loginFrom(srv, ip, other.email, other.password)).status, 303, 'the right password after the delay');
		assert.equal(await row(), null, 'a success forgets the failures of this account at this address');
		for (let i = 0; i < PAIR_FREE; i++)
			assert.equal((await loginFrom(srv, ip, other.email, `faux-${i}-bis`)).status, 401, `fresh failure ${i + 1}`);
	});

	test('one address failing on many accounts is throttled, other addresses are not', async () => {
		const ip = '203.0.113.70';
		for (let i = 0; i < ADDR_FREE; i++)
			assert.equal((await loginFrom(srv, ip, `balayage${i}@example.test`, 'azerty-azerty')).status, 401, `failure ${i + 1}`);
		const r = await loginFrom(srv, ip, 'balayage-fin@example.test', 'azerty-azerty');
		assert.equal(r.status, 429);
		assert.ok(textOf(r.text).includes(THROTTLED));
		assert.equal((await loginFrom(srv, '203.0.113.71', 'balayage-fin@example.test', 'azerty-azerty')).status, 401);
	});

	test('X-Forwarded-For: the rightmost address that is not a trusted proxy is the client', async () => {
		const acct = await newAdmin(srv);
		// The client writes anything on the left; the proxy appends the real address.
		for (let i = 0; i < PAIR_FREE; i++)
			assert.equal((await loginFrom(srv, `10.0.0.${i}, 203.0.113.80`, acct.email, `faux-${i}-faux`)).status, 401);
		assert.equal((await loginFrom(srv, '10.0.0.99, 203.0.113.80', acct.email, 'faux-faux-faux')).status, 429,
			'a forged left part does not change the client');
		// A trusted proxy in the chain is skipped.
		assert.equal((await loginFrom(srv, '203.0.113.80, 127.0.0.1', acct.email, 'faux-faux-faux')).status, 429);
		assert.equal((await loginFrom(srv, '203.0.113.81', acct.email, 'faux-faux-faux')).status, 401);
	});
});

describe('CLR_TRUSTED_PROXIES', () => {
	test('CIDR blocks and IPv6 are read; the session records the client behind them', async () => {
		const srv = await startServer({ env: { CLR_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.0/8 ::1,fd00::/8' } });
		try {
			const a = await newAdmin(srv);
			const r = await loginFrom(srv, '2001:db8::7, 10.1.2.3', a.email, a.password);
			assert.equal(r.status, 303);
			const ips = await sqlRows(srv, `SELECT s.ip FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${a.email}'`);
			assert.deepEqual(ips.map((x) => x[0]), ['2001:db8::7']);
		} finally {
			await srv.stop();
		}
	});

	test('a malformed entry stops clr serve with a message', async () => {
		const { url, cleanup } = await freshDatabase();
		try {
			await clr(['migrate', '--db', url]);
			for (const bad of ['10.0.0.0/33', 'proxy.example', '127.0.0.1/8x', '::1/129']) {
				const r = await run(BIN, ['serve', '--db', url, '--port', '1'], { env: { ...process.env, CLR_TRUSTED_PROXIES: bad }, timeout: 20000 });
				assert.equal(r.code, 2, `${bad}: exit ${r.code}`);
				assert.match(r.stderr, /CLR_TRUSTED_PROXIES/, bad);
			}
		} finally {
			cleanup();
		}
	});
});

describe('X-Forwarded-For without a trusted proxy', () => {
	let srv, acct;
	before(async () => {
		srv = await startServer();
		acct = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('is ignored: a client cannot choose its address', async () => {
		for (let i = 0; i < PAIR_FREE; i++)
			assert.equal((await loginFrom(srv, `198.51.100.${i + 1}`, acct.email, `faux-${i}-faux`)).status, 401);
		const r = await loginFrom(srv, '198.51.100.200', acct.email, acct.password);
		assert.equal(r.status, 429, 'still the same client (127.0.0.1)');
		const ips = await sqlRows(srv, 'SELECT COUNT(*) FROM sessions');
		assert.equal(ips[0][0], '0');
	});
});

// Forty attempts at once: the count and the decision are one atomic step, so
// exactly the free attempts get an answer on the password and the rest wait.
// The first delay is a minute here (CLR_LOGIN_DELAY_MS), so that no delay
// can pass during the burst on a busy machine.
describe('login throttling under parallel attempts', () => {
	let srv, acct;
	before(async () => {
		srv = await startServer({ env: { CLR_TRUSTED_PROXIES: '127.0.0.1', CLR_LOGIN_DELAY_MS: '60000' } });
		acct = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('40 parallel wrong passwords for one account from one address', async () => {
		const { statuses, ms } = await parallelLogins(srv, 40, '203.0.113.90', () => acct.email, 'mauvais-mauvais');
		const through = statuses.filter((s) => s === 401).length;
		assert.equal(statuses.filter((s) => s !== 401 && s !== 429).length, 0, `statuses ${statuses}`);
		assert.equal(through, PAIR_FREE, `${through} of 40 reached the password check (${ms} ms)`);
	});

	test('40 parallel wrong logins from one address on 40 accounts', async () => {
		const { statuses, ms } = await parallelLogins(srv, 40, '203.0.113.91', (i) => `parallele${i}@example.test`, 'mauvais-mauvais');
		const through = statuses.filter((s) => s === 401).length;
		assert.equal(statuses.filter((s) => s !== 401 && s !== 429).length, 0, `statuses ${statuses}`);
		assert.equal(through, ADDR_FREE, `${through} of 40 reached the password check (${ms} ms)`);
	});
});

// ---------------------------------------------------------------- sessions

describe('session lifetime', () => {
	let srv, short, admin;
	before(async () => {
		srv = await startServer();
		short = await startServer({ env: { CLR_SESSION_MAX_H: '1' } });
		admin = await newAdmin(srv);
	});
	after(async () => {
		await srv?.stop();
		await short?.stop();
	});

	/** Moves the login of C's session back by SECONDS (its activity stays now). */
	async function loginAgo(s, c, seconds) {
		await sqlRows(s, `UPDATE sessions SET created_at = created_at - ${seconds} WHERE user_id IN (SELECT id FROM users WHERE email = '${c.email}')`);
	}

	test('a session ends 12 hours after login however active it is (CLR_SESSION_MAX_H)', async () => {
		const c = await loggedIn(srv, admin);
		c.email = admin.email;
		await loginAgo(srv, c, 11 * 3600);
		assert.equal((await c.get('/accueil')).status, 200, 'an active session of 11 hours is alive');
		await loginAgo(srv, c, 3600 + 5);
		const r = await c.get('/accueil');
		assert.equal(r.status, 303, 'past 12 hours since login');
		assert.match(r.headers.get('location'), /^\/connexion/);
		const rows = await sqlRows(srv, `SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${admin.email}'`);
		assert.equal(rows[0][0], '0', 'the session is gone');
		assert.equal((await loggedIn(srv, admin).then((x) => x.get('/accueil'))).status, 200, 'a new login works');
	});

	test('CLR_SESSION_MAX_H=1: one hour', async () => {
		const a = await newAdmin(short);
		const c = await loggedIn(short, a);
		c.email = a.email;
		await loginAgo(short, c, 3500);
		assert.equal((await c.get('/accueil')).status, 200);
		await loginAgo(short, c, 200);
		assert.equal((await c.get('/accueil')).status, 303);
	});
});

/** A browser behind the TLS-terminating proxy: every request says https. */
class TlsClient extends Client {
	request(method, path, opts = {}) {
		return super.request(method, path, { ...opts, headers: { 'x-forwarded-proto': 'https', ...(opts.headers || {}) } });
	}
}

describe('cookies behind TLS (CLR_BEHIND_TLS=1)', () => {
	let srv, admin;
	before(async () => {
		srv = await startServer({ env: { CLR_BEHIND_TLS: '1' } });
		admin = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('the session cookie is __Host-clr_session; Secure; Path=/ and has no Domain', async () => {
		const c = new TlsClient(srv.url);
		const page = await c.get('/connexion');
		assert.ok(cookie(page, '__Host-clr_pre'), 'the anonymous CSRF cookie is __Host- too');
		const r = await c.post('/connexion', { email: admin.email, password: admin.password });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 200));
		const sc = cookie(r, '__Host-clr_session');
		assert.ok(sc, `Set-Cookie: ${setCookies(r.headers).join(' | ')}`);
		assert.match(sc, /;\s*Secure(;|$)/i);
		assert.match(sc, /;\s*Path=\/(;|$)/i);
		assert.match(sc, /;\s*HttpOnly/i);
		assert.doesNotMatch(sc, /;\s*Domain=/i);
		assert.equal(cookie(r, 'clr_session'), null, 'no cookie without the prefix');
		assert.equal((await c.get('/accueil')).status, 200);
		assert.equal(r.headers.get('strict-transport-security'), 'max-age=31536000');
	});

	test('over https a cookie without the prefix is not a session (it could have been set over http)', async () => {
		const c = new TlsClient(srv.url);
		await c.get('/connexion');
		await c.post('/connexion', { email: admin.email, password: admin.password });
		const token = c.cookies.get('__Host-clr_session');
		assert.ok(token);
		const planted = new TlsClient(srv.url);
		planted.cookies.set('clr_session', token);
		const r = await planted.get('/accueil');
		assert.equal(r.status, 303);
	});

	test('a request that did not come through https keeps the plain cookie', async () => {
		const c = new Client(srv.url);
		const r = await c.login(admin.email, admin.password);
		assert.equal(r.status, 303);
		const sc = cookie(r, 'clr_session');
		assert.ok(sc);
		assert.doesNotMatch(sc, /Secure/i);
	});
});
