// SQLite when the disk is full and when the database file is read-only
// (issue « Survive overload, abuse and faults »), against a real `clr serve`.
//
// Disk full: the database lives on a small tmpfs mounted here (as root; the
// tests say « skip » where mounting is not permitted), filled up by a file
// while the server runs. Pages keep being served; an order, a new candidate
// and the confirmation of a 3 000-line import answer 503 with the French
// message and Retry-After, and change nothing (counts, integrity_check);
// once space is freed, the same forms go through, each once.
//
// Read-only: root ignores file permissions, so the servers run as `nobody`.
// The file and its directory are made read-only (chmod 0444 / 0555) while a
// server runs; permissions are checked when a file is opened, so that server
// keeps the connections it has, and the check is the next server started on
// the file: it serves pages, and every write answers 503 with nothing
// written. With write permission back, the same order goes through.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, openSync, writeSync, closeSync, unlinkSync, chmodSync, chownSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	startServer, newAdmin, loggedIn, Client, textOf, inputValue, attr, run, sqlRows, clr, PG_URL, PASSWORD, uniqueEmail,
} from '../lib/server.mjs';
import { serveOn, AS_NOBODY, importFile, uploadImport, confirmUrl, checkInvariants } from '../lib/faults.mjs';

const UNAVAILABLE = 'Le service est momentanément indisponible';
const plain = (html) => textOf(html).replace(/[\u00a0\u202f]/g, ' ');

/** The order form's fields for one credit, with its idempotency token. */
async function orderFields(c) {
	const r = await c.get('/commandes/nouvelle');
	assert.equal(r.status, 200);
	const qty = [...r.text.matchAll(/<input\b[^>]*>/gi)].map((m) => attr(m[0], 'name') || '').filter((n) => n.startsWith('qty_'));
	return { idem: inputValue(r.text, 'idem'), [qty[0]]: '1' };
}

const IDENTITY = () => ({
	civility: 'madame', last_name: 'Bérénice', birth_name: '', first_name: 'Zoé', email: uniqueEmail('plein'),
	birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
});

/** A 503 page as the brief wants it: French message, Retry-After. */
function assertUnavailable(r, what) {
	assert.equal(r.status, 503, `${what}: ${r.status} ${plain(r.text).slice(0, 200)}`);
	assert.ok(plain(r.text).includes(UNAVAILABLE), `${what}: the French message`);
	assert.equal(r.headers.get('retry-after'), '5', `${what}: Retry-After`);
}

/** Writes zeros into path until the file system is full; returns the bytes written. */
function fillUp(path) {
	const fd = openSync(path, 'w');
	let total = 0;
	for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
		const b = Buffer.alloc(size);
		for (;;) {
			try {
				total += writeSync(fd, b);
			} catch (e) {
				if (e.code !== 'ENOSPC') throw e;
				break;
			}
		}
	}
	closeSync(fd);
	return total;
}

async function counts(srv, org) {
	const [[cand, orders, outbox, audit, imports]] = await sqlRows(srv, `SELECT
		(SELECT COUNT(*) FROM candidates k JOIN organisations o ON o.id = k.org_id WHERE o.name = '${org}'),
		(SELECT COUNT(*) FROM orders k JOIN organisations o ON o.id = k.org_id WHERE o.name = '${org}'),
		(SELECT COUNT(*) FROM outbox),
		(SELECT COUNT(*) FROM audit_log),
		(SELECT COUNT(*) FROM candidate_imports)`);
	return { cand: +cand, orders: +orders, outbox: +outbox, audit: +audit, imports: +imports };
}

