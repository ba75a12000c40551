// Outgoing e-mail over TLS (issue « Survive overload, abuse and faults »):
// real submission servers want STARTTLS on port 587 with AUTH, or TLS from
// the first byte on port 465. Against a local aiosmtpd (tests/lib/smtp_sink.py)
// with a self-signed certificate made here by openssl, which `clr` trusts
// through CLR_SMTP_CA_FILE (certificate verification stays on: no
// CLR_SMTP_INSECURE here): STARTTLS required + AUTH LOGIN, implicit TLS +
// AUTH PLAIN, each message received once, encrypted and authenticated. An
// untrusted certificate and a wrong password fail the delivery with a clear
// French line in the log, in the outbox's last_error and on the back office's
// « Courriels » page; the message is retried, and delivered once the cause is
// fixed. The password appears nowhere: not in the server's stderr, the outbox
// table, `clr mail show`, the .eml folder nor what the SMTP server received.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase, uniqueEmail, loggedIn, textOf, run, PASSWORD } from '../lib/server.mjs';
import { startSink, serve, mailEnv, queueTest, outbox, waitFor, sleep, killAll, sql, tempDir, rmDir, clr } from '../lib/mail.mjs';

const USER = 'envoi@certification-lerobert.test';
const SECRET = 'Mdp:SMTP/42@x!k9';       // needs URL encoding: ':' '/' '@' '!'
const WRONG = 'Mauvais-Mdp-Secret-77';
const url = (scheme, port, pass = SECRET) => `${scheme}://${encodeURIComponent(USER)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`;

/** A self-signed certificate for 127.0.0.1 / localhost: {cert, key}. */
async function certificate(dir, name) {
	const cert = join(dir, `${name}.pem`);
	const key = join(dir, `${name}.key`);
	const r = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
		'-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=localhost/O=${name}`,
		'-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
	if (r.code !== 0) throw new Error(`openssl failed: ${r.stderr}`);
	return { cert, key };
}

/** stop() a server unless it was stopped already (a test stops it before reading its whole stderr). */
async function stopOnce(srv) {
	if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop();
}

async function database() {
	const d = await freshDatabase();
	await clr(['migrate', '--db', d.url]);
	return d;
}

/** Everything the password must not appear in: stderr texts, the outbox table, `clr mail show`, files. */
async function assertNowhere(secrets, { db, stderrs, dirs, ids }) {
	const dump = (await sql(db.url, 'SELECT * FROM outbox')).join('\n');
	const shows = [];
	for (const id of ids) shows.push((await clr(['mail', 'show', String(id), '--db', db.url], { env: mailEnv() })).stdout);
	const files = [];
	for (const d of dirs) for (const f of readdirSync(d)) files.push(readFileSync(join(d, f), 'latin1'));
	for (const s of secrets) {
		const forms = [s, encodeURIComponent(s), Buffer.from(s).toString('base64')];
		for (const f of forms) {
			stderrs.forEach((e, i) => assert.ok(!e.includes(f), `server ${i}'s stderr holds the password (${f})`));
			assert.ok(!dump.includes(f), 'the outbox table holds the password');
			assert.ok(!shows.some((x) => x.includes(f)), '`clr mail show` prints the password');
			assert.ok(!files.some((x) => x.includes(f)), 'a file holds the password');
		}
	}
}

