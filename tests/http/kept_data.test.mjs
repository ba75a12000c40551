// Page data kept across requests (db_keep_version, migration 0020): on
// PostgreSQL a server answers the small reads of « Accueil » and of the
// list (stock, counters, groups, the alert threshold, the list's version)
// from memory while the organisation's version, read with the session's
// row, has not moved.  Server A keeps; server B, the CLI or the database
// itself writes: A must show every write at once, on both backends.  On
// PostgreSQL a warm « Accueil » and list take one round trip.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newAdmin, loggedIn, Client, sqlRows, textOf, clr, uniqueEmail, BACKEND } from '../lib/server.mjs';

/** The session cookie of C copied into a client of another server. */
function sameSession(c, url) {
	const o = new Client(url);
	for (const [k, v] of c.cookies) o.cookies.set(k, v);
	o.csrf = c.csrf;
	return o;
}

/** The text of PATH, read N times (every server thread sees it). */
async function texts(c, path, n = 4) {
	const out = [];
	for (let i = 0; i < n; i++) {
		const r = await c.get(path);
		assert.equal(r.status, 200, path);
		out.push(textOf(r.text));
	}
	return out;
}

/** « Certifications restantes N », « Candidats N », « Groupes N » of « Accueil ». */
function tiles(text) {
	const n = (re) => {
		const m = text.match(re);
		return m ? Number(m[1].replace(/\s/g, '')) : NaN;
	};
	return {
		stock: n(/Certifications restantes\s+([\d\s]+?)\s/),
		candidates: n(/Candidats\s+([\d\s]+?)\s+\d/),
		groups: n(/Groupes\s+(\d+)/),
		threshold: n(/seuil d'alerte est de\s+(\d+)/),
	};
}

describe('page data kept across requests', () => {
	let A, B, admin, a, b;
	before(async () => {
		A = await startServer();
		B = await startServer({ db: A.dbUrl });
		admin = await newAdmin(A);
		a = await loggedIn(A, admin);
		b = sameSession(a, B.url);
		assert.equal((await b.get('/accueil')).status, 200);
	});
	after(async () => {
		await A?.stop();
		await B?.stop();
	});

	test('a group created on another server: « Accueil » and the list filter show it at once', async () => {
		for (const t of await texts(a, '/accueil')) assert.equal(tiles(t).groups, 0);
		await texts(a, '/candidats');
		const r = await b.post('/groupes/nouveau', { name: 'Gardé nulle part', category: 'client' });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		for (const t of await texts(a, '/accueil')) assert.equal(tiles(t).groups, 1, 'the group of server B');
		for (const t of await texts(a, '/candidats')) assert.match(t, /Gardé nulle part/);
	});

	test('stock credited by the CLI, threshold changed on another server: at once', async () => {
		for (const t of await texts(a, '/accueil')) assert.equal(tiles(t).stock, 0);
		await clr(['stock', 'credit', '--db', A.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '3', '--reason', 'test']);
		for (const t of await texts(a, '/accueil')) {
			assert.equal(tiles(t).stock, 3, 'the credit of the CLI');
			assert.equal(tiles(t).threshold, 5);
		}
		const s = await b.post('/compte/alerte-stock', { threshold: '40' });
		assert.equal(s.status, 303);
		for (const t of await texts(a, '/accueil')) assert.equal(tiles(t).threshold, 40, 'the threshold of server B');
	});

	test('candidates written in the database: the counters at once', async () => {
		const before = tiles((await texts(a, '/accueil'))[0]).candidates;
		const [[org]] = await sqlRows(A, `SELECT org_id FROM users WHERE email = '${admin.email}'`);
		const c = await b.post('/candidats/nouveau', {
			civility: 'madame', last_name: 'Gardée', birth_name: '', first_name: 'Aline', email: uniqueEmail('aline'),
			birth_date: '14/07/1990', birth_postal_code: '42000', birth_city: 'St Etienne', birth_country: 'FR', action: 'next',
		});
		assert.equal(c.status, 303, `candidate created on B: ${textOf(c.text).slice(0, 300)}`);
		let [[n]] = await sqlRows(A, `SELECT COUNT(*) FROM candidates WHERE org_id = ${org}`);
		for (const t of await texts(a, '/accueil')) assert.equal(tiles(t).candidates, +n, 'the candidate of server B');
		assert.ok(+n >= before);
		await sqlRows(A, `DELETE FROM candidates WHERE org_id = ${org}`);
		for (const t of await texts(a, '/accueil')) assert.equal(tiles(t).candidates, 0, 'deleted in the database');
	});

	test('a warm « Accueil » and list: one round trip (PostgreSQL)', async (t) => {
		if (BACKEND !== 'pg') return t.skip('round trips are counted on PostgreSQL');
		await texts(a, '/accueil', 8);
		await texts(a, '/candidats', 8);
		await new Promise((r) => setTimeout(r, 200));
		for (const path of ['/accueil', '/candidats']) {
			const re = new RegExp(`path=${path} status=200 dur_ms=[0-9.]+ db_trips=(\\d+)`, 'g');
			const trips = [...A.stderr().matchAll(re)].map((m) => +m[1]);
			assert.ok(trips.length >= 8, A.stderr().slice(-1500));
			assert.equal(Math.min(...trips.slice(-6)), 1, `db_trips of ${path}: ${trips}`);
			assert.ok(Math.max(...trips.slice(-4)) <= 1, `db_trips of ${path}: ${trips}`);
		}
	});
});