describe('SQLite: the disk full', { skip: PG_URL ? 'SQLite only (CLR_TEST_PG_URL is set)' : false }, () => {
	let dir, why = '', srv, admin, tmp;
	const org = 'Lycée Disque Plein';

	before(async () => {
		tmp = mkdtempSync(join(tmpdir(), 'clr-full-src-'));
		dir = mkdtempSync(join(tmpdir(), 'clr-full-'));
		const m = await run('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0755', 'tmpfs', dir]);
		if (m.code !== 0) {
			why = `mounting a tmpfs is not permitted here: ${m.stderr.trim()}`;
			return;
		}
		srv = await startServer({ db: `sqlite:${join(dir, 't.db')}`, env: { CLR_MAIL_POLL_MS: '200' } });
		admin = await newAdmin(srv, { org });
	});
	after(async () => {
		try {
			await srv?.stop();
		} finally {
			if (!why) await run('umount', [dir]);
			rmSync(dir, { recursive: true, force: true });
			rmSync(tmp, { recursive: true, force: true });
		}
	});

	test('pages are served, writes answer 503 and leave nothing; once space is freed they go through', async (t) => {
		if (why) return t.skip(why);
		const c = await loggedIn(srv, admin);
		await clr(['demo', '--db', srv.dbUrl, '--candidates', '40', '--org', org]);
		// prepared before the disk fills: an order form, a candidate's form, a 3 000-line import's report
		const order = await orderFields(c);
		const report = await uploadImport(c, await importFile(3000, join(tmp, 'c.csv')));
		assert.equal(report.status, 200, plain(report.text).slice(0, 300));
		const confirm = confirmUrl(report.text);
		assert.ok(confirm, 'the report offers « Confirmer l’import »');
		const valid = +textOf(/id="import-valid">([^<]*)</.exec(report.text)[1]).replace(/\s/g, '');
		assert.ok(valid > 2900, `valid lines: ${valid}`);
		await c.get('/candidats/nouveau');
		const before = await counts(srv, org);

		// the WAL emptied, so that any write needs new space; then the disk filled
		const ck = await run('sqlite3', [join(dir, 't.db'), 'PRAGMA wal_checkpoint(TRUNCATE)']);
		assert.equal(ck.code, 0, ck.stderr);
		const filled = fillUp(join(dir, 'remplissage'));
		t.diagnostic(`tmpfs filled with ${(filled / 1048576).toFixed(1)} MiB`);

		for (const path of ['/accueil', '/candidats', '/commandes', '/candidats?q=lot', '/compte'])
			assert.equal((await c.get(path)).status, 200, `${path} is served`);
		assertUnavailable(await c.post('/commandes/nouvelle', order), 'an order');
		assertUnavailable(await c.post('/candidats/nouveau', IDENTITY()), 'a new candidate');
		assertUnavailable(await c.post(confirm, { send_credentials: 'oui' }), 'the import’s confirmation');
		assert.equal((await c.get('/accueil')).status, 200, 'still serving');
		assert.deepEqual(await counts(srv, org), before, 'nothing written');
		const ic = await run('sqlite3', [join(dir, 't.db'), 'PRAGMA integrity_check']);
		assert.equal(ic.stdout.trim(), 'ok');

		unlinkSync(join(dir, 'remplissage'));
		const o = await c.post('/commandes/nouvelle', order);
		assert.equal(o.status, 303, plain(o.text).slice(0, 200));
		assert.equal((await c.post('/commandes/nouvelle', order)).status, 303, 'the same form again finds the order');
		const imp = await c.post(confirm, { send_credentials: 'oui' });
		assert.equal(imp.status, 303, plain(imp.text).slice(0, 200));
		const now = await counts(srv, org);
		assert.equal(now.orders, before.orders + 1, 'one order');
		assert.equal(now.cand, before.cand + valid, 'the valid lines, once');
		assert.equal(now.imports, before.imports - 1, 'the pending import consumed');
		const inv = await checkInvariants(srv, org);
		assert.equal(inv.candidates, now.cand);
		assert.ok(srv.stderr().includes('database or disk is full'), 'the cause is logged');
	});
});

describe('SQLite: a read-only database file', { skip: PG_URL ? 'SQLite only (CLR_TEST_PG_URL is set)' : false }, () => {
	let dir, why = '', url, admin, c, a, b;
	const org = 'Collège Lecture Seule';

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'clr-ro-'));
		const who = await run('setpriv', [...AS_NOBODY.slice(1), 'true']);
		if (who.code !== 0) {
			why = `cannot run a process as nobody (setpriv): ${who.stderr.trim()}`;
			return;
		}
		url = `sqlite:${join(dir, 't.db')}`;
		await clr(['migrate', '--db', url]);
		admin = { org, email: uniqueEmail('ro'), password: PASSWORD };
		await clr(['admin', 'create', '--db', url, '--org', org, '--email', admin.email, '--password', admin.password]);
		chmodSync(dir, 0o755);
		chownSync(dir, 65534, 65534);
		chownSync(join(dir, 't.db'), 65534, 65534);
	});
	after(async () => {
		try {
			await a?.stop();
			await b?.stop();
		} finally {
			if (existsSync(dir)) chmodSync(dir, 0o755);
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test('a server started on it serves pages; every write answers 503 and writes nothing', async (t) => {
		if (why) return t.skip(why);
		const mail = mkdtempSync(join(tmpdir(), 'clr-ro-mail-'));
		chownSync(mail, 65534, 65534);
		const env = { CLR_MAIL_DIR: mail, CLR_MAIL_POLL_MS: '200' };
		a = await serveOn(url, { env, wrap: AS_NOBODY });
		c = await loggedIn(a, admin);
		assert.equal((await c.post('/commandes/nouvelle', await orderFields(c))).status, 303, 'writable at first');
		// read-only while the server runs; it keeps its open connections
		chmodSync(join(dir, 't.db'), 0o444);
		chmodSync(dir, 0o555);
		await a.stop();
		a = null;

		b = await serveOn(url, { env, wrap: AS_NOBODY });
		const cb = new Client(b.url);
		cb.cookies = new Map(c.cookies);
		for (const path of ['/accueil', '/commandes', '/candidats', '/compte'])
			assert.equal((await cb.get(path)).status, 200, `${path} is served`);
		const order = await orderFields(cb);
		assertUnavailable(await cb.post('/commandes/nouvelle', order), 'an order');
		assertUnavailable(await cb.post('/candidats/nouveau', IDENTITY()), 'a new candidate');
		const other = new Client(b.url);
		assertUnavailable(await other.login(admin.email, admin.password), 'a login (its session cannot be stored)');
		assert.equal((await cb.get('/accueil')).status, 200, 'still serving');
		assert.ok(/readonly database/.test(b.stderr()), 'the cause is logged');
		await b.stop();
		b = null;
		t.diagnostic('read-only: pages 200, order/candidate/login 503');

		// write permission back: the same form goes through, once
		chmodSync(dir, 0o755);
		chmodSync(join(dir, 't.db'), 0o644);
		a = await serveOn(url, { env, wrap: AS_NOBODY });
		const ca = new Client(a.url);
		ca.cookies = new Map(c.cookies);
		assert.equal((await ca.post('/commandes/nouvelle', order)).status, 303);
		await a.stop();
		a = null;
		const rows = await sqlRows({ dbUrl: url }, `SELECT COUNT(*) FROM orders`);
		assert.equal(rows[0][0], '2', 'the first order and the one refused then accepted');
		rmSync(mail, { recursive: true, force: true });
	});
});