describe('SMTP over TLS', () => {
	let certs, trusted, untrusted;
	before(async () => {
		certs = tempDir('clr-tls-');
		trusted = await certificate(certs, 'trusted');
		untrusted = await certificate(certs, 'untrusted');
	});
	after(async () => {
		await killAll();
		rmDir(certs);
	});

	test('STARTTLS required on a submission port, AUTH LOGIN: received once, encrypted, authenticated', async () => {
		const db = await database();
		const sink = await startSink({ tls: { ...trusted, requireStarttls: true }, auth: `${USER}:${SECRET}`, authMechanism: 'LOGIN' });
		const mailDir = tempDir('clr-tls-eml-');
		const srv = await serve(db.url, mailEnv({
			CLR_SMTP_URL: url('smtp', sink.port), CLR_SMTP_STARTTLS: 'require', CLR_SMTP_CA_FILE: trusted.cert, CLR_MAIL_DIR: mailDir,
		}));
		try {
			const to = uniqueEmail('tls');
			const id = await queueTest(db.url, { to });
			await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === 1, { what: 'sent' });
			await sleep(300);
			const got = sink.messages();
			assert.equal(got.length, 1);
			assert.deepEqual(got[0].envelope.rcpt_tos, [to]);
			assert.equal(got[0].envelope.tls, true, 'over TLS');
			assert.deepEqual(got[0].envelope.auth, ['LOGIN', USER]);
			await srv.stop();
			await assertNowhere([SECRET], { db, stderrs: [srv.stderr()], dirs: [mailDir, sink.dir], ids: [id] });
		} finally {
			await stopOnce(srv);
			await sink.stop();
			rmDir(sink.dir);
			rmDir(mailDir);
			db.cleanup();
		}
	});

	test('implicit TLS (smtps), AUTH PLAIN: received once, encrypted, authenticated', async () => {
		const db = await database();
		const sink = await startSink({ tls: { ...trusted, implicit: true }, auth: `${USER}:${SECRET}`, authMechanism: 'PLAIN' });
		const srv = await serve(db.url, mailEnv({ CLR_SMTP_URL: url('smtps', sink.port), CLR_SMTP_CA_FILE: trusted.cert }));
		try {
			const to = uniqueEmail('smtps');
			await queueTest(db.url, { to });
			await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === 1, { what: 'sent' });
			await sleep(300);
			const got = sink.messages();
			assert.equal(got.length, 1);
			assert.equal(got[0].envelope.tls, true);
			assert.deepEqual(got[0].envelope.auth, ['PLAIN', USER]);
			await srv.stop();
			assert.ok(!srv.stderr().includes(SECRET));
		} finally {
			await stopOnce(srv);
			await sink.stop();
			rmDir(sink.dir);
			db.cleanup();
		}
	});

	test('certificates are verified by default: without CLR_SMTP_CA_FILE a self-signed one is refused', async () => {
		const db = await database();
		const sink = await startSink({ tls: { ...trusted, implicit: true } });
		try {
			await queueTest(db.url, { to: uniqueEmail('defaut') });
			const r = await clr(['mail', 'deliver', '--db', db.url], { env: mailEnv({ CLR_SMTP_URL: `smtps://127.0.0.1:${sink.port}` }) });
			assert.match(r.stdout, /^0 sent, 1 to retry, 0 failed$/m, r.stdout + r.stderr);
			const [m] = await outbox(db.url);
			assert.equal(m.status, 'pending');
			assert.match(m.error, /^Certificat du serveur SMTP non reconnu/);
			assert.equal(sink.files().length, 0);
		} finally {
			await sink.stop();
			rmDir(sink.dir);
			db.cleanup();
		}
	});

	test('an untrusted certificate: a clear line, retried, delivered once the server shows a trusted one', async (t) => {
		const db = await database();
		let sink = await startSink({ tls: { ...untrusted, requireStarttls: true }, auth: `${USER}:${SECRET}` });
		const port = sink.port;
		const srv = await serve(db.url, mailEnv({ CLR_SMTP_URL: url('smtp', port), CLR_SMTP_CA_FILE: trusted.cert }));
		try {
			const staff = { email: uniqueEmail('staff'), password: PASSWORD };
			await clr(['staff', 'create', '--db', db.url, '--email', staff.email, '--password', staff.password]);
			const id = await queueTest(db.url, { to: uniqueEmail('refus') });
			const m = await waitFor(async () => (await outbox(db.url)).find((x) => x.id === id && x.attempts >= 2 && x.status === 'pending'),
				{ what: 'two failed attempts' });
			assert.match(m.error, /^Certificat du serveur SMTP non reconnu .*: .*certificate/i, m.error);
			t.diagnostic(`last_error: ${m.error}`);
			assert.match(srv.stderr(), /msg="mail not sent" id=\d+ attempt=1 status=pending [^\n]*error="Certificat du serveur SMTP non reconnu/);
			const c = await loggedIn(srv, staff);
			const page = await c.get('/backoffice/courriels');
			const row = new RegExp(`<tr data-id="${id}" data-status="pending">([\\s\\S]*?)</tr>`).exec(page.text);
			assert.ok(row, 'listed in « Courriels »');
			assert.ok(textOf(row[1]).includes('Certificat du serveur SMTP non reconnu'), textOf(row[1]));
			assert.equal(sink.files().length, 0, 'nothing handed over an untrusted connection');
			// the server now shows the trusted certificate
			await sink.stop();
			rmDir(sink.dir);
			sink = await startSink({ port, tls: { ...trusted, requireStarttls: true }, auth: `${USER}:${SECRET}` });
			await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === 1, { what: 'sent', timeout: 30000 });
			await sleep(500);
			assert.equal(sink.files().length, 1, 'delivered once');
		} finally {
			await stopOnce(srv);
			await sink.stop();
			rmDir(sink.dir);
			db.cleanup();
		}
	});

	test('a wrong password: a clear line, retried, never written anywhere; delivered with the right one', async (t) => {
		const db = await database();
		const sink = await startSink({ tls: { ...trusted, requireStarttls: true }, auth: `${USER}:${SECRET}` });
		const mailDir = tempDir('clr-tls-eml-');
		const env = (pass) => mailEnv({ CLR_SMTP_URL: url('smtp', sink.port, pass), CLR_SMTP_CA_FILE: trusted.cert, CLR_MAIL_DIR: mailDir });
		let srv = await serve(db.url, env(WRONG));
		const stderrs = [];
		try {
			const staff = { email: uniqueEmail('staff'), password: PASSWORD };
			await clr(['staff', 'create', '--db', db.url, '--email', staff.email, '--password', staff.password]);
			const id = await queueTest(db.url, { to: uniqueEmail('mdp') });
			const m = await waitFor(async () => (await outbox(db.url)).find((x) => x.id === id && x.attempts >= 2 && x.status === 'pending'),
				{ what: 'two failed attempts, still pending' });
			assert.match(m.error, /^Authentification SMTP refusée .*: 535 /, m.error);
			t.diagnostic(`last_error: ${m.error}`);
			assert.match(srv.stderr(), /msg="mail not sent" [^\n]*status=pending [^\n]*error="Authentification SMTP refusée/);
			const c = await loggedIn(srv, staff);
			const page = await c.get('/backoffice/courriels');
			const row = new RegExp(`<tr data-id="${id}" data-status="pending">([\\s\\S]*?)</tr>`).exec(page.text);
			assert.ok(row && textOf(row[1]).includes('Authentification SMTP refusée'), 'the cause in « Courriels »');
			assert.equal(sink.files().length, 0);
			await srv.stop();
			stderrs.push(srv.stderr());
			// the configuration corrected: the same message goes out, once
			srv = await serve(db.url, env(SECRET));
			await waitFor(async () => (await outbox(db.url, { status: 'sent' })).length === 1, { what: 'sent', timeout: 30000 });
			await sleep(500);
			assert.equal(sink.files().length, 1, 'delivered once');
			assert.deepEqual(sink.messages()[0].envelope.auth, [sink.messages()[0].envelope.auth[0], USER]);
			await srv.stop();
			stderrs.push(srv.stderr());
			await assertNowhere([WRONG, SECRET], { db, stderrs, dirs: [mailDir, sink.dir], ids: [id] });
		} finally {
			await stopOnce(srv);
			await sink.stop();
			rmDir(sink.dir);
			rmDir(mailDir);
			db.cleanup();
		}
	});
});
