// Two servers behind a real load balancer (issue 14): Debian's nginx, run
// with the committed site of deploy/nginx/ (clr.conf and its snippet
// clr-proxy.conf, addresses, ports and a self-signed certificate substituted:
// `nginx -t` passes on it first), in front of two `clr serve` on one
// PostgreSQL database, their mail workers pointed at one SMTP sink.
//
// A user's flow goes through nginx over https (login with its csrf token,
// groups, candidates whose credentials are e-mailed, orders): requests land on
// both servers (each server's own log lines say so); then one server is
// killed (SIGKILL) while pages are being loaded, and the flow goes on: no
// error, the session is kept, every write is in the database exactly once
// and each e-mail arrived once; started again, it gets requests once more.
// The client connects from 127.0.0.5: with CLR_TRUSTED_PROXIES=127.0.0.1
// (nginx) the server takes that address from X-Forwarded-For, and not one a
// client writes itself.
//
// PostgreSQL only (CLR_TEST_PG_URL); without nginx or python3-aiosmtpd the
// test says skip. The systemd unit of deploy/systemd/ is checked with
// `systemd-analyze verify` when it is installed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	ROOT, BIN, PG_URL, Client, freshDatabase, clr, run, freePort, textOf, attr, inputValue, uniqueEmail, PASSWORD,
	sanitizerReport,
} from '../lib/server.mjs';
import { startSink, waitFor, sleep, sql, PYTHON } from '../lib/mail.mjs';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const CLIENT_ADDR = '127.0.0.5'; // the user's machine, as nginx sees it
const SALES = 'ventes@lb.test';

async function haveAiosmtpd() {
	if (!existsSync(PYTHON)) return false;
	return (await run(PYTHON, ['-c', 'import aiosmtpd'])).code === 0;
}

const skipWhy = !PG_URL
	? 'needs PostgreSQL (CLR_TEST_PG_URL): the two servers share one database'
	: !NGINX
		? 'nginx is not installed (Debian package nginx, scripts/deps.sh)'
		: !(await haveAiosmtpd())
			? 'python3-aiosmtpd is not installed (scripts/deps.sh)'
			: false;

// ------------------------------------------------------------------ nginx

/** The committed site and snippet with the test's values in place of the
 * production ones; every replaced text must be there (the test fails when
 * the committed file drifts from what it tests). */
