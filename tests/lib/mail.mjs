// mail.mjs - helpers for the mail tests: a real SMTP server on loopback
// (tests/lib/smtp_sink.py, Debian's python3-aiosmtpd), `clr serve` started
// with mail settings in its environment, the outbox as `clr mail list` sees
// it, and received messages parsed by Python's email package
// (tests/lib/mail_parse.py).
//
// Every process started here is remembered; killAll() ends those still
// running (call it from after()).

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, PG_URL, clr, run, freePort, sanitizerReport } from './server.mjs';

export const PYTHON = '/usr/bin/python3';
const SINK = join(ROOT, 'tests/lib/smtp_sink.py');
const PARSE = join(ROOT, 'tests/lib/mail_parse.py');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const live = new Set();

/** Kill (SIGKILL) every process started by this module that still runs. */
export async function killAll() {
	for (const p of [...live]) {
		if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
	}
	await sleep(50);
	live.clear();
}

function track(proc) {
	live.add(proc);
	proc.on('exit', () => live.delete(proc));
	return proc;
}

export function tempDir(prefix = 'clr-mail-') {
	return mkdtempSync(join(tmpdir(), prefix));
}

/** Poll fn() until it returns a truthy value; throw with what() after timeout. */
export async function waitFor(fn, { timeout = 20000, interval = 100, what = 'condition' } = {}) {
	const deadline = Date.now() + timeout;
	let last;
	while (Date.now() < deadline) {
		last = await fn();
		if (last) return last;
		await sleep(interval);
	}
	throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/**
 * Start the SMTP sink. opts: {port, dir, delayRcpt, reject, tls, auth,
 * authMechanism}: tls = {cert, key, implicit, requireStarttls} (STARTTLS
 * offered, or TLS from the first byte), auth = 'user:password' (AUTH required,
 * under TLS), authMechanism 'LOGIN' or 'PLAIN' (the only one offered).
 * Returns {port, dir, stop(), files(), messages()}; a message's envelope
 * also says {tls, auth: [mechanism, login] or null}.
 */
export async function startSink({ port, dir, delayRcpt = 0, reject = '', tls, auth, authMechanism } = {}) {
	port = port || (await freePort());
	dir = dir || tempDir('clr-sink-');
	const args = [SINK, '--port', String(port), '--dir', dir];
	if (delayRcpt) args.push('--delay-rcpt', String(delayRcpt));
	if (reject) args.push('--reject', reject);
	if (tls) {
		args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
		if (tls.implicit) args.push('--implicit-tls');
		if (tls.requireStarttls) args.push('--require-starttls');
	}
	if (auth) args.push('--auth', auth);
	if (authMechanism) args.push('--auth-mechanism', authMechanism);
	const proc = track(spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
	let out = '';
	let err = '';
	proc.stdout.on('data', (d) => (out += d));
	proc.stderr.on('data', (d) => (err += d));
	const exited = new Promise((r) => proc.on('exit', r));
	await waitFor(() => out.includes('READY') || proc.exitCode !== null, { what: 'the SMTP sink', timeout: 15000 });
	if (!out.includes('READY')) throw new Error(`smtp_sink did not start: ${err}`);
	return {
		port,
		dir,
		proc,
		async stop() {
			if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
			const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(t);
		},
		/** Names of the stored .eml files, in arrival order. */
		files() {
			return readdirSync(dir)
				.filter((f) => f.endsWith('.eml') && !f.startsWith('.'))
				.sort();
		},
		/** [{file, raw, envelope}] */
		messages() {
			return this.files().map((f) => ({
				file: join(dir, f),
				raw: readFileSync(join(dir, f)),
				envelope: JSON.parse(readFileSync(join(dir, f.replace(/\.eml$/, '.json')), 'utf8')),
			}));
		},
	};
}

/** Parse one message file with Python's email package. */
export async function parseMail(file) {
	const r = await run(PYTHON, [PARSE, file]);
	if (r.code !== 0) throw new Error(`mail_parse failed: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

/** Base environment of a `clr serve` or `clr mail` under test. */
export function mailEnv(extra = {}) {
	const env = { ...process.env, CLR_MAIL_POLL_MS: '100', CLR_MAIL_BACKOFF_S: '1', ...extra };
	for (const [k, v] of Object.entries(env)) if (v === undefined || v === null) delete env[k];
	return env;
}

/**
 * Start `clr serve` on dbUrl with env. Returns {url, port, proc, stderr(),
 * kill(sig), stop()}; stop() SIGTERMs and fails on an unclean exit or a
 * sanitizer report.
 */
export async function serve(dbUrl, env) {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const proc = track(
		spawn(BIN, ['serve', '--db', dbUrl, '--port', String(port), '--listen', '127.0.0.1'], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env,
		}),
	);
	let err = '';
	proc.stdout.on('data', () => {});
	proc.stderr.on('data', (d) => (err += d));
	let exit = null;
	const exited = new Promise((r) =>
		proc.on('exit', (code, signal) => {
			exit = { code, signal };
			r(exit);
		}),
	);
	await waitFor(
		async () => {
			if (exit) return true;
			try {
				const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
				await r.text();
				return r.status === 200;
			} catch {
				return false;
			}
		},
		{ what: 'clr serve', timeout: 30000, interval: 50 },
	);
	if (exit) throw new Error(`clr serve exited ${JSON.stringify(exit)}: ${err}`);
	return {
		url,
		port,
		proc,
		stderr: () => err,
		async kill(sig = 'SIGKILL') {
			proc.kill(sig);
			await exited;
		},
		async stop() {
			const before = exit;
			if (!exit) proc.kill('SIGTERM');
			const t = setTimeout(() => proc.kill('SIGKILL'), 20000);
			const st = await exited;
			clearTimeout(t);
			const rep = sanitizerReport(err);
			if (rep) throw new Error(`sanitizer report in server stderr:\n${rep}`);
			if (before) throw new Error(`server died during the test: ${JSON.stringify(before)}\n${err.slice(-2000)}`);
			if (st.signal || st.code !== 0)
				throw new Error(`server did not exit cleanly: ${JSON.stringify(st)}\n${err.slice(-2000)}`);
		},
	};
}

/** `clr mail test` -> the new message's id. */
export async function queueTest(dbUrl, { to, org, name }, env = mailEnv()) {
	const args = ['mail', 'test', '--db', dbUrl, '--to', to];
	if (org) args.push('--org', org);
	if (name) args.push('--name', name);
	const r = await clr(args, { env });
	const m = /message (\d+) queued/.exec(r.stdout);
	if (!m) throw new Error(`unexpected output: ${r.stdout}`);
	return +m[1];
}

/** The outbox as `clr mail list` prints it: [{id, status, attempts, org, to, kind, subject, error}]. */
export async function outbox(dbUrl, filters = {}, env = mailEnv()) {
	const args = ['mail', 'list', '--db', dbUrl];
	for (const [k, v] of Object.entries(filters)) args.push(`--${k}`, v);
	const r = await clr(args, { env });
	return r.stdout
		.trim()
		.split('\n')
		.slice(1)
		.filter(Boolean)
		.map((l) => {
			const [id, created, status, attempts, org, to, kind, subject, error] = l.split('\t');
			return { id: +id, created, status, attempts: +attempts, org, to, kind, subject, error };
		});
}

/** One SQL query's first column as strings (sqlite3 or psql). */
export async function sql(dbUrl, query) {
	const r = dbUrl.startsWith('sqlite:')
		? await run('sqlite3', [dbUrl.slice(7), query])
		: await run('psql', ['-X', '-q', '-A', '-t', '-d', dbUrl, '-c', query]);
	if (r.code !== 0) throw new Error(`sql failed: ${r.stderr}`);
	return r.stdout.split('\n').filter((l) => l !== '');
}

export { PG_URL, clr };

export function rmDir(d) {
	rmSync(d, { recursive: true, force: true });
}
