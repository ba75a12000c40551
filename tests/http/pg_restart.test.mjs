// PostgreSQL restarted under a running `clr serve` (issue « Survive overload,
// abuse and faults »). The test owns a private cluster (tests/lib/pg.sh), since
// `pg_ctl restart -m fast` terminates every session of the shared one. First
// a restart while the server is idle: the next requests, whichever server
// thread takes them, must all be answered (the server used to answer 500 once
// per thread, on the connection the restart had killed). Then a restart under
// load: loops of GETs and of orders posted with their idempotency token (a
// 503 or a network error is posted again with the same token, as a user
// would) run while the cluster restarts twice; no request may answer 500, and
// afterwards every acknowledged order exists exactly once, nothing else does,
// and each has its audit row and its two e-mails in the outbox. Last, the
// cluster stopped for longer than the server waits (CLR_DB_WAIT_S): pages and
// forms answer 503 with the French message and Retry-After, then everything
// works again once it is back.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { startServer, newAdmin, loggedIn, inputValue, attr, run, sqlRows, textOf, ROOT, PG_URL } from '../lib/server.mjs';

const PG_SH = join(ROOT, 'tests/lib/pg.sh');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function pgsh(cmd, dir) {
	const r = await run('bash', [PG_SH, cmd, dir], { timeout: 120000 });
	if (r.code !== 0) throw new Error(`pg.sh ${cmd} failed (${r.code}): ${r.stderr}`);
	return r.stdout.trim();
}

/** One GET on a connection of its own (no keep-alive): the server's threads
 * share the new connections, so a burst of these reaches each of them.
 * Resolves {status, retryAfter} or {status: 'neterr'}. */
