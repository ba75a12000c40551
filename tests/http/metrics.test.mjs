// GET /metrics, GET /readyz and X-Request-Id (issue 18): the Prometheus text
// is read back by a real parser (npm parse-prometheus-text-format); routes are
// labelled by their pattern from the route table, never the raw path; only
// CLR_METRICS_FROM may read it (404 otherwise); /readyz says 503 and why when
// the schema is behind the binary or the outbox is stuck.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, newAdmin, loggedIn, Client, sqlRows, run, ROOT, PG_URL } from '../lib/server.mjs';

async function scrape(srv, opts = {}) {
	const r = await fetch(`${srv.url}/metrics`, opts);
	const text = await r.text();
	assert.equal(r.status, 200, text.slice(0, 300));
	assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
	const families = parsePrometheusTextFormat(text);
	const byName = Object.fromEntries(families.map((f) => [f.name, f]));
	return { text, byName };
}

/** The server's log line of request ID (logged when it completes, just after its answer). */
async function logLine(srv, id) {
	for (let i = 0; i < 100; i++) {
		const l = srv.stderr().split('\n').find((x) => x.includes(`req=${id}`));
		if (l) return l;
		await new Promise((r) => setTimeout(r, 20));
	}
	return null;
}

const value = (fam, labels = {}) => {
	const m = fam.metrics.find((x) => Object.entries(labels).every(([k, v]) => (x.labels || {})[k] === v));
	return m ? Number(m.value) : undefined;
};

