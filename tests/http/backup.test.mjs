// Backups (issue 18): `clr backup` copies a SQLite database that `clr serve`
// keeps writing to (orders, stock corrections and candidates in loops), the
// copy is consistent (stock balances and candidate counters match a recount,
// no order without its lines), `clr restore` puts it into a fresh file, a
// server starts on it and shows the same rows; a restore never replaces a
// database a server uses, and a truncated, damaged or foreign file is refused
// with a French message and exit status 3.  On PostgreSQL both commands
// explain pg_dump / pg_basebackup instead.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, copyFileSync, openSync, writeSync, closeSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, newAdmin, loggedIn, textOf, inputValue, attr, clr, run, BIN, PG_URL } from '../lib/server.mjs';

const ORG = 'Centre de formation Voltaire';
const DEMO_ADMIN = { email: 'admin@demo.clr.test', password: 'Voltaire-2026' };
const DEMO_STAFF = { email: 'staff@demo.clr.test', password: 'LeRobert-2026' };

async function sqlite(file, q) {
	const r = await run('sqlite3', ['-separator', '\t', file, q]);
	if (r.code !== 0) throw new Error(`sqlite3 ${file}: ${q}\n${r.stderr}`);
	return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** Every table's row count (FTS shadow tables included: they are rows too). */
async function tableCounts(file) {
	const tables = (await sqlite(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")).map((r) => r[0]);
	const out = {};
	for (const t of tables) out[t] = +(await sqlite(file, `SELECT COUNT(*) FROM "${t}"`))[0][0];
	return out;
}

/** What must hold in any consistent snapshot: recounts equal the kept totals. */
async function assertConsistent(file) {
	const bad = async (q) => +(await sqlite(file, q))[0][0];
	assert.equal(await bad(`SELECT COUNT(*) FROM stock_balances b WHERE qty <> (SELECT COALESCE(SUM(m.qty), 0)
		FROM stock_movements m WHERE m.org_id = b.org_id AND m.product_id = b.product_id)`), 0, 'stock balances = sum of movements');
	assert.equal(await bad(`SELECT COUNT(*) FROM stock_balances b WHERE qty <> COALESCE((SELECT m.balance_after
		FROM stock_movements m WHERE m.org_id = b.org_id AND m.product_id = b.product_id ORDER BY m.id DESC LIMIT 1), 0)`), 0,
	'stock balances = the last movement\'s balance');
	assert.equal(await bad(`SELECT COUNT(*) FROM (SELECT org_id, status, COUNT(*) AS n FROM candidates GROUP BY org_id, status) c
		LEFT JOIN candidate_counts k ON k.org_id = c.org_id AND k.status = c.status WHERE k.n IS NOT c.n`), 0, 'candidate counters = recount');
	assert.equal(await bad('SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)'), 0,
		'no order without its lines');
	assert.deepEqual(await sqlite(file, 'PRAGMA integrity_check'), [['ok']]);
}

async function placeOrder(c) {
	const f = await c.get('/commandes/nouvelle');
	const fields = { idem: inputValue(f.text, 'idem') };
	for (const m of f.text.matchAll(/<input\b[^>]*>/gi)) {
		const name = attr(m[0], 'name') || '';
		if (name.startsWith('qty_')) fields[name] = '1';
	}
	const r = await c.post('/commandes/nouvelle', fields);
	assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
}

const stockTile = async (c) => {
	const t = textOf((await c.get('/accueil')).text).replace(/[\s\u00a0\u202f]+/g, ' ');
	const m = /Certifications restantes (\d+) (\d+) Partenaire \/ centre agréé (\d+) Partenaire \/ La Poste/.exec(t);
	assert.ok(m, t.slice(0, 300));
	return [+m[1], +m[2], +m[3]];
};

describe('clr backup and clr restore (SQLite)', { skip: PG_URL ? 'SQLite only: on PostgreSQL see the pg_dump test below' : false }, () => {
	let srv, dir, live;
	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'clr-backup-'));
		live = join(dir, 'live.db');
		srv = await startServer({ db: `sqlite:${live}` });
		await clr(['demo', '--db', srv.dbUrl]);
		await clr(['demo', '--db', srv.dbUrl, '--candidates', '3000', '--org', ORG]); // a file of some size
	});
	after(async () => {
		if (srv) await srv.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	test('a backup under write load is consistent, restores into a fresh file, and a server serves it', async (t) => {
		const other = await loggedIn(srv, await newAdmin(srv));
		const staff = await loggedIn(srv, DEMO_STAFF);
		const [[orgId]] = await sqlite(live, `SELECT id FROM organisations WHERE name = '${ORG}'`);
		let stop = false;
		const stamps = [];
		const loop = async (fn) => {
			while (!stop) {
				await fn();
				stamps.push(Date.now());
			}
		};
		const loops = [
			loop(() => placeOrder(other)),
			loop(async () => {
				const r = await staff.post(`/backoffice/organisations/${orgId}/stock`, { product: 'PART-CLR-EXAMEN', delta: '+1', reason: 'Charge de test' });
				assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
			}),
			loop(() => clr(['demo', '--db', srv.dbUrl, '--candidates', '2', '--org', ORG])),
		];
		const b1 = join(dir, 'b1.db');
		let t0, t1, out;
		try {
			await new Promise((r) => setTimeout(r, 500));
			t0 = Date.now();
			out = await clr(['backup', '--db', srv.dbUrl, '--to', b1]);
			t1 = Date.now();
			await new Promise((r) => setTimeout(r, 300));
		} finally {
			stop = true;
			await Promise.all(loops);
		}
		const during = stamps.filter((s) => s > t0 && s < t1).length;
		t.diagnostic(`writes during the backup: ${during} in ${t1 - t0} ms`);
		assert.ok(during >= 1, `writes went on during the backup (${during} in ${t1 - t0} ms)`);
		assert.match(out.stdout, /sauvegarde écrite : .*contrôle d'intégrité : ok/);
		assert.equal(statSync(b1).mode & 0o777, 0o600, 'the backup is its owner\'s alone');
		assert.ok(!existsSync(`${b1}-wal`), 'one self-contained file');
		await assertConsistent(b1);
		const saved = await tableCounts(b1);
		assert.ok(saved.candidates >= 3000 && saved.orders > 0 && saved.certifications > 0 && saved.stock_movements > 0);

		// into a fresh file, then a server on it
		const fresh = join(dir, 'restored.db');
		const rs = await clr(['restore', '--from', b1, '--db', `sqlite:${fresh}`]);
		assert.match(rs.stdout, /base restaurée/);
		assert.deepEqual(await tableCounts(fresh), saved, 'every table has the rows of the backup');
		const srv2 = await startServer({ db: `sqlite:${fresh}` });
		try {
			assert.deepEqual(await tableCounts(fresh), saved, 'the same rows once served');
			await assertConsistent(fresh);
			const c2 = await loggedIn(srv2, DEMO_ADMIN);
			const [, clrQty, laposteQty] = await stockTile(c2);
			const bal = Object.fromEntries(await sqlite(fresh, `SELECT p.reference, b.qty FROM stock_balances b
				JOIN products p ON p.id = b.product_id WHERE b.org_id = ${orgId}`));
			assert.equal(clrQty, +(bal['PART-CLR-EXAMEN'] || 0), 'the restored server shows the restored stock');
			assert.equal(laposteQty, +(bal['PART-LAPOSTE-EXAMEN'] || 0));
			// and keeps working: a new order on the restored database
			await placeOrder(c2);
		} finally {
			await srv2.stop();
		}

		// once the writes have stopped, a backup holds exactly the live rows
		const b2 = join(dir, 'b2.db');
		await clr(['backup', '--db', srv.dbUrl, '--to', b2]);
		assert.deepEqual(await tableCounts(b2), await tableCounts(live));
	});

	test('a database that a server uses is never replaced; an existing one needs --force', async () => {
		const b = join(dir, 'b3.db');
		await clr(['backup', '--db', srv.dbUrl, '--to', b]);
		const before = await tableCounts(live);
		let r = await clr(['restore', '--from', b, '--db', srv.dbUrl, '--force'], { allowFail: true });
		assert.equal(r.code, 4, r.stderr);
		assert.match(r.stderr, /est utilisée par un serveur \(clr serve\) : arrêtez-le avant de la restaurer ; rien n'a été modifié/);
		assert.deepEqual(await tableCounts(live), before);
		const other = join(dir, 'other.db');
		await clr(['restore', '--from', b, '--db', `sqlite:${other}`]);
		r = await clr(['restore', '--from', b, '--db', `sqlite:${other}`], { allowFail: true });
		assert.equal(r.code, 4);
		assert.match(r.stderr, /existe déjà : ajoutez --force pour la remplacer/);
		r = await clr(['restore', '--from', b, '--db', `sqlite:${other}`, '--force']);
		assert.equal(r.code, 0);
		r = await clr(['backup', '--db', srv.dbUrl, '--to', b], { allowFail: true });
		assert.equal(r.code, 1, 'an existing backup file is not overwritten');
		assert.match(r.stderr, /existe déjà/);
	});

	test('a truncated, damaged or foreign file is refused with a French message, exit 3, nothing written', async () => {
		const b = join(dir, 'b4.db');
		await clr(['backup', '--db', srv.dbUrl, '--to', b]);
		const size = statSync(b).size;
		const cases = [];

		const truncated = join(dir, 'truncated.db');
		writeFileSync(truncated, readFileSync(b).subarray(0, Math.floor(size / 2)));
		cases.push([truncated, /est tronqué : \d+ octets au lieu de \d+ .*la copie est incomplète/]);

		const corrupt = join(dir, 'corrupt.db');
		copyFileSync(b, corrupt);
		const fd = openSync(corrupt, 'r+');
		for (let off = 8192; off < size; off += 65536) writeSync(fd, Buffer.alloc(512, 0x5a), 0, 512, off);
		closeSync(fd);
		cases.push([corrupt, /est endommagé : le contrôle d'intégrité de SQLite échoue/]);

		const text = join(dir, 'notes.txt');
		writeFileSync(text, 'ceci n\'est pas une base de données\n'.repeat(50));
		cases.push([text, /n'est pas une sauvegarde de base SQLite/]);

		const foreign = join(dir, 'foreign.db');
		await run('sqlite3', [foreign, 'CREATE TABLE t (x); INSERT INTO t VALUES (1);']);
		cases.push([foreign, /n'est pas une base de la plateforme/]);

		for (const [file, msg] of cases) {
			const target = join(dir, 'target.db');
			const r = await clr(['restore', '--from', file, '--db', `sqlite:${target}`], { allowFail: true });
			assert.equal(r.code, 3, `${file}: ${r.stderr}`);
			assert.match(r.stderr, /^clr restore: sauvegarde refusée, rien n'a été modifié : /);
			assert.match(r.stderr, msg);
			assert.ok(!existsSync(target), 'nothing written');
		}
	});

	test('a backup made before a migration is brought up to date by the restore', async () => {
		const b = join(dir, 'older.db');
		await clr(['backup', '--db', srv.dbUrl, '--to', b]);
		// as a backup made before 0016_login_throttle: its table absent, the one it drops present
		await sqlite(b, `CREATE TABLE login_failures (id INTEGER PRIMARY KEY); DROP TABLE login_throttle;
			DELETE FROM schema_migrations WHERE version = '0016_login_throttle';`);
		const target = join(dir, 'upgraded.db');
		const r = await clr(['restore', '--from', b, '--db', `sqlite:${target}`]);
		assert.match(r.stdout, /base restaurée : .* 1 appliquées\)/);
		const tables = (await sqlite(target, "SELECT name FROM sqlite_master WHERE type = 'table'")).map((x) => x[0]);
		assert.ok(tables.includes('login_throttle') && !tables.includes('login_failures'));
		assert.deepEqual(await sqlite(target, "SELECT COUNT(*) FROM schema_migrations WHERE version = '0016_login_throttle'"), [['1']]);
		assert.deepEqual(await sqlite(b, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'login_throttle'"), [['0']], 'the backup file is left as it was');
	});

	test('--help of both commands', async () => {
		const b = await clr(['backup', '--help']);
		assert.match(b.stdout, /usage: clr backup/);
		assert.match(b.stdout, /pg_dump/);
		const r = await clr(['restore', '--help']);
		assert.match(r.stdout, /usage: clr restore --from FILE/);
		const all = await clr(['--help']);
		assert.match(all.stdout, /backup/);
		assert.match(all.stdout, /restore/);
		assert.match(all.stdout, /copy/);
	});
});

describe('clr backup on PostgreSQL', () => {
	test('explains pg_dump and pg_basebackup instead of copying', async (t) => {
		const url = PG_URL || 'postgresql://clr@db.invalid/clr';
		const r = await run(BIN, ['backup', '--db', url, '--to', join(tmpdir(), 'never.db')]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /pg_dump --format=custom/);
		assert.match(r.stderr, /pg_basebackup/);
		const s = await run(BIN, ['restore', '--db', url, '--from', join(tmpdir(), 'never.db')]);
		assert.equal(s.code, 2);
		assert.match(s.stderr, /pg_restore/);
	});
});
