// Outgoing e-mail (issue 3): the outbox, SMTP delivery against a real SMTP
// server on loopback (aiosmtpd), retries, crash recovery, the .eml fallback,
// the back office « Courriels » screen and `clr mail`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase, freePort, newAdmin, newStaff, loggedIn, textOf, forms, inputValue, Client, uniqueEmail } from '../lib/server.mjs';
import {
	startSink, serve, mailEnv, queueTest, outbox, parseMail, waitFor, sleep, killAll, sql, tempDir, rmDir, clr, PG_URL,
} from '../lib/mail.mjs';

const SUBJECT = 'Message d’essai — Certification Le Robert : accents « éèàçô »';

/** A fresh migrated database: {url, cleanup}. */
async function database() {
	const d = await freshDatabase();
	await clr(['migrate', '--db', d.url]);
	return d;
}

/** Each recipient of the sink's messages, counted. */
function recipients(sink) {
	const n = new Map();
	for (const m of sink.messages()) for (const r of m.envelope.rcpt_tos) n.set(r, (n.get(r) || 0) + 1);
	return n;
}

describe('a message through SMTP', () => {
	let db, sink, srv, id, parsed, raw;
	const to = uniqueEmail('zoe');
	const org = `École Lefèvre ${Date.now()}`;

	before(async () => {
		db = await database();
		sink = await startSink();
		srv = await serve(db.url, mailEnv({ CLR_SMTP_URL: `smtp://127.0.0.1:${sink.port}` }));
		id = await queueTest(db.url, { to, org, name: 'Zoé Lefèvre' });
		await waitFor(() => sink.files().length >= 1, { what: 'the message at the SMTP sink' });
		const msg = sink.messages()[0];
		raw = msg.raw;
		parsed = await parseMail(msg.file);
		parsed.envelope = msg.envelope;
		await waitFor(async () => (await outbox(db.url)).find((m) => m.id === id && m.status === 'sent'), {
			what: 'status sent',
		});
	});
	after(async () => {
		await srv?.stop();
		await sink?.stop();
		await killAll();
		if (sink) rmDir(sink.dir);
		db?.cleanup();
	});

	test('headers: From, To, Subject with accents (RFC 2047), Date, Message-ID, MIME-Version', () => {
		const h = parsed.headers;
		assert.equal(h.Subject, SUBJECT);
		assert.match(parsed.raw_headers.Subject, /^=\?UTF-8\?[BQ]\?/i, 'the subject is encoded on the wire');
		assert.equal(h.From, 'Certification Le Robert <no-reply@certification-lerobert.test>');
		assert.equal(h.To, `Zoé Lefèvre <${to}>`);
		assert.match(h['Message-ID'], /^<[^<>@\s]+@certification-lerobert\.test>$/);
		assert.equal(h['MIME-Version'], '1.0');
		const date = Date.parse(h.Date);
		assert.ok(Number.isFinite(date), `Date parses: ${h.Date}`);
		assert.ok(Math.abs(date - Date.now()) < 10 * 60 * 1000, 'Date is now');
		assert.deepEqual(parsed.defects, [], 'no MIME defect');
	});

	test('envelope: the sender address alone, the one recipient', () => {
		assert.equal(parsed.envelope.mail_from, 'no-reply@certification-lerobert.test');
		assert.deepEqual(parsed.envelope.rcpt_tos, [to]);
	});

	test('structure: mixed(alternative(plain, html), .ics attachment), 7-bit, short lines', () => {
		assert.equal(parsed.tree, 'multipart/mixed(multipart/alternative(text/plain,text/html),text/calendar)');
		assert.equal(parsed.lines.eight_bit, false);
		assert.equal(parsed.lines.bare_lf, 0);
		assert.ok(parsed.lines.max <= 78, `longest line ${parsed.lines.max}`);
		const [plain, html, ics] = parsed.parts;
		assert.equal(plain.charset, 'utf-8');
		assert.equal(html.charset, 'utf-8');
		const text = plain.content.replace(/\r\n/g, '\n');
		assert.match(text, /^Bonjour Zoé Lefèvre,/);
		assert.ok(text.includes('les accents (é, è, à, ç, ô, œ)'), text);
		assert.ok(html.content.includes('<strong>message d’essai</strong>'));
		assert.equal(ics.filename, 'invitation.ics');
		assert.equal(ics.disposition, 'attachment');
		assert.equal(ics.cte, 'base64');
		assert.match(ics.content, /^BEGIN:VCALENDAR\r\n/);
		assert.ok(ics.content.includes('END:VCALENDAR'));
		// base64 lines of at most 76 characters
		const b64 = raw.toString('latin1').split('Content-Transfer-Encoding: base64\r\n\r\n')[1].split('\r\n--')[0];
		for (const l of b64.split('\r\n').filter(Boolean)) assert.ok(l.length <= 76 && /^[A-Za-z0-9+/=]+$/.test(l));
	});

	test('what was delivered is the stored message, byte for byte (nothing filled in at sending)', async () => {
		const rows = await sql(db.url, `SELECT COUNT(*) FROM outbox WHERE id = ${id} AND status = 'sent'`);
		assert.deepEqual(rows, ['1']);
		const show = await clr(['mail', 'show', String(id), '--db', db.url], { env: mailEnv() });
		const stored = show.stdout.slice(show.stdout.indexOf('\n\n') + 2);
		assert.ok(raw.toString('latin1').includes(stored.split('\r\n\r\n').slice(1).join('\r\n\r\n').slice(0, 2000)),
			'the body sent is the body stored');
		assert.ok(!show.stdout.includes('{{secret'), 'no placeholder');
	});

	test('the back office lists it: « Envoyé », organisation, recipient, subject; filters in the URL', async () => {
		const staff = await newStaff({ createStaff: (o) => clr(['staff', 'create', '--db', db.url, '--email', o.email, '--password', o.password]) });
		const c = await loggedIn(srv, staff);
		const r = await c.get('/backoffice/courriels');
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		assert.ok(r.text.includes('href="/backoffice/courriels" aria-current="page"'), 'nav « Courriels » current');
		const row = new RegExp(`<tr data-id="${id}" data-status="sent">([\\s\\S]*?)</tr>`).exec(r.text);
		assert.ok(row, 'a row for the message');
		const rt = textOf(row[1]);
		for (const s of [org, to, SUBJECT, 'Envoyé']) assert.ok(rt.includes(s), `row shows ${s}: ${rt}`);
		assert.match(rt, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} /, 'date jj/mm/aaaa HH:MM');
		// filters
		const f1 = await c.get('/backoffice/courriels?status=failed');
		assert.ok(!f1.text.includes(`data-id="${id}"`), 'status filter');
		assert.ok(textOf(f1.text).includes('Aucun courriel ne correspond à ces critères.'));
		assert.ok(/<option value="failed" selected>Échec<\/option>/.test(f1.text), 'the filter is kept');
		const f2 = await c.get(`/backoffice/courriels?to=${encodeURIComponent(to.slice(0, 8))}`);
		assert.ok(f2.text.includes(`data-id="${id}"`), 'recipient filter');
		assert.equal(inputValue(f2.text, 'to'), to.slice(0, 8));
		const f3 = await c.get(`/backoffice/courriels?org=${encodeURIComponent('Lefèvre')}&status=sent`);
		assert.ok(f3.text.includes(`data-id="${id}"`), 'organisation filter');
		const f4 = await c.get(`/backoffice/courriels?org=${encodeURIComponent('Nulle part')}`);
		assert.ok(!f4.text.includes(`data-id="${id}"`));
	});

	test('the back office is staff-only: an administrator gets 403, anonymous is sent to /connexion', async () => {
		const admin = await newAdmin({ createAdmin: (o) => clr(['admin', 'create', '--db', db.url, '--org', o.org, '--email', o.email, '--password', o.password]) });
		const c = await loggedIn(srv, admin);
		assert.equal((await c.get('/backoffice/courriels')).status, 403);
		const anon = new Client(srv.url);
		const r = await anon.get('/backoffice/courriels');
		assert.ok([302, 303].includes(r.status), `anonymous: ${r.status}`);
		assert.match(r.headers.get('location') || '', /^\/connexion/);
	});

	test('an invalid recipient is refused when the message is created', async () => {
		const r = await clr(['mail', 'test', '--db', db.url, '--to', 'pas-une-adresse'], { env: mailEnv(), allowFail: true });
		assert.notEqual(r.code, 0);
		assert.ok(r.stderr.includes('Adresse de courriel du destinataire invalide.'), r.stderr);
		const all = await outbox(db.url);
		assert.ok(!all.some((m) => m.to === 'pas-une-adresse'), 'nothing stored');
	});
});

