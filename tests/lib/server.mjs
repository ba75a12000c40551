// server.mjs - helpers for the HTTP and Chromium tests.
//
// startServer() runs a real `clr serve` on a fresh database (SQLite temp file,
// or a fresh PostgreSQL database when CLR_TEST_PG_URL is set), after
// `clr migrate`. Client is a tiny browser: cookie jar, CSRF token taken from
// the last page, redirects not followed.
//
// Environment:
//   CLR_BIN          binary to test (default build/clr); build/asan/clr in the sanitizer step
//   CLR_TEST_PG_URL  postgresql://... of a scratch cluster (tests/lib/pg.sh) -> run on PostgreSQL
//
// Every server runs with CLR_TMPL_STRICT=1 (src/core/tmpl.h): a template
// variable that its view never sets is logged. Every process started here has
// its stderr kept; stop() fails (and so fails the test file) when it shows a
// sanitizer report or such a template error, or when the server died or did
// not shut down cleanly on SIGTERM.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = resolve(ROOT, process.env.CLR_BIN || 'build/clr');
export const PG_URL = process.env.CLR_TEST_PG_URL || '';
export const BACKEND = PG_URL ? 'pg' : 'sqlite';

const SANITIZER_RE = /ERROR: AddressSanitizer|runtime error:|LeakSanitizer|ERROR: UndefinedBehaviorSanitizer/;

export function sanitizerReport(text) {
	const m = SANITIZER_RE.exec(text);
	if (!m) return null;
	return text.slice(Math.max(0, m.index - 200), m.index + 3000);
}

const UNSET_RE = /level=error msg="template variable not set"[^\n]*/g;

/** The lines of TEXT that report a template variable set nowhere (strict mode), or null. */
export function unsetTemplateVariables(text) {
	const m = text.match(UNSET_RE);
	return m ? m.join('\n') : null;
}

/** A unique e-mail address, so tests never collide inside one database. */
export function uniqueEmail(prefix = 'user') {
	return `${prefix}.${randomBytes(4).toString('hex')}@example.test`;
}

export function freePort() {
	return new Promise((ok, ko) => {
		const s = net.createServer();
		s.on('error', ko);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => ok(port));
		});
	});
}

/** Run a command; resolve {code, stdout, stderr}; never rejects on exit status. */
export function run(cmd, args, { timeout = 120000, env } = {}) {
	return new Promise((ok) => {
		execFile(cmd, args, { timeout, env: env || process.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
			let code = 0;
			if (err) code = typeof err.code === 'number' ? err.code : (err.signal || String(err.code) || 'error');
			ok({ code, stdout: String(stdout), stderr: String(stderr) });
		});
	});
}

/** Run `clr ARGS`, fail on non-zero exit or sanitizer output. */
export async function clr(args, opts = {}) {
	const r = await run(BIN, args, opts);
	const rep = sanitizerReport(r.stderr);
	if (rep) throw new Error(`sanitizer report from clr ${args.join(' ')}:\n${rep}`);
	if (r.code !== 0 && !opts.allowFail)
		throw new Error(`clr ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
	return r;
}

/** A fresh, empty database URL for the current backend. */
export async function freshDatabase() {
	if (!PG_URL) {
		const dir = mkdtempSync(join(tmpdir(), 'clr-test-'));
		return { url: `sqlite:${join(dir, 't.db')}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
	}
	const name = `t_${randomBytes(6).toString('hex')}`;
	const r = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', PG_URL, '-c', `CREATE DATABASE ${name}`]);
	if (r.code !== 0) throw new Error(`CREATE DATABASE ${name} failed: ${r.stderr}`);
	const u = new URL(PG_URL);
	u.pathname = `/${name}`;
	return { url: u.toString(), cleanup: () => {} };
}

/** Create an organisation (if new) and its administrator. */
export async function createAdmin(dbUrl, { org, email, password }) {
	return clr(['admin', 'create', '--db', dbUrl, '--org', org, '--email', email, '--password', password]);
}

/** Create a Le Robert back-office account. */
export async function createStaff(dbUrl, { email, password }) {
	return clr(['staff', 'create', '--db', dbUrl, '--email', email, '--password', password]);
}

/**
 * Keep each server's stderr in build/test-logs/servers/<test file>-<backend>-<port>.log
 * (CLR_TEST_LOG_DIR overrides the directory), to read after a failure.
 */