describe('metrics and readiness', () => {
	let srv, admin;
	before(async () => {
		srv = await startServer({ env: { CLR_OUTBOX_STUCK_S: '600' } });
		admin = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('/metrics parses, with every family of the brief, routes by pattern', async () => {
		const c = await loggedIn(srv, admin);
		await c.get('/accueil');
		await c.get('/commandes');
		await c.get('/commandes/999999'); // a pattern with {id}: 404
		await c.get('/nulle-part'); // no route
		const bad = new Client(srv.url);
		await bad.login(admin.email, 'pas-le-bon-mot-de-passe');

		// a request is counted when it completes, just after its answer
		// has left: scrape until the last one is in
		let text, byName;
		for (let i = 0; i < 40; i++) {
			({ text, byName } = await scrape(srv));
			if (value(byName.clr_http_requests_total, { route: '/connexion', method: 'POST', status: '4xx' }) >= 1) break;
			await new Promise((r) => setTimeout(r, 50));
		}
		for (const name of [
			'clr_http_requests_total', 'clr_http_request_duration_seconds', 'clr_http_requests_in_flight',
			'clr_http_connections', 'clr_http_connections_total', 'clr_login_failures_total', 'clr_login_throttled_total',
			'clr_db_errors_total', 'clr_db_reconnections_total', 'clr_db_connections_lost_total', 'clr_db_up',
			'clr_outbox_messages', 'clr_outbox_oldest_pending_age_seconds', 'clr_migrations_pending',
			'clr_list_index_bytes', 'clr_list_index_builds_total', 'clr_list_index_indexes',
			'clr_process_resident_memory_bytes',
		])
			assert.ok(byName[name], `family ${name} in:\n${text.slice(0, 2000)}`);

		const req = byName.clr_http_requests_total;
		assert.equal(req.type, 'COUNTER');
		assert.ok(value(req, { route: '/accueil', method: 'GET', status: '2xx' }) >= 1);
		assert.ok(value(req, { route: '/commandes/{id}', method: 'GET', status: '4xx' }) >= 1, 'the pattern, not the path');
		assert.ok(value(req, { route: '(none)', status: '4xx' }) >= 1, 'no route: one series');
		assert.ok(value(req, { route: '/connexion', method: 'POST', status: '4xx' }) >= 1);
		assert.ok(!text.includes('/commandes/999999') && !text.includes('/nulle-part'), 'no raw path in any label');

		const h = byName.clr_http_request_duration_seconds;
		assert.equal(h.type, 'HISTOGRAM');
		// the package folds a labelled histogram's series into one (its
		// flattenMetrics keeps no labels): read /accueil's lines ourselves
		const line = (suffix, extra = '') =>
			new RegExp(`^clr_http_request_duration_seconds_${suffix}\\{method="GET",route="/accueil"${extra}\\} (\\S+)$`, 'm');
		const buckets = [...text.matchAll(/^clr_http_request_duration_seconds_bucket\{method="GET",route="\/accueil",le="([^"]+)"\} (\d+)$/gm)];
		assert.ok(buckets.length >= 10, 'the buckets of /accueil');
		assert.equal(buckets.at(-1)[1], '+Inf');
		let prev = 0;
		for (const [, , n] of buckets) {
			assert.ok(+n >= prev, 'cumulative buckets');
			prev = +n;
		}
		assert.equal(+line('count').exec(text)[1], prev, 'count = the +Inf bucket');
		assert.ok(+line('sum').exec(text)[1] > 0);
		for (const f of Object.values(byName))
			if (f.type !== 'HISTOGRAM')
				for (const m of f.metrics) assert.ok(Number.isFinite(Number(m.value)), `${f.name}: a number`);

		assert.ok(value(byName.clr_login_failures_total) >= 1, 'the wrong password counted');
		assert.equal(value(byName.clr_db_up), 1);
		assert.equal(value(byName.clr_migrations_pending), 0);
		assert.ok(value(byName.clr_process_resident_memory_bytes) > 1e6);
		assert.ok(value(byName.clr_http_requests_in_flight) >= 1, 'the scrape itself is in flight');
		assert.ok(value(byName.clr_http_connections_total) >= 1);
		for (const s of ['pending', 'sending', 'sent', 'failed'])
			assert.notEqual(value(byName.clr_outbox_messages, { status: s }), undefined, `outbox ${s}`);
	});

	test('every response carries a fresh X-Request-Id, also in the log line', async () => {
		const a = await fetch(`${srv.url}/connexion`);
		const b = await fetch(`${srv.url}/nulle-part`);
		const ida = a.headers.get('x-request-id');
		const idb = b.headers.get('x-request-id');
		assert.match(ida, /^[0-9a-f]{16}$/);
		assert.match(idb, /^[0-9a-f]{16}$/);
		assert.notEqual(ida, idb);
		assert.match(await logLine(srv, ida), /path=\/connexion status=200 /);
	});

	test('authenticated requests log the user and organisation ids', async () => {
		const c = await loggedIn(srv, admin);
		const r = await c.get('/compte');
		const id = r.headers.get('x-request-id');
		const [[uid, oid]] = await sqlRows(srv, `SELECT id, org_id FROM users WHERE email = '${admin.email}'`);
		const line = await logLine(srv, id);
		assert.ok(line, 'the request is logged');
		assert.match(line, new RegExp(` user=${uid} org=${oid}\\b`));
		assert.ok(!line.includes(admin.email), 'no e-mail in the line');
	});

	test('/readyz: 200 JSON when ready; 503 with the reason when the outbox is stuck or migrations are pending', async () => {
		let r = await fetch(`${srv.url}/readyz`);
		let j = await r.json();
		assert.equal(r.status, 200, JSON.stringify(j));
		assert.equal(j.ready, true);
		assert.deepEqual(j.reasons, []);
		assert.equal(j.outbox_stuck_after_s, 600);

		const old = Math.floor(Date.now() / 1000) - 3600;
		await sqlRows(srv, `INSERT INTO outbox (created_at, kind, recipient, subject, message, status, next_attempt_at)
			VALUES (${old}, 'mail.test', 'bloque@example.test', 'Test', 'x', 'pending', ${old})`);
		r = await fetch(`${srv.url}/readyz`);
		j = await r.json();
		assert.equal(r.status, 503);
		assert.equal(j.ready, false);
		assert.deepEqual(j.reasons, ['outbox']);
		assert.ok(j.outbox_oldest_pending_s >= 3600);
		assert.match(j.message, /courriels/i);
		const { byName } = await scrape(srv);
		assert.ok(value(byName.clr_outbox_oldest_pending_age_seconds) >= 3600);
		await sqlRows(srv, `DELETE FROM outbox WHERE recipient = 'bloque@example.test'`);

		const [[ver]] = await sqlRows(srv, 'SELECT MAX(version) FROM schema_migrations');
		await sqlRows(srv, `DELETE FROM schema_migrations WHERE version = '${ver}'`);
		try {
			r = await fetch(`${srv.url}/readyz`);
			j = await r.json();
			assert.equal(r.status, 503);
			assert.deepEqual(j.reasons, ['migrations']);
			assert.equal(j.migrations_pending, 1);
		} finally {
			await sqlRows(srv, `INSERT INTO schema_migrations (version, applied_at) VALUES ('${ver}', 0)`);
		}
		r = await fetch(`${srv.url}/readyz`);
		assert.equal(r.status, 200);
		await r.text();
	});

	test('GET /healthz stays plain liveness', async () => {
		const r = await fetch(`${srv.url}/healthz`);
		assert.equal(r.status, 200);
		assert.equal(await r.text(), 'ok\n');
	});
});

describe('metrics access', () => {
	test('an address outside CLR_METRICS_FROM gets 404, as if /metrics did not exist', async () => {
		const srv = await startServer({ env: { CLR_METRICS_FROM: '10.0.0.0/8, fd00::/8' } });
		try {
			const r = await fetch(`${srv.url}/metrics`);
			const t = await r.text();
			assert.equal(r.status, 404);
			assert.ok(!t.includes('clr_http'), 'nothing of the metrics');
			const ok = await fetch(`${srv.url}/readyz`);
			assert.equal(ok.status, 200, 'readiness stays open to probes');
			await ok.text();
		} finally {
			await srv.stop();
		}
	});

	test('a client behind a trusted proxy is judged by its own address', async () => {
		const srv = await startServer({ env: { CLR_TRUSTED_PROXIES: '127.0.0.1' } });
		try {
			const r = await fetch(`${srv.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
			await r.text();
			assert.equal(r.status, 404, 'the proxy forwards a public client: refused');
			const l = await fetch(`${srv.url}/metrics`);
			await l.text();
			assert.equal(l.status, 200, 'the loopback itself: allowed');
		} finally {
			await srv.stop();
		}
	});
});


describe('readiness when PostgreSQL is down', { skip: !PG_URL && 'PostgreSQL only (CLR_TEST_PG_URL)' }, () => {
	// a private cluster: stopping the shared one would break the other test files
	const PG_SH = join(ROOT, 'tests/lib/pg.sh');
	const pgsh = async (cmd, dir) => {
		const r = await run('bash', [PG_SH, cmd, dir], { timeout: 120000 });
		if (r.code !== 0) throw new Error(`pg.sh ${cmd} failed (${r.code}): ${r.stderr}`);
		return r.stdout.trim();
	};
	let dir, srv;
	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'clr-readyz-'));
		// a page waits CLR_DB_WAIT_S for the database to come back; /readyz must not
		srv = await startServer({ db: await pgsh('start', dir), env: { CLR_DB_WAIT_S: '60' } });
	});
	after(async () => {
		try {
			await srv?.stop();
		} finally {
			await run('bash', [PG_SH, 'stop', dir]);
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test('503 « database » while it is stopped, counted; 200 again once it is back', async () => {
		for (let i = 0; i < 8; i++) { // every server thread opens its connection
			const r = await fetch(`${srv.url}/readyz`, { headers: { connection: 'close' } });
			assert.equal(r.status, 200);
			await r.text();
		}
		await pgsh('stop', dir);
		try {
			// answered without waiting the 60 s a page would (the fetch gives up at 20 s)
			const r = await fetch(`${srv.url}/readyz`, { signal: AbortSignal.timeout(20000) });
			assert.equal(r.status, 503);
			const j = await r.json();
			assert.equal(j.ready, false);
			assert.deepEqual(j.reasons, ['database']);
			assert.equal(j.database, 'unreachable');
			assert.match(j.message, /base de données ne répond pas/);
			const { byName } = await scrape(srv, { signal: AbortSignal.timeout(20000) });
			assert.equal(value(byName.clr_db_up), 0);
			assert.ok(value(byName.clr_db_unreachable_total) >= 1);
		} finally {
			await pgsh('restart', dir);
		}
		const r = await fetch(`${srv.url}/readyz`);
		assert.equal(r.status, 200, await r.text());
		const { byName } = await scrape(srv);
		assert.ok(value(byName.clr_db_reconnections_total) >= 1, 'the reconnection is counted');
		assert.equal(value(byName.clr_db_up), 1);
	});
});