describe('SMTP down while mail is queued, then up', () => {
	let db, sink, srv, port;
	const tos = [1, 2, 3, 4, 5].map((i) => uniqueEmail(`attente${i}`));

	before(async () => {
		db = await database();
		port = await freePort(); // nothing listens there yet
		srv = await serve(db.url, mailEnv({ CLR_SMTP_URL: `smtp://127.0.0.1:${port}` }));
	});
	after(async () => {
		await srv?.stop();
		await sink?.stop();
		await killAll();
		if (sink) rmDir(sink.dir);
		db?.cleanup();
	});

	test('failures are retried with the error visible, then each message arrives exactly once', async () => {
		for (const to of tos) await queueTest(db.url, { to });
		// every message tried at least once and waiting, with the network error
		const waiting = await waitFor(
			async () => {
				const l = await outbox(db.url);
				return l.length === 5 && l.every((m) => m.attempts >= 1 && m.status === 'pending' && m.error !== '-') && l;
			},
			{ what: 'a first failed attempt on each message' },
		);
		assert.match(waiting[0].error, /connect/i);
		assert.ok(!(await outbox(db.url, { status: 'sent' })).length);

		sink = await startSink({ port });
		await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === 5, {
			what: 'all five sent',
			timeout: 30000,
		});
		await sleep(1500); // time for any duplicate to show up
		const n = recipients(sink);
		assert.equal(sink.files().length, 5);
		for (const to of tos) assert.equal(n.get(to), 1, `${to} received once`);
	});
});