function siteConfig(dir, { upstreams, httpPort, httpsPort }) {
	let site = readFileSync(join(ROOT, 'deploy/nginx/clr.conf'), 'utf8');
	const swaps = [
		['/var/cache/nginx/clr-static', join(dir, 'cache')],
		['server 10.0.0.11:8080', `server 127.0.0.1:${upstreams[0]}`],
		['server 10.0.0.12:8080', `server 127.0.0.1:${upstreams[1]}`],
		['listen 80;', `listen 127.0.0.1:${httpPort};`],
		['listen [::]:80;', ''],
		['listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`],
		['listen [::]:443 ssl http2;', ''],
		['/etc/letsencrypt/live/clr.example.fr/fullchain.pem', join(dir, 'cert.pem')],
		['/etc/letsencrypt/live/clr.example.fr/privkey.pem', join(dir, 'key.pem')],
		['/var/www/letsencrypt', join(dir, 'acme')],
		['/etc/nginx/snippets/clr-proxy.conf', join(dir, 'clr-proxy.conf')],
	];
	for (const [from, to] of swaps) {
		assert.ok(site.includes(from), `deploy/nginx/clr.conf has « ${from} » (substituted by this test)`);
		site = site.split(from).join(to);
	}
	writeFileSync(join(dir, 'clr.conf'), site);
	writeFileSync(join(dir, 'clr-proxy.conf'), readFileSync(join(ROOT, 'deploy/nginx/clr-proxy.conf')));
	// The main file that Debian's /etc/nginx/nginx.conf would be: the site inside http {}.
	const root = process.getuid && process.getuid() === 0;
	for (const d of ['tmp', 'cache', 'acme']) mkdirSync(join(dir, d), { recursive: true });
	writeFileSync(
		join(dir, 'nginx.conf'),
		`${root ? 'user root;\n' : ''}worker_processes 1;
error_log ${join(dir, 'error.log')} info;
events { worker_connections 512; }
http {
	client_body_temp_path ${join(dir, 'tmp/body')};
	proxy_temp_path ${join(dir, 'tmp/proxy')};
	fastcgi_temp_path ${join(dir, 'tmp/fastcgi')};
	uwsgi_temp_path ${join(dir, 'tmp/uwsgi')};
	scgi_temp_path ${join(dir, 'tmp/scgi')};
	log_format lb '$remote_addr $request_method $uri $status up=$upstream_addr upstatus=$upstream_status';
	access_log ${join(dir, 'access.log')} lb;
	include ${join(dir, 'clr.conf')};
}
`,
	);
}

function nginxArgs(dir) {
	return ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
}

async function selfSignedCert(dir) {
	const r = await run('openssl', [
		'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
		'-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
	]);
	assert.equal(r.code, 0, `openssl: ${r.stderr}`);
	return readFileSync(join(dir, 'cert.pem'));
}

// ------------------------------------------------------------------ processes

const procs = new Set();
process.on('exit', () => {
	for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

/** `clr serve` on PORT; {port, log(), kill(sig), stop()}. */
async function startClr(dbUrl, port, env) {
	const proc = spawn(BIN, ['serve', '--db', dbUrl, '--port', String(port), '--listen', '127.0.0.1'], {
		stdio: ['ignore', 'ignore', 'pipe'],
		env,
	});
	procs.add(proc);
	let err = '';
	proc.stderr.on('data', (d) => (err += d));
	let exit = null;
	const exited = new Promise((r) =>
		proc.on('exit', (code, signal) => {
			exit = { code, signal };
			procs.delete(proc);
			r(exit);
		}),
	);
	await waitFor(
		async () => {
			if (exit) return true;
			try {
				const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
				await r.text();
				return r.status === 200;
			} catch {
				return false;
			}
		},
		{ what: `clr serve on ${port}`, timeout: 30000, interval: 50 },
	);
	if (exit) throw new Error(`clr serve exited ${JSON.stringify(exit)}: ${err}`);
	return {
		port,
		log: () => err,
		get exit() {
			return exit;
		},
		async kill(sig = 'SIGKILL') {
			if (!exit) proc.kill(sig);
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
			if (before) return; // killed on purpose
			if (st.signal || st.code !== 0) throw new Error(`server did not exit cleanly: ${JSON.stringify(st)}\n${err.slice(-2000)}`);
		},
	};
}

// ------------------------------------------------------------------ client

/**
 * The tests' Client (cookies, csrf of the last page, redirects not followed)
 * over https through nginx, trusting the test's certificate, from the local
 * address CLIENT_ADDR.
 */
class LbClient extends Client {
	constructor(base, ca) {
		super(base);
		this.agent = new https.Agent({ keepAlive: true, ca, maxSockets: 8 });
	}

	async request(method, path, { body, headers = {} } = {}) {
		const h = { ...headers };
		if (this.cookies.size) h.cookie = this.cookieHeader();
		if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
		const res = await httpsCall(this.base + path, { method, headers: h, body, agent: this.agent });
		if (this.storeCookies(res)) this.csrf = null;
		const tok = inputValue(res.text, 'csrf');
		if (tok) this.csrf = tok;
		this.last = res;
		return res;
	}
}

/** One request; resolves {status, headers (a Headers), text}. */
function httpsCall(url, { method = 'GET', headers = {}, body, agent, ca } = {}) {
	const u = new URL(url);
	const mod = u.protocol === 'https:' ? https : http;
	return new Promise((ok, ko) => {
		const req = mod.request(
			{
				host: u.hostname,
				port: u.port,
				path: u.pathname + u.search,
				method,
				headers,
				agent,
				ca,
				localAddress: CLIENT_ADDR,
				timeout: 30000,
			},
			(res) => {
				const chunks = [];
				res.on('data', (d) => chunks.push(d));
				res.on('end', () => {
					const hd = new Headers();
					for (let i = 0; i < res.rawHeaders.length; i += 2) hd.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
					ok({ status: res.statusCode, headers: hd, text: Buffer.concat(chunks).toString('utf8') });
				});
				res.on('error', ko);
			},
		);
		req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
		req.on('error', ko);
		if (body !== undefined) req.write(body);
		req.end();
	});
}

/** The request head alone over TLS (a Content-Length never sent): status and body of the answer. */
function tlsHead(port, ca, head) {
	return new Promise((ok, ko) => {
		const s = tls.connect({ host: '127.0.0.1', port, ca, localAddress: CLIENT_ADDR }, () => s.write(head));
		let buf = '';
		s.on('data', (d) => (buf += d.toString('utf8')));
		s.on('end', () => ok(buf));
		s.on('close', () => ok(buf));
		s.on('error', (e) => (buf ? ok(buf) : ko(e)));
		setTimeout(() => s.destroy(), 10000);
	});
}

// ------------------------------------------------------------------ the flow

const IDENTITY = (email) => ({
	civility: 'madame', last_name: 'Lefèvre', birth_name: '', first_name: 'Inès', email,
	birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR',
});

/** Requests of the flow seen by a server (its own log lines), /healthz aside. */
function served(log) {
	return log.split('\n').filter((l) => / method=\w+ path=/.test(l) && !/path=\/healthz /.test(l));
}
const posts = (log, path) => served(log).filter((l) => l.includes(`method=POST path=${path} `)).length;

describe('two servers behind nginx', { skip: skipWhy }, () => {
	let dir, db, sink, A, B, nginx, nginxErr = '', base, ca, admin, tag, env;
	const restarted = [];
	const ports = {};

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'clr-lb-'));
		db = await freshDatabase();
		await clr(['migrate', '--db', db.url]);
		admin = { email: uniqueEmail('admin'), password: PASSWORD };
		tag = Math.random().toString(36).slice(2, 8);
		await clr(['admin', 'create', '--db', db.url, '--org', `Lycée Répartition ${tag}`, '--email', admin.email, '--password', admin.password]);
		sink = await startSink();
		for (const k of ['a', 'b', 'http', 'https']) ports[k] = await freePort();
		env = {
			...process.env,
			CLR_TMPL_STRICT: '1',
			CLR_TRUSTED_PROXIES: '127.0.0.1',
			CLR_BEHIND_TLS: '1',
			CLR_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
			CLR_SALES_EMAIL: SALES,
			CLR_MAIL_POLL_MS: '100',
			CLR_MAIL_BACKOFF_S: '1',
			CLR_MAIL_DIR: join(dir, 'mail'),
		};
		[A, B] = await Promise.all([startClr(db.url, ports.a, env), startClr(db.url, ports.b, env)]);
		ca = await selfSignedCert(dir);
		siteConfig(dir, { upstreams: [ports.a, ports.b], httpPort: ports.http, httpsPort: ports.https });
		base = `https://127.0.0.1:${ports.https}`;
	});

	after(async () => {
		if (nginx && nginx.exitCode === null) {
			nginx.kill('SIGQUIT');
			await new Promise((r) => {
				const t = setTimeout(() => {
					nginx.kill('SIGKILL');
					r();
				}, 5000);
				nginx.on('exit', () => {
					clearTimeout(t);
					r();
				});
			});
		}
		if (process.env.CLR_TEST_KEEP_LB) console.log(`# lb files kept in ${dir}`);
		const stops = [A, B, ...restarted].filter(Boolean).map((s) => s.stop());
		if (sink) await sink.stop();
		try {
			await Promise.all(stops);
		} finally {
			if (dir && !process.env.CLR_TEST_KEEP_LB) rmSync(dir, { recursive: true, force: true });
		}
	});

	test('the committed nginx site passes nginx -t (with a self-signed certificate)', async () => {
		const r = await run(NGINX, ['-t', ...nginxArgs(dir)]);
		assert.equal(r.code, 0, `nginx -t:\n${r.stderr}`);
		assert.match(r.stderr, /test is successful/);
	});

	test('the systemd unit passes systemd-analyze verify', async (t) => {
		if (!SYSTEMD_ANALYZE) return t.skip('systemd-analyze is not installed');
		// the unit as committed, but for the binary's path (verify wants it to exist)
		const unit = readFileSync(join(ROOT, 'deploy/systemd/clr.service'), 'utf8');
		assert.ok(unit.includes('ExecStart=/usr/local/bin/clr serve'), 'ExecStart');
		for (const k of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/clr/var', 'PrivateTmp=yes', 'Restart=', 'EnvironmentFile=/etc/clr/clr.env', 'User=clr'])
			assert.ok(unit.includes(k), `clr.service has ${k}`);
		writeFileSync(join(dir, 'clr.service'), unit.split('/usr/local/bin/clr').join(BIN));
		const r = await run(SYSTEMD_ANALYZE, ['verify', join(dir, 'clr.service')]);
		assert.equal(r.code, 0, `systemd-analyze verify:\n${r.stdout}${r.stderr}`);
		assert.equal(r.stderr.trim(), '', 'no warning');
		const envFile = readFileSync(join(ROOT, 'deploy/systemd/clr.env.example'), 'utf8');
		for (const k of ['CLR_DB=', 'CLR_TRUSTED_PROXIES=', 'CLR_BEHIND_TLS=1', 'CLR_SMTP_URL=', 'CLR_LISTEN=', 'CLR_PORT='])
			assert.ok(envFile.includes(k), `clr.env.example sets ${k}`);
	});

	test('a user works through nginx on both servers; one is killed; nothing is lost or doubled', async () => {
		nginx = spawn(NGINX, [...nginxArgs(dir), '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`], {
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		procs.add(nginx);
		nginx.stderr.on('data', (d) => (nginxErr += d));
		await waitFor(
			async () => {
				if (nginx.exitCode !== null) return true;
				try {
					return (await httpsCall(`${base}/healthz`, { ca })).status === 200;
				} catch {
					return false;
				}
			},
			{ what: 'nginx', timeout: 15000, interval: 50 },
		);
		assert.equal(nginx.exitCode, null, `nginx exited: ${nginxErr}${readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000)}`);

		// the metrics are not served through the site (docs/OPERATIONS.md)
		assert.equal((await httpsCall(`${base}/metrics`, { ca })).status, 404, '/metrics through nginx');

		// http -> https
		const plain = await httpsCall(`http://127.0.0.1:${ports.http}/connexion`);
		assert.equal(plain.status, 301);
		assert.match(plain.headers.get('location') || '', /^https:\/\/127\.0\.0\.1\/connexion$/);

		const c = new LbClient(base, ca);
		// A failed login whose client forges its X-Forwarded-For: the address
		// counted is the one nginx saw (127.0.0.5), not the forged one nor nginx's.
		await c.get('/connexion');
		let r = await c.post('/connexion', { email: admin.email, password: 'pas-le-bon-mot-de-passe' }, { headers: { 'x-forwarded-for': '198.51.100.7' } });
		assert.equal(r.status, 401, 'wrong password: the form again');
		const subjects = (await sql(db.url, 'SELECT subject FROM login_throttle ORDER BY subject')).join(' | ');
		assert.ok(subjects.includes(`ip:${CLIENT_ADDR}`), `throttled by the client's address: ${subjects}`);
		assert.ok(!subjects.includes('198.51.100.7') && !subjects.includes('ip:127.0.0.1'), `neither forged nor proxy address: ${subjects}`);

		r = await c.login(admin.email, admin.password);
		assert.equal(r.status, 303, `login: ${textOf(r.text).slice(0, 300)}`);
		assert.ok([...c.cookies.keys()].some((k) => k.startsWith('__Host-')), `__Host- cookie behind TLS: ${[...c.cookies.keys()]}`);
		const ips = await sql(db.url, 'SELECT DISTINCT ip FROM sessions');
		assert.deepEqual(ips, [CLIENT_ADDR], 'the session records the forwarded client address');

		// the static assets: cached by nginx from the second request on
		const css = /\/static\/[^"'?\s]+\?v=[0-9a-f]+/.exec((await c.get('/accueil')).text);
		assert.ok(css, 'a versioned static asset on the page');
		const s1 = await httpsCall(base + css[0], { ca });
		const s2 = await httpsCall(base + css[0], { ca });
		assert.equal(s1.status, 200);
		assert.equal(s2.status, 200);
		assert.equal(s2.headers.get('x-cache-status'), 'HIT');
		assert.match(s2.headers.get('cache-control') || '', /immutable/);

		// nginx's own answer past the 10 MiB body limit, in French, before any body is sent
		const big = await tlsHead(
			ports.https,
			ca,
			`POST /candidats/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: ${10 * 1024 * 1024 + 1}\r\n\r\n`,
		);
		assert.match(big, /^HTTP\/1\.1 413/);
		assert.ok(big.includes('Envoi trop volumineux'), big.slice(0, 400));

		const want = { groups: [], candidates: [], orders: new Set() };
		const ok303 = (res, what) => {
			assert.equal(res.status, 303, `${what}: ${res.status} ${textOf(res.text).slice(0, 300)}`);
			const loc = res.headers.get('location') || '';
			assert.ok(!loc.startsWith('/connexion'), `${what}: still logged in (${loc})`);
			return loc;
		};
		const group = async () => {
			const name = `Groupe ${tag} ${want.groups.length + 1}`;
			ok303(await c.post('/groupes/nouveau', { name, category: 'classe' }), `group ${name}`);
			want.groups.push(name);
		};
		const candidate = async () => {
			const email = uniqueEmail(`cand${want.candidates.length + 1}`);
			const loc = ok303(await c.post('/candidats/nouveau', { ...IDENTITY(email), action: 'next' }), 'candidate, step 1');
			const id = /^\/candidats\/(\d+)\/etape\/2$/.exec(loc)[1];
			ok303(await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'oui', action: 'next' }), 'candidate, step 2');
			ok303(await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' }), 'candidate, step 3');
			want.candidates.push(email);
		};
		const orderForm = async () => {
			const f = await c.get('/commandes/nouvelle');
			assert.equal(f.status, 200);
			const ids = [...f.text.matchAll(/<input\b[^>]*>/gi)].map((m) => attr(m[0], 'name') || '').filter((n) => n.startsWith('qty_'));
			return { idem: inputValue(f.text, 'idem'), ids };
		};
		const order = async (fields) => {
			const loc = ok303(await c.post('/commandes/nouvelle', fields), 'order');
			assert.match(loc, /^\/commandes\/\d+$/);
			want.orders.add(loc);
			return loc;
		};
		const newOrder = async (n) => {
			const f = await orderForm();
			const fields = { idem: f.idem, [f.ids[0]]: String(n), [f.ids[1]]: '0' };
			return { fields, loc: await order(fields) };
		};
		const flow = async (n) => {
			const done = [];
			for (let i = 0; i < n; i++) {
				await group();
				await candidate();
				done.push(await newOrder(i + 1));
				assert.equal((await c.get('/groupes')).status, 200);
			}
			return done;
		};
		const outboxDrained = () =>
			waitFor(async () => +(await sql(db.url, "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'"))[0] === 0, {
				what: 'every message sent',
				timeout: 30000,
			});

		// 1. both servers up
		const first = await flow(3);
		const onA = served(A.log()).length, onB = served(B.log()).length;
		assert.ok(onA > 5 && onB > 5, `requests spread over both servers: A ${onA}, B ${onB}`);
		assert.ok(posts(A.log(), '/groupes/nouveau') + posts(B.log(), '/groupes/nouveau') === 3);
		assert.ok(posts(A.log(), '/candidats/nouveau') > 0 || posts(B.log(), '/candidats/nouveau') > 0);
		await outboxDrained();

		// 2. pages loaded by four tabs at once while A is killed: every one answers
		const loads = [];
		const bad = [];
		let stop = false;
		const tab = async () => {
			const t = new LbClient(base, ca);
			t.cookies = c.cookies; // the same browser session
			while (!stop) {
				for (const p of ['/accueil', '/groupes', '/candidats', '/commandes']) {
					const res = await t.get(p).catch((e) => ({ status: e.message, text: '' }));
					loads.push(`${res.status} ${p}`);
					if (res.status !== 200) bad.push(`${p}: ${res.status} ${textOf(res.text).slice(0, 200)}`);
				}
			}
		};
		const tabs = [tab(), tab(), tab(), tab()];
		await sleep(400);
		const onAbefore = served(A.log()).length;
		await A.kill('SIGKILL');
		await sleep(800);
		stop = true;
		await Promise.all(tabs);
		assert.deepEqual(bad, [], `every page loaded while a server died answered 200 (${loads.length} loads)`);
		assert.ok(onAbefore > onA, 'A served pages of the burst before it died');
		const onBburst = served(B.log()).length;

		// 3. A is dead: the flow goes on through nginx, on B alone
		const second = await flow(3);
		assert.ok(served(B.log()).length > onBburst + 20, 'B took the rest');
		// the user, unsure, sends an order form again (as after an error page): the same order
		const again = await c.post('/commandes/nouvelle', first[0].fields);
		assert.equal(again.headers.get('location'), first[0].loc, 'a resent order form is the same order');
		assert.equal((await c.get('/accueil')).status, 200, 'still logged in');

		// 4. the database holds every write once, and 5. the outbox delivered
		// each message once, across the servers
		const org = `(SELECT org_id FROM users WHERE email = '${admin.email}')`;
		const mailSent = (srv) => (srv.log().match(/msg="mail sent"/g) || []).length;
		const verify = async (nOrders, servers) => {
			const groups = await sql(db.url, `SELECT name FROM groups WHERE org_id = ${org} ORDER BY id`);
			assert.deepEqual(groups, want.groups, 'each group once');
			const cands = await sql(db.url, `SELECT email FROM candidates WHERE org_id = ${org} ORDER BY id`);
			assert.deepEqual(cands, want.candidates, 'each candidate once');
			const orders = await sql(db.url, `SELECT id FROM orders WHERE org_id = ${org} ORDER BY id`);
			assert.equal(orders.length, nOrders, `${nOrders} orders`);
			assert.deepEqual(new Set(orders.map((id) => `/commandes/${id}`)), want.orders);

			await outboxDrained();
			const rows = await sql(db.url, `SELECT kind || ' ' || recipient FROM outbox WHERE org_id = ${org}`);
			assert.equal(rows.length, nOrders * 2 + want.candidates.length, `outbox: ${rows.join(', ')}`);
			await waitFor(() => sink.files().length >= rows.length, { what: 'the messages in the sink', timeout: 15000 });
			await sleep(500); // a duplicate would arrive now
			const msgs = sink.messages();
			const per = new Map();
			for (const m of msgs) for (const to of m.envelope.rcpt_tos) per.set(to, (per.get(to) || 0) + 1);
			assert.equal(msgs.length, rows.length, 'as many messages received as queued');
			assert.equal(per.get(SALES), nOrders, 'sales: one message per order');
			assert.equal(per.get(admin.email), nOrders, 'the administrator: one confirmation per order');
			for (const e of want.candidates) assert.equal(per.get(e), 1, `${e}: their credentials once`);
			const ids = msgs.map((m) => /^Message-ID:\s*(\S+)/im.exec(m.raw.toString('latin1'))?.[1]);
			assert.equal(new Set(ids).size, msgs.length, 'no Message-ID twice');
			const sent = servers.map(mailSent);
			assert.equal(sent.reduce((x, y) => x + y, 0), rows.length, `each message sent by one server: ${sent.join(', ')}`);
			return sent;
		};
		const sent1 = await verify(6, [A, B]);
		assert.equal(first.length + second.length, 6);

		// 6. A comes back (Restart=always) on its port: once nginx's fail_timeout
		// (10 s) has passed, requests reach it again, and the two deliver mail
		const A2 = await startClr(db.url, ports.a, env);
		restarted.push(A2);
		await waitFor(
			async () => {
				assert.equal((await c.get('/accueil')).status, 200);
				return served(A2.log()).length > 0;
			},
			{ what: 'nginx sending requests to the restarted server', timeout: 25000, interval: 250 },
		);
		const third = await flow(2);
		assert.equal(third.length, 2);
		assert.ok(served(A2.log()).length > 5, `the restarted server takes its share: ${served(A2.log()).length}`);
		const sent2 = await verify(8, [A, B, A2]);

		// 7. no server at all (both stopped: SIGTERM, a clean exit): nginx's French page, not its own
		await Promise.all([B.stop(), A2.stop()]);
		const down = await c.get('/accueil');
		assert.equal(down.status, 503);
		assert.ok(textOf(down.text).includes('Service momentanément indisponible'));
		assert.equal(down.headers.get('retry-after'), '30');

		const access = readFileSync(join(dir, 'access.log'), 'utf8').split('\n');
		const retried = access.filter((l) => / up=[^ ]+, /.test(l)).length;
		console.log(
			`# lb: A served ${onAbefore} requests before SIGKILL, B ${served(B.log()).length}; ${loads.length} page loads during the kill, all 200; ` +
				`${retried} requests passed to the next server by nginx; mail sent by A ${sent1[0]}, by B ${sent1[1]}; ` +
				`A restarted: ${served(A2.log()).length} requests, then mail sent by A, B, restarted A: ${sent2.join(', ')}`,
		);
		assert.ok(retried >= 1, 'nginx passed at least the first request after the kill to the other server');
	});
});