function saveServerLog(port, text) {
	try {
		const dir = process.env.CLR_TEST_LOG_DIR || join(ROOT, 'build', 'test-logs', 'servers');
		mkdirSync(dir, { recursive: true });
		const test = basename(process.argv[1] || 'node').replace(/\.m?js$/, '');
		const bin = basename(dirname(BIN)) === 'asan' ? '-asan' : '';
		writeFileSync(join(dir, `${test}-${BACKEND}${bin}-${port}.log`), text);
	} catch {
		/* best effort */
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers not stopped yet. They do not keep a test file's process alive
// (a failed stop() in an after hook would skip the next server's stop() and
// leave the file hanging): those still running when it exits are killed.
const live = new Set();
process.on('exit', () => {
	for (const p of live) p.kill('SIGKILL');
});

/**
 * Start `clr serve` on a fresh, migrated database (or DB), with ENV added to
 * its environment and ARGS to its command line (e.g. ['--threads', '8']).
 * Returns {url, dbUrl, port, stop(), stderr(), createAdmin(o), createStaff(o), proc}.
 */
export async function startServer({ db, env: extraEnv = {}, args: extraArgs = [] } = {}) {
	const database = db ? { url: db, cleanup: () => {} } : await freshDatabase();
	const dbUrl = database.url;
	await clr(['migrate', '--db', dbUrl]);

	let lastErr = '';
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		const url = `http://127.0.0.1:${port}`;
		// Mail goes to a folder of this test run, never to the checkout's var/mail.
		const env = { ...process.env, CLR_TMPL_STRICT: '1', ...extraEnv };
		if (!env.CLR_MAIL_DIR) env.CLR_MAIL_DIR = mkdtempSync(join(tmpdir(), 'clr-mail-'));
		const proc = spawn(BIN, ['serve', '--db', dbUrl, '--port', String(port), '--listen', '127.0.0.1', ...extraArgs], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env,
		});
		live.add(proc);
		proc.on('exit', () => live.delete(proc));
		proc.unref();
		proc.stdout.unref();
		proc.stderr.unref();
		let out = '';
		let err = '';
		proc.stdout.on('data', (d) => (out += d));
		proc.stderr.on('data', (d) => (err += d));
		let exited = null;
		const exitP = new Promise((r) =>
			proc.on('exit', (code, signal) => {
				exited = { code, signal };
				r(exited);
			}),
		);
		proc.on('error', (e) => {
			err += `spawn error: ${e.message}\n`;
		});

		const deadline = Date.now() + 30000;
		let up = false;
		while (Date.now() < deadline && !exited) {
			try {
				const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
				await r.text();
				if (r.status === 200) {
					up = true;
					break;
				}
			} catch {
				/* not yet */
			}
			await sleep(50);
		}
		if (!up) {
			if (!exited) proc.kill('SIGKILL');
			await exitP;
			saveServerLog(port, err);
			lastErr = `clr serve did not come up on port ${port} (exit ${JSON.stringify(exited)})\nstdout: ${out}\nstderr: ${err}`;
			continue;
		}

		let stopped = false;
		const server = {
			url,
			port,
			dbUrl,
			mailDir: env.CLR_MAIL_DIR,
			backend: BACKEND,
			proc,
			stderr: () => err,
			stdout: () => out,
			createAdmin: (o) => createAdmin(dbUrl, o),
			createStaff: (o) => createStaff(dbUrl, o),
			/** SIGTERM, wait for exit, then fail on crash / unclean exit / sanitizer report. */
			async stop() {
				if (stopped) return;
				stopped = true;
				const diedBefore = exited;
				if (!exited) proc.kill('SIGTERM');
				const t = setTimeout(() => proc.kill('SIGKILL'), 20000);
				const st = await exitP;
				clearTimeout(t);
				database.cleanup();
				saveServerLog(port, err);
				const rep = sanitizerReport(err);
				if (rep) throw new Error(`sanitizer report in server stderr:\n${rep}`);
				const unset = unsetTemplateVariables(err);
				if (unset) throw new Error(`template variables set nowhere in their view (CLR_TMPL_STRICT):\n${unset}`);
				if (diedBefore)
					throw new Error(`server died during the tests: ${JSON.stringify(diedBefore)}\nstderr tail:\n${err.slice(-3000)}`);
				if (st.signal || st.code !== 0)
					throw new Error(`server did not exit cleanly on SIGTERM: ${JSON.stringify(st)}\nstderr tail:\n${err.slice(-2000)}`);
			},
		};
		return server;
	}
	database.cleanup();
	throw new Error(lastErr);
}

/** Runs SQL on a server's database (sqlite3 or psql): rows as arrays of strings. */
export async function sqlRows(srv, query) {
	const r = srv.dbUrl.startsWith('sqlite:')
		? await run('sqlite3', ['-separator', '\t', srv.dbUrl.slice(7), query])
		: await run('psql', ['-X', '-q', '-At', '-F', '\t', '-d', srv.dbUrl, '-c', query]);
	if (r.code !== 0) throw new Error(`sql failed: ${r.stderr}`);
	return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// ---------------------------------------------------------------- client

/** The value of the hidden csrf field in an HTML page, or null. */
export function csrfFrom(html) {
	return inputValue(html || '', 'csrf');
}

/** Decode the few HTML entities a template may produce. */
export function unescapeHtml(s) {
	return s
		.replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(+n))
		.replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
		.replace(/&quot;/g, '"')
		.replace(/&apos;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&nbsp;/g, '\u00a0')
		.replace(/&amp;/g, '&');
}

