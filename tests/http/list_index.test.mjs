// The in-memory list index (src/domain/cand_index.c, issue 6 « Scale,
// measured »): server A keeps an index for organisations of 50 candidates or
// more (CLR_LIST_INDEX_MIN=50), server B, on the same database, has none
// (CLR_LIST_INDEX_MIN=0) and answers every list from SQL.  For searches,
// status filters, both orders and pages, A's results fragment must be the
// same bytes as B's, and A's request log must show that its index answered.
// A change (a new candidate, a deletion) is visible on A at once (the list
// version differs: A answers from SQL until its index is rebuilt), and
// another organisation sees only its own candidates.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, newAdmin, loggedIn, clr, run, ROOT, textOf } from '../lib/server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until SRV has logged COUNT index builds (or more) matching RE. */
async function builds(srv, count, re = /msg="list index built"/g) {
	for (let i = 0; i < 200; i++) {
		const n = (srv.stderr().match(re) || []).length;
		if (n >= count) return n;
		await sleep(50);
	}
	throw new Error(`no list index built (wanted ${count}):\n${srv.stderr().slice(-2000)}`);
}

/** Requests answered by the index so far (log lines with list=index). */
const indexed = (srv) => (srv.stderr().match(/path=\/candidats status=200 dur_ms=[0-9.]+ list=index/g) || []).length;

/** The number of indexed requests once it reaches WANT (a request's log line
 * is written after its answer is sent), or what it is after 2 s. */
async function indexedReaches(srv, want) {
	for (let i = 0; i < 40 && indexed(srv) < want; i++) await sleep(50);
	return indexed(srv);
}

describe('list index', () => {
	let A, B, admin, c, cb, dir;
	before(async () => {
		A = await startServer({ env: { CLR_LIST_INDEX_MIN: '50' } });
		B = await startServer({ db: A.dbUrl, env: { CLR_LIST_INDEX_MIN: '0' } });
		admin = await newAdmin(A);
		dir = mkdtempSync(join(tmpdir(), 'clr-index-'));
		const file = join(dir, 'candidats.csv');
		// 400 realistic candidates: accents, hyphens, apostrophes, e-mail domains
		const g = await run('/usr/bin/python3', [join(ROOT, 'bench', 'gen_import.py'), '400', file], {
			env: { ...process.env, SEED: '7' },
		});
		assert.equal(g.code, 0, g.stderr);
		await clr(['candidates', 'import', '--org', admin.org, '--file', file, '--db', A.dbUrl]);
		c = await loggedIn(A, admin);
		cb = await loggedIn(B, admin);
	});
	after(async () => {
		await A?.stop();
		await B?.stop();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	const fragment = async (client, query) => {
		const r = await client.get(`/candidats?${query}${query ? '&' : ''}partiel=1`);
		assert.equal(r.status, 200, query);
		return r.text;
	};

	test('searches, filters, orders and pages: the same results as SQL, from the index', async () => {
		await c.get('/candidats?q=mar'); // asks for the build
		await builds(A, 1);
		const before = indexed(A);
		const queries = ['q=mar', 'q=MAR', 'q=h%C3%A9l%C3%A8ne', 'q=helene', 'q=e', 'q=le', 'q=jean-', "q=n'", 'q=gmail',
			'q=orange.fr', 'q=zzzz', 'q=%40', 'q=a+m', 'page=2', 'page=3', 'page=999', 'statut=a-attribuer&page=2'];
		let compared = 0;
		for (const q of queries)
			for (const extra of ['', '&ordre=desc', '&statut=a-attribuer', '&page=2']) {
				const query = q + extra;
				const [a, b] = [await fragment(c, query), await fragment(cb, query)];
				assert.equal(a, b, `results of ?${query} differ`);
				compared++;
			}
		assert.equal((await indexedReaches(A, before + compared)) - before, compared,
			'every one of these lists was answered by the index');
		assert.equal(indexed(B), 0, 'B has no index');
		// and the index found something: not a comparison of two empty lists
		assert.match(textOf(await fragment(c, 'q=mar')), /[1-9][0-9]* candidats?/);
	});

	test('a new or deleted candidate shows at once, then the index is rebuilt', async () => {
		const n0 = await builds(A, 1);
		await clr(['demo', '--candidates', '3', '--org', admin.org, '--db', A.dbUrl]); // « LOT Candidat 1..3 »
		const a = await fragment(c, 'q=lot+candidat');
		assert.match(textOf(a), /3 candidats/);
		assert.equal(a, await fragment(cb, 'q=lot+candidat'));
		await builds(A, n0 + 1); // the stale index was rebuilt in the background
		const before = indexed(A);
		assert.equal(await fragment(c, 'q=lot+candidat'), a);
		assert.equal(await indexedReaches(A, before + 1), before + 1);
		// a deletion through the page
		const id = /href="\/candidats\/(\d+)"/.exec(a)[1];
		const del = await c.get(`/candidats/${id}/supprimer`);
		assert.equal(del.status, 200);
		const r = await c.post(`/candidats/${id}/supprimer`, {});
		assert.equal(r.status, 303);
		assert.match(textOf(await fragment(c, 'q=lot+candidat')), /2 candidats/);
	});

	test("another organisation's list holds only its own candidates", async () => {
		const other = await newAdmin(A);
		await clr(['demo', '--candidates', '60', '--org', other.org, '--db', A.dbUrl]);
		const co = await loggedIn(A, other);
		await co.get('/candidats?q=candidat');
		await builds(A, 1, /msg="list index built" org=\d+ candidates=60 /g);
		const f = await fragment(co, 'q=candidat');
		assert.match(textOf(f), /60 candidats/);
		assert.doesNotMatch(f, /gmail|orange\.fr/); // none of the first organisation's e-mails
		assert.match(A.stderr(), /list=index/);
		// and the first organisation still does not see them
		assert.match(textOf(await fragment(c, 'q=lot+candidat')), /2 candidats/);
	});
});