describe('a server answering 5xx, then « Renvoyer »', () => {
	let db, sink, srv, id, staffClient;
	const to = uniqueEmail('refus');

	before(async () => {
		db = await database();
		sink = await startSink({ reject: '550 5.1.1 Destinataire inconnu ici' });
		srv = await serve(db.url, mailEnv({ CLR_SMTP_URL: `smtp://127.0.0.1:${sink.port}` }));
		const staff = { email: uniqueEmail('staff'), password: 'Motdepasse-solide-42' };
		await clr(['staff', 'create', '--db', db.url, '--email', staff.email, '--password', staff.password]);
		staffClient = await loggedIn(srv, staff);
	});
	after(async () => {
		await srv?.stop();
		await sink?.stop();
		await killAll();
		if (sink) rmDir(sink.dir);
		db?.cleanup();
	});

	test('the message fails with the server’s answer, shown to staff', async () => {
		id = await queueTest(db.url, { to });
		const m = await waitFor(async () => (await outbox(db.url, { status: 'failed' })).find((x) => x.id === id), {
			what: 'status failed',
		});
		assert.ok(m.error.includes('550 5.1.1 Destinataire inconnu ici'), m.error);
		const r = await staffClient.get('/backoffice/courriels?status=failed');
		const row = new RegExp(`<tr data-id="${id}" data-status="failed">([\\s\\S]*?)</tr>`).exec(r.text);
		assert.ok(row, 'row listed');
		assert.ok(textOf(row[1]).includes('Échec'));
		assert.ok(textOf(row[1]).includes('550 5.1.1 Destinataire inconnu ici'));
		const f = forms(row[1]).find((x) => x.action === `/backoffice/courriels/${id}/renvoyer`);
		assert.ok(f && f.method === 'post', '« Renvoyer » form');
		assert.ok(textOf(f.body).includes('Renvoyer'));
		assert.equal(sink.files().length, 0);
	});

	test('« Renvoyer » needs the CSRF token, then the message is sent once', async () => {
		const bad = await staffClient.post(`/backoffice/courriels/${id}/renvoyer`, { csrf: 'faux' });
		assert.equal(bad.status, 403);
		const none = await staffClient.post(`/backoffice/courriels/${id}/renvoyer`, {}, { csrf: false });
		assert.equal(none.status, 403);
		assert.equal((await outbox(db.url, { status: 'failed' })).length, 1, 'still failed');

		// the server now accepts mail
		await sink.stop();
		const port = sink.port;
		rmDir(sink.dir);
		sink = await startSink({ port });

		await staffClient.get('/backoffice/courriels?status=failed');
		const ok = await staffClient.post(`/backoffice/courriels/${id}/renvoyer`, { status: 'failed' });
		assert.equal(ok.status, 303);
		assert.equal(ok.headers.get('location'), '/backoffice/courriels?status=failed', 'filters kept');
		await waitFor(async () => (await outbox(db.url, { status: 'sent' })).find((x) => x.id === id), { what: 'sent' });
		await sleep(500);
		assert.deepEqual([...recipients(sink)], [[to, 1]]);
		const page = await staffClient.get('/backoffice/courriels');
		assert.ok(textOf(page.text).includes('Le courriel sera renvoyé dans quelques instants.'));
		// a message that is not failed cannot be re-sent
		const again = await staffClient.post(`/backoffice/courriels/${id}/renvoyer`, {});
		assert.equal(again.status, 303);
		const p2 = await staffClient.get('/backoffice/courriels');
		assert.ok(textOf(p2.text).includes('n’est pas en échec'));
		assert.equal((await staffClient.post('/backoffice/courriels/999999/renvoyer', {})).status, 404);
		// the CLI sees the same
		const cli = await clr(['mail', 'retry', String(id), '--db', db.url], { env: mailEnv(), allowFail: true });
		assert.notEqual(cli.code, 0);
		assert.ok(cli.stderr.includes('has not failed'));
	});
});