/** Page text with tags removed and entities decoded, whitespace collapsed. */
export function textOf(html) {
	return unescapeHtml(
		html
			.replace(/<script[\s\S]*?<\/script>/gi, ' ')
			.replace(/<style[\s\S]*?<\/style>/gi, ' ')
			.replace(/<[^>]+>/g, ' '),
	)
		.replace(/\s+/g, ' ')
		.trim();
}

/** The French message shown next to FIELD (its id="FIELD-err" element),
 * or null; the no-break spaces of French typography read as spaces. */
export function errorOf(html, field) {
	const m = new RegExp(`id="${field}-err">([^<]*)<`).exec(html);
	return m ? unescapeHtml(m[1]).replace(/[\u00a0\u202f]/g, ' ') : null;
}

/** The <input name=NAME> start tag in html, or null. */
export function inputTag(html, name) {
	for (const m of html.matchAll(/<input\b[^>]*>/gi)) if (attr(m[0], 'name') === name) return m[0];
	return null;
}

/** value of the <input name=NAME> in html (decoded; '' if no value), or null if no such input. */
export function inputValue(html, name) {
	const t = inputTag(html, name);
	return t === null ? null : (attr(t, 'value') ?? '');
}

/** The value of attribute NAME in a tag string, decoded; null if absent. */
export function attr(tag, name) {
	if (!tag) return null;
	const m = new RegExp(`\\s${name}(?:="([^"]*)"|='([^']*)'|=([^\\s>]+)|(?=[\\s/>]))`, 'i').exec(tag);
	if (!m) return null;
	return unescapeHtml(m[1] ?? m[2] ?? m[3] ?? '');
}

/**
 * The form control (<input>, <select> or <textarea> start tag) labelled
 * LABEL, by <label for=ID> or by nesting; null if none. The label's text is
 * compared after removing tags, a trailing '*' and surrounding space.
 */
export function fieldByLabel(html, label) {
	const labels = html.matchAll(/<label\b([^>]*)>([\s\S]*?)<\/label>/gi);
	for (const m of labels) {
		const text = textOf(m[2]).replace(/\s*\*\s*$/, '').trim();
		if (text !== label) continue;
		const forId = attr(`<label${m[1]}>`, 'for');
		if (forId) {
			const re = new RegExp(`<(?:input|select|textarea)\\b[^>]*\\sid="${forId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`, 'i');
			const c = re.exec(html);
			if (c) return c[0];
		}
		const inner = /<(?:input|select|textarea)\b[^>]*>/i.exec(m[2]);
		if (inner) return inner[0];
	}
	return null;
}

/** All <form> elements: {tag, method, action, body}. */
export function forms(html) {
	return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((m) => ({
		tag: `<form${m[1]}>`,
		method: (attr(`<form${m[1]}>`, 'method') || 'get').toLowerCase(),
		action: attr(`<form${m[1]}>`, 'action'),
		body: m[2],
	}));
}

/** The Set-Cookie header lines of a fetch Headers object. */
export function setCookies(headers) {
	if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
	const h = headers.get('set-cookie');
	return h ? h.split(/,(?=\s*[A-Za-z0-9_-]+=)/).map((x) => x.trim()) : [];
}

export class Client {
	constructor(base) {
		this.base = base.replace(/\/$/, '');
		this.cookies = new Map();
		this.csrf = null;
		this.last = null;
	}

	cookieHeader() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	storeCookies(res) {
		let changed = false;
		for (const sc of setCookies(res.headers)) {
			const [pair, ...attrs] = sc.split(';');
			const eq = pair.indexOf('=');
			if (eq < 0) continue;
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const a = attrs.map((x) => x.trim().toLowerCase());
			const expired =
				a.some((x) => /^max-age=\s*(0|-\d+)$/.test(x)) ||
				a.some((x) => x.startsWith('expires=') && Date.parse(x.slice(8)) < Date.now()) ||
				value === '';
			if (expired) {
				if (this.cookies.delete(name)) changed = true;
			} else if (this.cookies.get(name) !== value) {
				this.cookies.set(name, value);
				changed = true;
			}
		}
		return changed;
	}

