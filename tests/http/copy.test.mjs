// `clr copy` (issue 18): the demo data from SQLite into a fresh PostgreSQL
// database and back into a fresh SQLite file, through the db interface: every
// table's row count and id sum equal, a server on each copy shows the same
// stock and finds candidates by search, and new rows get new ids (the
// PostgreSQL sequences were set past the copied ids).  Needs PostgreSQL.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, loggedIn, textOf, inputValue, attr, clr, run, freshDatabase, PG_URL } from '../lib/server.mjs';

const DEMO_ADMIN = { email: 'admin@demo.clr.test', password: 'Voltaire-2026' };

async function rows(url, q) {
	const r = url.startsWith('sqlite:')
		? await run('sqlite3', ['-separator', '\t', url.slice(7), q])
		: await run('psql', ['-X', '-q', '-At', '-F', '\t', '-d', url, '-c', q]);
	if (r.code !== 0) throw new Error(`${url}: ${q}\n${r.stderr}`);
	return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Row count and id sum of every table of the platform (not the FTS tables, not schema_migrations). */
async function fingerprint(url) {
	const tables = url.startsWith('sqlite:')
		? await rows(url, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%fts%' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'")
		: await rows(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'");
	const out = {};
	for (const [t] of tables) {
		const cols = url.startsWith('sqlite:')
			? (await rows(url, `SELECT name FROM pragma_table_info('${t}')`)).map((r) => r[0])
			: (await rows(url, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${t}'`)).map((r) => r[0]);
		const [[n, s]] = await rows(url, `SELECT COUNT(*), ${cols.includes('id') ? 'COALESCE(SUM(id), 0)' : '0'} FROM ${t}`);
		out[t] = `${n} rows, ids ${s}`;
	}
	return out;
}

async function placeOrder(c) {
	const f = await c.get('/commandes/nouvelle');
	const fields = { idem: inputValue(f.text, 'idem') };
	for (const m of f.text.matchAll(/<input\b[^>]*>/gi)) {
		const name = attr(m[0], 'name') || '';
		if (name.startsWith('qty_')) fields[name] = '2';
	}
	const r = await c.post('/commandes/nouvelle', fields);
	assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
	return +/\/commandes\/(\d+)$/.exec(r.headers.get('location'))[1];
}

const flat = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ');

/** On a server of the copy: the stock tile, a search, and new rows with new ids. */
async function servesTheCopy(url, maxOrderId, lastName) {
	const srv = await startServer({ db: url });
	try {
		const c = await loggedIn(srv, DEMO_ADMIN);
		const home = flat(textOf((await c.get('/accueil')).text));
		const search = flat(textOf((await c.get(`/candidats?q=${encodeURIComponent(lastName)}`)).text));
		assert.ok(search.toUpperCase().includes(lastName.toUpperCase()), `the search finds « ${lastName} » on the copy`);
		assert.ok(!/\b0 candidat\b/.test(search), 'some candidate found');
		const id = await placeOrder(c);
		assert.ok(id > maxOrderId, `a new order gets a new id (${id} > ${maxOrderId})`);
		return /Certifications restantes \d+ \d+ \S+ \S+ \S+ \S+ \d+/.exec(home)?.[0];
	} finally {
		await srv.stop();
	}
}

describe('clr copy', { skip: PG_URL ? false : 'needs PostgreSQL (CLR_TEST_PG_URL): it copies between the two backends' }, () => {
	let dir;
	before(() => {
		dir = mkdtempSync(join(tmpdir(), 'clr-copy-'));
	});
	after(() => rmSync(dir, { recursive: true, force: true }));

	test('SQLite -> PostgreSQL -> SQLite on the demo data', async () => {
		const src = `sqlite:${join(dir, 'demo.db')}`;
		await clr(['demo', '--db', src]);
		const want = await fingerprint(src);
		assert.ok(parseInt(want.candidates, 10) > 10 && parseInt(want.certifications, 10) > 0);
		const [[maxOrder]] = await rows(src, 'SELECT MAX(id) FROM orders');
		const [[lastName]] = await rows(src, "SELECT last_name FROM candidates WHERE status <> 'draft' ORDER BY id LIMIT 1");

		const pg = (await freshDatabase()).url;
		const r = await clr(['copy', '--from', src, '--to', pg]);
		assert.match(r.stdout, /copie terminée/);
		assert.match(r.stdout, /^candidates\s+\d+\s+\d+$/m);
		assert.deepEqual(await fingerprint(pg), want, 'every table: same rows, same ids');

		const back = `sqlite:${join(dir, 'back.db')}`;
		await clr(['copy', '--from', pg, '--to', back]);
		assert.deepEqual(await fingerprint(back), want, 'and back again');

		const tileSrc = await servesTheCopy(src, +maxOrder, lastName);
		assert.ok(tileSrc, 'the stock tile');
		assert.equal(await servesTheCopy(pg, +maxOrder, lastName), tileSrc, 'PostgreSQL: the same stock');
		assert.equal(await servesTheCopy(back, +maxOrder, lastName), tileSrc, 'SQLite again: the same stock');
	});

	test('refusals: a target that holds data, one database twice, --help', async () => {
		const src = `sqlite:${join(dir, 'r.db')}`;
		await clr(['demo', '--db', src]);
		const pg = (await freshDatabase()).url;
		await clr(['copy', '--from', src, '--to', pg]);
		const before = await fingerprint(pg);
		let r = await clr(['copy', '--from', src, '--to', pg], { allowFail: true });
		assert.equal(r.code, 1);
		assert.match(r.stderr, /la base cible n'est pas vide .* rien n'a été copié/);
		assert.deepEqual(await fingerprint(pg), before, 'nothing changed');
		r = await clr(['copy', '--from', src, '--to', src], { allowFail: true });
		assert.equal(r.code, 2);
		r = await clr(['copy', '--help']);
		assert.match(r.stdout, /usage: clr copy --from URL --to URL/);
	});
});
