// `kill -9` of `clr serve` in the middle of the two largest transactions
// (issue « Survive overload, abuse and faults »), on SQLite and on PostgreSQL:
// the confirmation of a 30 000-line candidates import (credentials e-mails
// asked for) and « Valider l'attribution » of 6 000 candidates. The server is
// killed once its transaction has been open for a while (SQLite: the write
// lock held 250 ms on end; PostgreSQL: a backend of the database with a
// transaction id for 250 ms), before the answer. After a restart: all or
// nothing (no candidate, certification, session or batch half-created), each
// stock balance equal to the sum of its ledger movements, candidate_counts
// equal to a recount, the outbox holding exactly one e-mail per candidate or
// certification created and none for anything else; then the same form
// again completes the work, once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, loggedIn, textOf, unescapeHtml, clr, run, sqlRows, uniqueEmail, PASSWORD, PG_URL } from '../lib/server.mjs';
import { serveOn, importFile, uploadImport, confirmUrl, checkInvariants } from '../lib/faults.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** Whether a write transaction has been open on the database for ms milliseconds. */
async function txOpen(dbUrl) {
	if (dbUrl.startsWith('sqlite:')) {
		// the write lock: BEGIN IMMEDIATE fails at once while another connection holds it
		const r = await run('sqlite3', [dbUrl.slice(7), 'BEGIN IMMEDIATE; ROLLBACK;']);
		return r.code !== 0 && /locked|busy/i.test(r.stderr);
	}
	const r = await run('psql', ['-X', '-q', '-At', '-d', dbUrl, '-c',
		`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
		 AND backend_xid IS NOT NULL`]);
	return r.code === 0 && +r.stdout.trim() > 0;
}

/**
 * POSTs with fire() (a promise), waits until a write transaction has been
 * open for heldMs on end, then kills the server with SIGKILL. Returns how
 * the request ended ({status} or {error}) and how long the transaction had
 * been watched open.
 */
async function killDuring(srv, dbUrl, fire, { heldMs = 250, timeout = 60000 } = {}) {
	let outcome = null;
	const req = fire().then((r) => (outcome = { status: r.status }), (e) => (outcome = { error: e.message }));
	const t0 = Date.now();
	let since = 0;
	while (!outcome && Date.now() - t0 < timeout) {
		if (await txOpen(dbUrl)) {
			since = since || Date.now();
			if (Date.now() - since >= heldMs) break;
		} else {
			since = 0;
		}
		await sleep(20);
	}
	const held = since ? Date.now() - since : 0;
	await srv.kill('SIGKILL');
	await req;
	return { outcome, held };
}

/** The picker's hidden fields (the assignment form). */
function hiddenFields(html) {
	const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(html);
	assert.ok(f, 'the assignment form');
	const out = {};
	for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]] = unescapeHtml(m[2]);
	return out;
}

function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

