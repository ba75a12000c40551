// A server answers a known session's reads without a round trip of its own
// (session_load_deferred, db_defer): the session's row rides with the page's
// first statement and the answer is given again when it no longer holds.
// Server A remembers the session; server B, on the same database, or the
// database itself, changes it: A must see every change at once (logged out,
// expired, renamed, disabled), never serve a page to a dead session, and on
// PostgreSQL a warm « Groupes » takes one round trip (db_trips=1 in the log).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newAdmin, loggedIn, Client, sqlRows, textOf, BACKEND } from '../lib/server.mjs';

/** The session cookie of C copied into a client of another server. */
function sameSession(c, url) {
	const o = new Client(url);
	for (const [k, v] of c.cookies) o.cookies.set(k, v);
	return o;
}

/** GETs PATH N times (both server threads see it), returns the statuses. */
async function statuses(c, path, n = 6) {
	const out = [];
	for (let i = 0; i < n; i++) out.push((await c.get(path)).status);
	return out;
}

describe('a remembered session is checked with the page', () => {
	let A, B, admin;
	before(async () => {
		A = await startServer();
		B = await startServer({ db: A.dbUrl });
		admin = await newAdmin(A);
	});
	after(async () => {
		await A?.stop();
		await B?.stop();
	});

	test('logged out on another server: the next page is refused at once', async () => {
		const a = await loggedIn(A, admin);
		assert.deepEqual(await statuses(a, '/accueil'), [200, 200, 200, 200, 200, 200]);
		const b = sameSession(a, B.url);
		assert.equal((await b.get('/accueil')).status, 200);
		assert.equal((await b.logout()).status, 303);
		for (const s of await statuses(a, '/accueil')) assert.equal(s, 303, 'a logged-out session must not see « Accueil »');
		const r = await a.get('/groupes');
		assert.match(r.headers.get('location') || '', /^\/connexion\?suite=/);
	});

	test('renamed in the database: the next page shows the new name', async () => {
		const a = await loggedIn(A, admin);
		await statuses(a, '/groupes');
		await sqlRows(A, `UPDATE users SET name = 'Renommée Ailleurs' WHERE email = '${admin.email}'`);
		for (let i = 0; i < 4; i++) {
			const r = await a.get('/groupes');
			assert.equal(r.status, 200);
			assert.match(textOf(r.text), /Renommée Ailleurs/);
		}
	});

	test('idle too long or disabled: refused, and the form still needs a live session', async () => {
		const a = await loggedIn(A, admin);
		await statuses(a, '/candidats');
		const old = Math.floor(Date.now() / 1000) - 5 * 3600;
		await sqlRows(A, `UPDATE sessions SET seen_at = ${old}`);
		for (const s of await statuses(a, '/candidats', 4)) assert.equal(s, 303);
		const a2 = await loggedIn(A, admin);
		await statuses(a2, '/candidats');
		await sqlRows(A, `UPDATE users SET disabled = 1 WHERE email = '${admin.email}'`);
		for (const s of await statuses(a2, '/candidats', 4)) assert.equal(s, 303);
		try {
			const w = await a2.post('/groupes/nouveau', { name: 'Jamais créé', csrf: a2.csrf || 'x' });
			assert.equal(w.status, 403);
		} finally {
			await sqlRows(A, `UPDATE users SET disabled = 0 WHERE email = '${admin.email}'`);
		}
		assert.equal((await sqlRows(A, `SELECT COUNT(*) FROM groups WHERE name = 'Jamais créé'`))[0][0], '0');
	});

	test('organisation renamed, user made a proctor, e-mail changed in the database: at once', async () => {
		const a = await loggedIn(A, admin);
		await statuses(a, '/groupes');
		const [[org]] = await sqlRows(A, `SELECT org_id FROM users WHERE email = '${admin.email}'`);
		await sqlRows(A, `UPDATE organisations SET name = 'Organisation Renommée ${org}' WHERE id = ${org}`);
		for (let i = 0; i < 4; i++) assert.match(textOf((await a.get('/groupes')).text), new RegExp(`Organisation Renommée ${org}`));
		const email = `autre.${org}@example.fr`;
		await sqlRows(A, `UPDATE users SET email = '${email}' WHERE email = '${admin.email}'`);
		try {
			for (let i = 0; i < 4; i++) assert.match((await a.get('/compte')).text, new RegExp(email.replace('.', '\\.')));
			await sqlRows(A, `UPDATE users SET proctor = 1 WHERE email = '${email}'`);
			for (const s of await statuses(a, '/groupes', 4)) assert.notEqual(s, 200, 'a proctor has no « Groupes »');
		} finally {
			await sqlRows(A, `UPDATE users SET email = '${admin.email}', proctor = 0 WHERE email = '${email}'`);
		}
		assert.deepEqual(await statuses(a, '/groupes', 4), [200, 200, 200, 200]);
	});

	test('every session of the account closed in the database: refused at once', async () => {
		const a = await loggedIn(A, admin);
		await statuses(a, '/candidats');
		await sqlRows(A, `DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = '${admin.email}')`);
		for (const s of await statuses(a, '/candidats', 4)) assert.equal(s, 303);
	});

	test('a warm page: the session and the page in the same round trip (PostgreSQL)', async (t) => {
		if (BACKEND !== 'pg') return t.skip('round trips are counted on PostgreSQL');
		const a = await loggedIn(A, admin);
		await statuses(a, '/groupes', 8);
		await new Promise((r) => setTimeout(r, 200));
		const trips = [...A.stderr().matchAll(/path=\/groupes status=200 dur_ms=[0-9.]+ db_trips=(\d+)/g)].map((m) => +m[1]);
		assert.ok(trips.length >= 8, A.stderr().slice(-1500));
		assert.equal(Math.min(...trips), 1, `db_trips of /groupes: ${trips}`);
	});
});