	async request(method, path, { body, headers = {} } = {}) {
		const h = { ...headers };
		if (this.cookies.size) h.cookie = this.cookieHeader();
		const res = await fetch(this.base + path, { method, headers: h, body, redirect: 'manual' });
		const text = await res.text();
		// A new or closed session means a new CSRF token: forget the old one.
		if (this.storeCookies(res)) this.csrf = null;
		const tok = csrfFrom(text);
		if (tok) this.csrf = tok;
		this.last = { status: res.status, headers: res.headers, text };
		return this.last;
	}

	get(path, opts) {
		return this.request('GET', path, opts);
	}

	/** Make sure we hold a CSRF token valid for the current session. */
	async ensureCsrf(path) {
		if (this.csrf) return this.csrf;
		const tries = [path, '/compte', '/backoffice', '/connexion'];
		for (const p of tries) {
			if (!p) continue;
			await this.get(p);
			if (this.csrf) return this.csrf;
		}
		throw new Error('no csrf token found on any page');
	}

	/**
	 * POST an urlencoded form. fields: object or pre-encoded string.
	 * opts.csrf (default true) adds the csrf field unless fields already has one.
	 */
	async post(path, fields = {}, { csrf = true, headers = {} } = {}) {
		let body;
		if (typeof fields === 'string') {
			body = fields;
			if (csrf && !/(^|&)csrf=/.test(fields)) {
				const tok = await this.ensureCsrf(path.split('?')[0]);
				body += (body ? '&' : '') + 'csrf=' + encodeURIComponent(tok);
			}
		} else {
			const p = new URLSearchParams();
			for (const [k, v] of Object.entries(fields)) p.append(k, v);
			if (csrf && !('csrf' in fields)) p.append('csrf', await this.ensureCsrf(path.split('?')[0]));
			body = p.toString();
		}
		return this.request('POST', path, {
			body,
			headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
		});
	}

	async login(email, password) {
		this.csrf = null;
		await this.get('/connexion');
		const r = await this.post('/connexion', { email, password });
		return r;
	}

	async logout() {
		return this.post('/deconnexion', {});
	}
}

/**
 * Send raw bytes over TCP and parse the response; tolerant of the server
 * answering early and closing (e.g. 413 before the body is read).
 */
export function rawRequest(base, data, { timeout = 15000 } = {}) {
	const u = new URL(base);
	return new Promise((ok, ko) => {
		const sock = net.connect(+u.port, u.hostname);
		const chunks = [];
		let done = false;
		const finish = () => {
			if (done) return;
			done = true;
			clearTimeout(t);
			sock.destroy();
			const buf = Buffer.concat(chunks).toString('latin1');
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
			if (!m) return ko(new Error(`no HTTP response (got ${JSON.stringify(buf.slice(0, 200))})`));
			const headEnd = buf.indexOf('\r\n\r\n');
			const head = headEnd >= 0 ? buf.slice(0, headEnd) : buf;
			const headers = {};
			for (const line of head.split('\r\n').slice(1)) {
				const i = line.indexOf(':');
				if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
			}
			const body = headEnd >= 0 ? Buffer.from(buf.slice(headEnd + 4), 'latin1').toString('utf8') : '';
			ok({ status: +m[1], headers, text: body });
		};
		const t = setTimeout(finish, timeout);
		sock.on('data', (d) => {
			chunks.push(d);
			// Stop as soon as we have the complete response.
			const buf = Buffer.concat(chunks).toString('latin1');
			const headEnd = buf.indexOf('\r\n\r\n');
			if (headEnd >= 0) {
				const cl = /\r\ncontent-length:\s*(\d+)/i.exec(buf.slice(0, headEnd));
				if (cl && Buffer.byteLength(buf.slice(headEnd + 4), 'latin1') >= +cl[1]) finish();
			}
		});
		sock.on('end', finish);
		sock.on('close', finish);
		sock.on('error', () => finish());
		sock.write(data, () => {});
	});
}

export { existsSync };

// ---------------------------------------------------------------- fixtures

export const PASSWORD = 'Motdepasse-solide-42';

/** Create an administrator (and its organisation) with a unique e-mail. */
export async function newAdmin(server, { org, prefix = 'admin', password = PASSWORD } = {}) {
	org = org || `École Dupré ${randomBytes(3).toString('hex')}`;
	const email = uniqueEmail(prefix);
	await server.createAdmin({ org, email, password });
	return { org, email, password };
}

/** Create a back-office account with a unique e-mail. */
export async function newStaff(server, { prefix = 'staff', password = PASSWORD } = {}) {
	const email = uniqueEmail(prefix);
	await server.createStaff({ email, password });
	return { email, password };
}

/** A Client already logged in as ACCOUNT (throws if the login is refused). */
export async function loggedIn(server, account) {
	const c = new Client(server.url);
	const r = await c.login(account.email, account.password);
	if (r.status !== 303)
		throw new Error(`login of ${account.email} answered ${r.status}: ${textOf(r.text).slice(0, 300)}`);
	return c;
}