describe(`kill -9 of clr serve in the middle of a large transaction (${PG_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
	let db, srv, tmp;
	const env = { CLR_MAIL_POLL_MS: '60000' }; // the mail worker stays out of the way (and out of the write lock)

	before(async () => {
		db = await freshDatabase();
		tmp = mkdtempSync(join(tmpdir(), 'clr-crash-'));
		env.CLR_MAIL_DIR = join(tmp, 'mail');
		await clr(['migrate', '--db', db.url]);
		srv = await serveOn(db.url, { env });
	});
	after(async () => {
		await srv?.stop();
		rmSync(tmp, { recursive: true, force: true });
		db?.cleanup();
	});

	async function admin(org) {
		const a = { org, email: uniqueEmail('crash'), password: PASSWORD };
		await clr(['admin', 'create', '--db', db.url, '--org', org, '--email', a.email, '--password', a.password]);
		return a;
	}
	const sql = (query) => sqlRows({ dbUrl: db.url }, query);

	test('during the confirmation of a 30 000-line import: nothing, then everything once', async (t) => {
		const org = 'Lycée Import Interrompu';
		const a = await admin(org);
		let c = await loggedIn(srv, a);
		const report = await uploadImport(c, await importFile(30000, join(tmp, 'c.csv')));
		assert.equal(report.status, 200, textOf(report.text).slice(0, 300));
		const url = confirmUrl(report.text);
		const valid = +textOf(/id="import-valid">([^<]*)</.exec(report.text)[1]).replace(/\s/g, '');
		assert.ok(valid > 29000, `valid lines: ${valid}`);

		const { outcome, held } = await killDuring(srv, db.url, () => c.post(url, { send_credentials: 'oui' }));
		t.diagnostic(`killed after the transaction was seen open ${held} ms; the request: ${JSON.stringify(outcome)}`);
		assert.ok(held > 0 && !outcome?.status, `killed before the answer (${JSON.stringify(outcome)})`);

		srv = await serveOn(db.url, { env });
		const inv = await checkInvariants({ dbUrl: db.url }, org);
		assert.equal(inv.candidates, 0, 'no candidate of the interrupted import');
		assert.equal(inv.outbox, 0, 'no credentials e-mail');
		const [[audit, pending]] = await sql(`SELECT
			(SELECT COUNT(*) FROM audit_log l JOIN organisations o ON o.id = l.org_id WHERE o.name = ${q(org)} AND l.action LIKE 'candidate.%'),
			(SELECT COUNT(*) FROM candidate_imports i JOIN organisations o ON o.id = i.org_id WHERE o.name = ${q(org)})`);
		assert.equal(audit, '0', 'no audit row');
		assert.equal(pending, '1', 'the import still waits for its confirmation');
		if (db.url.startsWith('sqlite:')) {
			const ic = await run('sqlite3', [db.url.slice(7), 'PRAGMA integrity_check']);
			assert.equal(ic.stdout.trim(), 'ok');
		}

		// the same confirmation, after the restart
		c = await loggedIn(srv, a);
		const again = await c.post(url, { send_credentials: 'oui' });
		assert.equal(again.status, 303, textOf(again.text).slice(0, 300));
		const inv2 = await checkInvariants({ dbUrl: db.url }, org);
		assert.equal(inv2.candidates, valid, 'every valid line, once');
		const [[creds, audit2]] = await sql(`SELECT
			(SELECT COUNT(*) FROM outbox m JOIN organisations o ON o.id = m.org_id WHERE o.name = ${q(org)} AND m.kind = 'candidate.credentials'),
			(SELECT COUNT(*) FROM audit_log l JOIN organisations o ON o.id = l.org_id WHERE o.name = ${q(org)} AND l.action = 'candidate.create')`);
		assert.equal(+creds, valid, 'one credentials e-mail per candidate');
		assert.equal(+audit2, valid, 'one audit row per candidate');
		assert.equal((await c.post(url, {})).status, 404, 'confirmed once');
	});

	test('during « Valider l’attribution » of 6 000 candidates: nothing, then everything once', async (t) => {
		const org = 'Centre Attribution Interrompue';
		const N = 6000;
		const a = await admin(org);
		await clr(['demo', '--db', db.url, '--candidates', String(N), '--org', org]);
		await clr(['stock', 'credit', '--db', db.url, '--org', org, '--product', 'PART-CLR-EXAMEN', '--qty', String(N), '--reason', 'test']);
		const [[product]] = await sql(`SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'`);
		const ids = (await sql(`SELECT k.id FROM candidates k JOIN organisations o ON o.id = k.org_id WHERE o.name = ${q(org)} ORDER BY k.id`)).map((r) => r[0]);
		assert.equal(ids.length, N);
		let c = await loggedIn(srv, a);
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: product, date: frDate(20), heure: '09:00', lieu: 'Amphi A' }));
		assert.equal(page.status, 200);
		const hidden = hiddenFields(page.text);
		delete hidden.csrf; // the session's own, added by the client (a new one after the restart's login)
		const form = () => {
			const p = new URLSearchParams(hidden);
			for (const id of ids) p.append('ids', id);
			return p.toString();
		};
		const post = (cl) => cl.post('/certifications/surveillance', form());

		const { outcome, held } = await killDuring(srv, db.url, () => post(c));
		t.diagnostic(`killed after the transaction was seen open ${held} ms; the request: ${JSON.stringify(outcome)}`);
		assert.ok(held > 0 && !outcome?.status, `killed before the answer (${JSON.stringify(outcome)})`);

		srv = await serveOn(db.url, { env });
		const inv = await checkInvariants({ dbUrl: db.url }, org);
		assert.equal(inv.certifications, 0, 'no certification of the interrupted batch');
		assert.equal(inv.outbox, 0, 'no notice');
		const [[batches, sessions, stock, lots, planned]] = await sql(`SELECT
			(SELECT COUNT(*) FROM certification_batches b JOIN organisations o ON o.id = b.org_id WHERE o.name = ${q(org)}),
			(SELECT COUNT(*) FROM exam_sessions s JOIN organisations o ON o.id = s.org_id WHERE o.name = ${q(org)}),
			(SELECT b.qty FROM stock_balances b JOIN organisations o ON o.id = b.org_id WHERE o.name = ${q(org)} AND b.product_id = ${product}),
			(SELECT COUNT(*) FROM stock_movements m JOIN organisations o ON o.id = m.org_id WHERE o.name = ${q(org)} AND m.ref LIKE 'lot:%'),
			(SELECT COUNT(*) FROM candidates k JOIN organisations o ON o.id = k.org_id WHERE o.name = ${q(org)} AND k.status <> 'to_assign')`);
		assert.deepEqual([batches, sessions, stock, lots, planned], ['0', '0', String(N), '0', '0'],
			'no batch, no session, the stock whole, no movement, every candidate « À attribuer »');

		// the same form (same token), after the restart
		c = await loggedIn(srv, a);
		const again = await post(c);
		assert.equal(again.status, 303, textOf(again.text).slice(0, 300));
		assert.match(again.headers.get('location') || '', /^\/certifications\/lots\/\d+$/);
		const inv2 = await checkInvariants({ dbUrl: db.url }, org);
		assert.equal(inv2.certifications, N, 'every candidate, once');
		const [[stock2, lots2, planned2, notices]] = await sql(`SELECT
			(SELECT b.qty FROM stock_balances b JOIN organisations o ON o.id = b.org_id WHERE o.name = ${q(org)} AND b.product_id = ${product}),
			(SELECT COUNT(*) FROM stock_movements m JOIN organisations o ON o.id = m.org_id WHERE o.name = ${q(org)} AND m.ref LIKE 'lot:%'),
			(SELECT COUNT(*) FROM candidates k JOIN organisations o ON o.id = k.org_id WHERE o.name = ${q(org)} AND k.status = 'planned'),
			(SELECT COUNT(*) FROM outbox m JOIN organisations o ON o.id = m.org_id WHERE o.name = ${q(org)} AND m.kind = 'candidate.certification')`);
		assert.deepEqual([stock2, lots2, planned2, notices], ['0', '1', String(N), String(N)],
			'the stock spent by one movement, every candidate « Prévue », one notice each');
		const twice = await post(c);
		assert.equal(twice.status, 303, 'the same form again finds the batch');
		assert.equal((await checkInvariants({ dbUrl: db.url }, org)).certifications, N, 'and changes nothing');
	});
});