describe('clr serve killed with SIGKILL while messages are queued', () => {
	let db, sink, srv;
	const tos = [1, 2, 3, 4].map((i) => uniqueEmail(`crash${i}`));
	const env = () => mailEnv({ CLR_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, CLR_MAIL_LEASE_S: '4' });

	before(async () => {
		db = await database();
		// a slow server: each RCPT waits 1.5 s, so the kill lands mid-session
		sink = await startSink({ delayRcpt: 1.5 });
	});
	after(async () => {
		await srv?.stop();
		await sink?.stop();
		await killAll();
		if (sink) rmDir(sink.dir);
		db?.cleanup();
	});

	test('after a restart every message arrives, none twice', async () => {
		for (const to of tos) await queueTest(db.url, { to });
		srv = await serve(db.url, env());
		await waitFor(async () => (await outbox(db.url, { status: 'sending' })).length > 0, {
			what: 'a message being sent',
			interval: 20,
		});
		await srv.kill('SIGKILL');
		const mid = await outbox(db.url);
		assert.ok(mid.some((m) => m.status === 'sending'), 'a claim is left behind by the dead process');
		assert.ok(sink.files().length < 4, 'killed before everything went out');

		srv = await serve(db.url, env());
		await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === 4, {
			what: 'all four sent after the restart',
			timeout: 40000,
		});
		await sleep(1000);
		const n = recipients(sink);
		assert.equal(sink.files().length, 4, `received: ${JSON.stringify([...n])}`);
		for (const to of tos) assert.equal(n.get(to), 1, `${to} received once`);
	});
});

describe('without CLR_SMTP_URL: .eml files', () => {
	let db, srv, dir;
	before(async () => {
		db = await database();
		dir = join(tempDir(), 'courriels');
		srv = await serve(db.url, mailEnv({ CLR_SMTP_URL: undefined, CLR_MAIL_DIR: dir }));
	});
	after(async () => {
		await srv?.stop();
		await killAll();
		rmDir(join(dir, '..'));
		db?.cleanup();
	});

	test('each message is written as ID-KIND.eml, complete and readable', async () => {
		const id = await queueTest(db.url, { to: uniqueEmail('eml'), name: 'Zoé' });
		const file = join(dir, `${id}-mail.test.eml`);
		await waitFor(() => existsSync(file), { what: file });
		assert.deepEqual(readdirSync(dir), [`${id}-mail.test.eml`], 'no temporary file left');
		const p = await parseMail(file);
		assert.equal(p.headers.Subject, SUBJECT);
		assert.equal(p.tree, 'multipart/mixed(multipart/alternative(text/plain,text/html),text/calendar)');
		assert.match(p.parts[0].content, /^Bonjour Zoé,/);
		await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === 1, { what: 'sent' });
	});
});

describe('two clr serve on one PostgreSQL', { skip: !PG_URL && 'PostgreSQL only (CLR_TEST_PG_URL)' }, () => {
	let db, sink, a, b;
	const tos = Array.from({ length: 24 }, (_, i) => uniqueEmail(`pg${i}`));
	before(async () => {
		db = await database();
		sink = await startSink();
	});
	after(async () => {
		await a?.stop();
		await b?.stop();
		await sink?.stop();
		await killAll();
		if (sink) rmDir(sink.dir);
		db?.cleanup();
	});

	test('each message is delivered once', async (t) => {
		// both workers are polling while the messages come in: they compete for every row
		const env = mailEnv({ CLR_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, CLR_MAIL_POLL_MS: '20' });
		[a, b] = await Promise.all([serve(db.url, env), serve(db.url, env)]);
		await Promise.all(tos.map((to) => queueTest(db.url, { to })));
		await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === tos.length, {
			what: 'all sent',
			timeout: 40000,
		});
		await sleep(1000);
		const n = recipients(sink);
		assert.equal(sink.files().length, tos.length);
		for (const to of tos) assert.equal(n.get(to), 1, `${to} received once`);
		// what each process says it sent adds up to one delivery per message
		const sentBy = [a, b].map((s) => (s.stderr().match(/msg="mail sent"/g) || []).length);
		assert.equal(sentBy[0] + sentBy[1], tos.length, `sent by each process: ${sentBy}`);
		t.diagnostic(`messages sent by each process: ${sentBy.join(' + ')}`);
	});
});
