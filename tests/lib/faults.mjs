// faults.mjs - helpers of the fault tests (tests/http/sqlite_faults.test.mjs,
// crash.test.mjs): a `clr serve` started on an existing database without
// migrating it, optionally under another user (`setpriv`, for a read-only
// file: root ignores file permissions) and killed with SIGKILL; a candidates
// file made by bench/gen_import.py and its upload; the invariants that must
// hold in any state the database is left in (the stock ledger, the
// per-organisation counters, the outbox against what was created).

import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { BIN, ROOT, run, freePort, sanitizerReport, unsetTemplateVariables, unescapeHtml, sqlRows } from './server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The uid/gid of `nobody`, as setpriv arguments, to run a server as a plain user. */
export const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

/**
 * `clr serve` on dbUrl as it is (no `clr migrate`), with env added to the
 * environment and wrap (e.g. AS_NOBODY) before the binary. Returns
 * {url, port, proc, stderr(), kill(sig), stop()}; stop() sends SIGTERM and
 * fails, as startServer()'s does, on an unclean exit, a sanitizer report or a
 * template variable set nowhere.
 */
export async function serveOn(dbUrl, { env: extra = {}, wrap = [] } = {}) {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const env = { ...process.env, CLR_TMPL_STRICT: '1', ...extra };
	const args = ['serve', '--db', dbUrl, '--port', String(port), '--listen', '127.0.0.1'];
	const proc = wrap.length ? spawn(wrap[0], [...wrap.slice(1), BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
		: spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
	let err = '';
	proc.stdout.on('data', () => {});
	proc.stderr.on('data', (d) => (err += d));
	let exit = null;
	const exited = new Promise((r) =>
		proc.on('exit', (code, signal) => {
			exit = { code, signal };
			saveLog(port, err);
			r(exit);
		}),
	);
	const deadline = Date.now() + 30000;
	for (;;) {
		if (exit) throw new Error(`clr serve exited ${JSON.stringify(exit)}: ${err}`);
		try {
			const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
			await r.text();
			if (r.status === 200) break;
		} catch {
			/* not yet */
		}
		if (Date.now() > deadline) {
			proc.kill('SIGKILL');
			throw new Error(`clr serve did not come up: ${err}`);
		}
		await sleep(50);
	}
	return {
		url,
		port,
		proc,
		stderr: () => err,
		async kill(sig = 'SIGKILL') {
			if (!exit) proc.kill(sig);
			return exited;
		},
		async stop() {
			const before = exit;
			if (!exit) proc.kill('SIGTERM');
			const t = setTimeout(() => proc.kill('SIGKILL'), 20000);
			const st = await exited;
			clearTimeout(t);
			const rep = sanitizerReport(err);
			if (rep) throw new Error(`sanitizer report in server stderr:\n${rep}`);
			const unset = unsetTemplateVariables(err);
			if (unset) throw new Error(`template variables set nowhere in their view (CLR_TMPL_STRICT):\n${unset}`);
			if (before) throw new Error(`server died during the test: ${JSON.stringify(before)}\n${err.slice(-2000)}`);
			if (st.signal || st.code !== 0) throw new Error(`server did not exit cleanly: ${JSON.stringify(st)}\n${err.slice(-2000)}`);
		},
	};
}

/** The server's stderr in build/test-logs/servers/<test file>-<port>.log, as startServer() keeps it. */
function saveLog(port, text) {
	try {
		const dir = process.env.CLR_TEST_LOG_DIR || join(ROOT, 'build', 'test-logs', 'servers');
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, `${basename(process.argv[1] || 'node').replace(/\.m?js$/, '')}-${port}.log`), text);
	} catch {
		/* best effort */
	}
}

/** A candidates file of n lines (bench/gen_import.py, seeded): its text. */
export async function importFile(n, path, seed = 7) {
	const r = await run('/usr/bin/python3', [join(ROOT, 'bench/gen_import.py'), String(n), path], {
		env: { ...process.env, SEED: String(seed) },
	});
	if (r.code !== 0) throw new Error(`gen_import.py failed: ${r.stderr}`);
	return readFileSync(path, 'utf8');
}

/** « Importer des candidats », step 1: the report page for content. */
export async function uploadImport(c, content, filename = 'candidats.csv') {
	const fd = new FormData();
	fd.append('csrf', await c.ensureCsrf('/candidats/import'));
	fd.append('fichier', new Blob([content], { type: 'text/csv' }), filename);
	return c.request('POST', '/candidats/import', { body: fd });
}

/** The « Confirmer l'import » URL of a report page, or null. */
export function confirmUrl(html) {
	const m = /action="(\/candidats\/import\/[^"/]+\/confirmer)"/.exec(html);
	return m ? unescapeHtml(m[1]) : null;
}

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

/**
 * What must hold whatever state the database was left in, for organisation
 * org: each stock balance equals the sum of its ledger movements; the
 * per-status counters (candidate_counts) equal a recount; every credentials
 * e-mail and notice in the outbox names a candidate that exists. Returns
 * {candidates, certifications, outbox} counts for the organisation.
 */
export async function checkInvariants(srv, org) {
	// fresh statistics: after a bulk insert PostgreSQL would plan the anti-join below on empty tables
	if (!srv.dbUrl.startsWith('sqlite:')) await sqlRows(srv, 'ANALYZE');
	const ledger = await sqlRows(srv, `SELECT b.org_id, b.product_id, b.qty, (SELECT COALESCE(SUM(m.qty), 0) FROM stock_movements m
		WHERE m.org_id = b.org_id AND m.product_id = b.product_id) FROM stock_balances b`);
	for (const [o, p, qty, sum] of ledger) if (qty !== sum) throw new Error(`org ${o} product ${p}: balance ${qty}, movements ${sum}`);
	const counts = await sqlRows(srv, `SELECT k.status, COUNT(*), (SELECT COALESCE(SUM(n), 0) FROM candidate_counts x
		WHERE x.org_id = k.org_id AND x.status = k.status) FROM candidates k JOIN organisations o ON o.id = k.org_id
		WHERE o.name = ${q(org)} GROUP BY k.org_id, k.status`);
	for (const [status, n, counted] of counts)
		if (n !== counted) throw new Error(`status ${status}: ${n} candidates, candidate_counts says ${counted}`);
	const [[total, counted]] = await sqlRows(srv, `SELECT (SELECT COUNT(*) FROM candidates k JOIN organisations o ON o.id = k.org_id
		WHERE o.name = ${q(org)}), (SELECT COALESCE(SUM(n), 0) FROM candidate_counts x JOIN organisations o ON o.id = x.org_id
		WHERE o.name = ${q(org)})`);
	if (total !== counted) throw new Error(`${total} candidates, candidate_counts says ${counted}`);
	const [[orphans]] = await sqlRows(srv, `SELECT COUNT(*) FROM outbox m JOIN organisations o ON o.id = m.org_id
		WHERE o.name = ${q(org)} AND m.kind LIKE 'candidate.%'
		AND NOT EXISTS (SELECT 1 FROM candidates k WHERE k.org_id = m.org_id AND k.email = m.recipient)`);
	if (orphans !== '0') throw new Error(`${orphans} e-mails in the outbox for candidates that do not exist`);
	const [[certs, outbox]] = await sqlRows(srv, `SELECT
		(SELECT COUNT(*) FROM certifications x JOIN organisations o ON o.id = x.org_id WHERE o.name = ${q(org)}),
		(SELECT COUNT(*) FROM outbox m JOIN organisations o ON o.id = m.org_id WHERE o.name = ${q(org)})`);
	return { candidates: +total, certifications: +certs, outbox: +outbox };
}