function getFresh(url, path, cookie) {
	return new Promise((ok) => {
		const req = http.get(url + path, { agent: false, headers: { cookie } }, (res) => {
			res.resume();
			res.on('end', () => ok({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
		});
		req.setTimeout(60000, () => req.destroy(new Error('timeout')));
		req.on('error', (e) => ok({ status: 'neterr', error: e.message }));
	});
}

/** The order form: product field names and the hidden idempotency token. */
async function orderForm(c) {
	const r = await c.get('/commandes/nouvelle');
	if (r.status !== 200) return { status: r.status };
	const qty = [];
	for (const m of r.text.matchAll(/<input\b[^>]*>/gi)) {
		const name = attr(m[0], 'name') || '';
		if (name.startsWith('qty_')) qty.push(name);
	}
	return { status: 200, qty, idem: inputValue(r.text, 'idem'), csrf: c.csrf };
}

function tally(statuses) {
	const n = {};
	for (const s of statuses) n[s] = (n[s] || 0) + 1;
	return n;
}

describe('PostgreSQL restarted under clr serve', { skip: !PG_URL && 'PostgreSQL only (CLR_TEST_PG_URL)' }, () => {
	let dir, dbUrl, srv, admin, idle;

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'clr-pg-restart-'));
		dbUrl = await pgsh('start', dir);
		srv = await startServer({ db: dbUrl, env: { CLR_MAIL_POLL_MS: '200', CLR_DB_WAIT_S: '3' } });
		admin = await newAdmin(srv, { org: 'Lycée Redémarrage' });
		idle = await newAdmin(srv, { org: 'Collège Au Repos' });
	});
	after(async () => {
		try {
			await srv?.stop();
		} finally {
			if (dir) {
				await run('bash', [PG_SH, 'stop', dir]);
				rmSync(dir, { recursive: true, force: true });
			}
		}
	});

	test('after a restart while idle, the first request on each server thread is answered', async (t) => {
		const c = await loggedIn(srv, idle);
		const cookie = c.cookieHeader();
		const paths = ['/accueil', '/commandes', '/candidats', '/compte', '/commandes/nouvelle', '/healthz'];
		const burst = () => Promise.all(Array.from({ length: 24 }, (_, i) => getFresh(srv.url, paths[i % paths.length], cookie)));
		const warm = await burst(); // every thread has its connection
		assert.deepEqual(tally(warm.map((r) => r.status)), { 200: 24 });
		await pgsh('restart', dir);
		await sleep(300); // the server is idle while its connections die
		const after = await burst();
		const n = tally(after.map((r) => r.status));
		t.diagnostic(`after the restart: ${JSON.stringify(n)}`);
		assert.deepEqual(n, { 200: 24 }, 'every request answered 200');
		// and the mail worker's connection too: an order's mails still go out
		const f = await orderForm(c);
		const r = await c.post('/commandes/nouvelle', { idem: f.idem, [f.qty[0]]: '1' });
		assert.equal(r.status, 303);
	});

	test('under load, two restarts: no 500, no order lost or doubled', async (t) => {
		const gets = [];
		const posts = [];
		const acknowledged = new Set();
		const attempted = new Set();
		let stop = false;

		const getLoop = async (c, paths) => {
			for (let i = 0; !stop; i++) {
				const path = paths[i % paths.length];
				try {
					const r = await c.get(path);
					gets.push({ path, status: r.status, retryAfter: r.headers.get('retry-after') });
				} catch (e) {
					gets.push({ path, status: 'neterr', error: e.message });
					await sleep(50);
				}
			}
		};
		const orderLoop = async (c) => {
			while (!stop) {
				let f;
				try {
					f = await orderForm(c);
				} catch (e) {
					gets.push({ path: '/commandes/nouvelle', status: 'neterr', error: e.message });
					await sleep(50);
					continue;
				}
				gets.push({ path: '/commandes/nouvelle', status: f.status });
				if (f.status !== 200) {
					await sleep(50);
					continue;
				}
				const fields = { idem: f.idem, [f.qty[0]]: '2', [f.qty[1]]: '1' };
				attempted.add(f.idem);
				// posted again with the same token until acknowledged, as a user would
				for (let k = 0; k < 100; k++) {
					let status;
					try {
						status = (await c.post('/commandes/nouvelle', fields)).status;
					} catch (e) {
						status = 'neterr';
					}
					posts.push({ status, retry: k > 0 });
					if (status === 303) {
						acknowledged.add(f.idem);
						break;
					}
					await sleep(100);
				}
			}
		};

		const clients = await Promise.all([1, 2, 3, 4, 5].map(() => loggedIn(srv, admin)));
		const loops = [
			getLoop(clients[0], ['/accueil', '/commandes']),
			getLoop(clients[1], ['/candidats', '/compte']),
			getLoop(clients[2], ['/commandes', '/accueil', '/healthz']),
			orderLoop(clients[3]),
			orderLoop(clients[4]),
		];
		await sleep(1000);
		const t0 = Date.now();
		await pgsh('restart', dir);
		const t1 = Date.now();
		await sleep(1200);
		await pgsh('restart', dir);
		await sleep(1500);
		stop = true;
		await Promise.all(loops);

		const g = tally(gets.map((r) => r.status));
		const p = tally(posts.map((r) => r.status));
		t.diagnostic(`restart took ${t1 - t0} ms; GETs ${gets.length} ${JSON.stringify(g)}; POSTs ${posts.length} ${JSON.stringify(p)}; orders acknowledged ${acknowledged.size}`);
		assert.ok(gets.length > 50 && acknowledged.size > 5, 'the load ran');
		assert.equal(gets.filter((r) => r.status === 500).length, 0, 'no GET answered 500');
		assert.equal(posts.filter((r) => r.status === 500).length, 0, 'no POST answered 500');
		assert.equal(gets.filter((r) => r.status === 'neterr').length + posts.filter((r) => r.status === 'neterr').length, 0,
			'the server never dropped a connection');
		for (const r of gets.filter((x) => x.status === 503)) assert.ok(r.retryAfter, 'a 503 says when to come back');
		assert.deepEqual(Object.keys(g).filter((s) => !['200', '503'].includes(s)), [], 'GETs: 200 (or 503)');
		assert.deepEqual(Object.keys(p).filter((s) => !['303', '503'].includes(s)), [], 'POSTs: 303 (or 503)');

		// the writes: every acknowledged order once, nothing else
		const rows = await sqlRows(srv, `SELECT o.idem_key, COUNT(*) FROM orders o JOIN organisations g ON g.id = o.org_id
			WHERE g.name = 'Lycée Redémarrage' GROUP BY o.idem_key`);
		const inDb = new Map(rows.map(([k, n]) => [k, +n]));
		for (const [k, n] of inDb) assert.equal(n, 1, `order ${k} stored ${n} times`);
		for (const k of acknowledged) assert.ok(inDb.has(k), `acknowledged order ${k} stored`);
		const unacked = [...inDb.keys()].filter((k) => !acknowledged.has(k));
		assert.deepEqual(unacked, [], 'no stored order left unacknowledged');
		assert.ok([...acknowledged].every((k) => attempted.has(k)));
		// each stored order has its lines, its audit row and its two e-mails
		const [[orders, lines, audit, mails]] = await sqlRows(srv, `SELECT
			(SELECT COUNT(*) FROM orders o JOIN organisations g ON g.id = o.org_id WHERE g.name = 'Lycée Redémarrage'),
			(SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN organisations g ON g.id = o.org_id WHERE g.name = 'Lycée Redémarrage'),
			(SELECT COUNT(*) FROM audit_log a JOIN organisations g ON g.id = a.org_id WHERE g.name = 'Lycée Redémarrage' AND a.action = 'order.create'),
			(SELECT COUNT(*) FROM outbox m JOIN organisations g ON g.id = m.org_id WHERE g.name = 'Lycée Redémarrage' AND m.kind LIKE 'order.%')`);
		assert.equal(+lines, 2 * +orders, 'two lines per order');
		assert.equal(+audit, +orders, 'one audit row per order');
		assert.equal(+mails, 2 * +orders, 'two e-mails per order');
	});

	test('stopped for longer than the server waits: 503 with Retry-After, then back', async () => {
		const c = await loggedIn(srv, idle);
		const f = await orderForm(c);
		const before = +(await sqlRows(srv, 'SELECT COUNT(*) FROM orders'))[0][0];
		await pgsh('stop', dir);
		try {
			const t0 = Date.now();
			const page = await c.get('/commandes');
			const waited = Date.now() - t0;
			assert.equal(page.status, 503);
			assert.equal(page.headers.get('retry-after'), '5');
			const text = textOf(page.text).replace(/[\u00a0\u202f]/g, ' ');
			assert.ok(text.includes('Le service est momentanément indisponible'), text.slice(0, 400));
			assert.ok(waited >= 2500, `the server waited for the database (${waited} ms)`);
			const post = await c.post('/commandes/nouvelle', { idem: f.idem, [f.qty[0]]: '1' });
			assert.equal(post.status, 503);
		} finally {
			await pgsh('restart', dir); // starts the stopped cluster again
		}
		assert.equal((await c.get('/commandes')).status, 200);
		assert.equal(+(await sqlRows(srv, 'SELECT COUNT(*) FROM orders'))[0][0], before, 'nothing written while down');
		const again = await c.post('/commandes/nouvelle', { idem: f.idem, [f.qty[0]]: '1' });
		assert.equal(again.status, 303, 'the same form goes through once the database is back');
	});
});
