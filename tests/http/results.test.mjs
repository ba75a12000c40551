// Results: the API keys of the back office (« Clés d'API »: shown once,
// stored hashed, revoked), POST /api/v1/results (201 then 200 for the same
// result, 409 for another score, 422 with a reason for each refusal, 404,
// 401, 413, 415, and never a 500 whatever the body), the candidate « Passée »
// with the score on their page and the result e-mail, the same result posted
// 50 times at once (exactly one score, one history row, one e-mail: on
// PostgreSQL the row lock of domain/result.c makes it hold), the staff's CSV
// import in two steps (report changing nothing, confirmation, CSRF), `clr
// results import`, and every real answer validated against docs/openapi.yaml
// (npm @seriousme/openapi-schema-validator + ajv, devDependencies).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
	ROOT, startServer, newAdmin, newStaff, loggedIn, textOf, unescapeHtml, uniqueEmail, clr, sqlRows, rawRequest,
	inputValue,
} from '../lib/server.mjs';
import { parseMail } from '../lib/mail.mjs';

const one = async (srv, q) => (await sqlRows(srv, q))[0]?.[0];

/** Today + days in Europe/Paris: « jj/mm/aaaa ». */
function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}
const isoOf = (fr) => fr.split('/').reverse().join('-');

const dashed = (c) => `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8)}`;

/** A complete candidate (« À attribuer ») over HTTP. */
async function candidate(c, first) {
	const email = uniqueEmail('cand');
	const last = 'Résultat' + Array.from(randomBytes(6), (x) => String.fromCharCode(97 + (x % 26))).join('');
	let r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: last, birth_name: '', first_name: first, email,
		birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
	});
	const m = /^\/candidats\/(\d+)\/etape\/2$/.exec(r.headers.get('location') || '');
	assert.ok(m, `candidate created: ${r.status} ${textOf(r.text).slice(0, 300)}`);
	const id = +m[1];
	r = await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'non', action: 'next' });
	assert.equal(r.status, 303);
	r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
	assert.equal(r.status, 303);
	return { id, email, last, first };
}

/** « Valider l'attribution » of a self-proctored session on DATE for ids. */
async function assign(c, product, date, ids) {
	const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: product, date, lieu: 'Salle 4' }));
	assert.equal(page.status, 200, textOf(page.text).slice(0, 300));
	const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(page.text);
	assert.ok(f, 'the assignment form');
	const p = new URLSearchParams();
	for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) p.append(m[1], unescapeHtml(m[2]));
	for (const id of ids) p.append('ids', String(id));
	const r = await c.post('/certifications/surveillance', p.toString());
	assert.equal(r.status, 303, textOf(r.text).slice(0, 500));
}

// Every answer of the API seen by these tests, for the OpenAPI check at the end.
const answers = [];

describe('results: API keys, POST /api/v1/results, CSV import', () => {
	let srv, admin, staff, staff2, c, s, s2, KEY, keyId;
	const cert = {}; // name -> {id, code, cand}

	/** POST /api/v1/results with BODY (an object is JSON-encoded; a string or Buffer is sent as is). */
	async function api(body, { key = KEY, type = 'application/json', path = '/api/v1/results', method = 'POST' } = {}) {
		const headers = {};
		if (key !== null) headers.authorization = `Bearer ${key}`;
		if (type) headers['content-type'] = type;
		const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
		const res = await fetch(srv.url + path, { method, headers, body: method === 'GET' ? undefined : raw });
		const text = await res.text();
		let json = null;
		try {
			json = JSON.parse(text);
		} catch {
			/* checked by the callers */
		}
		const a = { status: res.status, type: res.headers.get('content-type'), json, text, headers: res.headers };
		answers.push(a);
		return a;
	}
	const isError = (a, status, error) => {
		assert.equal(a.status, status, a.text);
		assert.match(a.type, /^application\/json/);
		assert.ok(a.json && typeof a.json.message === 'string' && a.json.message.length > 10, a.text);
		if (error) assert.equal(a.json.error, error, a.text);
	};
	/** The server's log once it matches re (a request's line is written after its answer is sent). */
	async function logMatching(re) {
		const deadline = Date.now() + 5000;
		while (!re.test(srv.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		return srv.stderr();
	}
	const takenCount = async () => +(await one(srv, "SELECT COUNT(*) FROM certifications WHERE state = 'taken'"));

	before(async () => {
		// several worker threads, so that concurrent requests really race on PostgreSQL
		srv = await startServer({ args: ['--threads', '8'], env: { CLR_MAIL_POLL_MS: '100' } });
		admin = await newAdmin(srv, { org: `Lycée Colette ${randomBytes(3).toString('hex')}` });
		staff = await newStaff(srv);
		staff2 = await newStaff(srv);
		c = await loggedIn(srv, admin);
		s = await loggedIn(srv, staff);
		s2 = await loggedIn(srv, staff2);
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '40', '--reason', 'test']);
		const product = await one(srv, "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'");
		const today = ['main', 'byid', 'race', 'mixed', 'revoked', 'cancelled', 'expired', 'junk', 'csv1', 'csv2', 'csv3', 'cli1', 'cli2'];
		const people = {};
		for (const name of [...today, 'future']) people[name] = await candidate(c, 'Zoé');
		await assign(c, product, frDate(0), today.map((n) => people[n].id));
		await assign(c, product, frDate(3), [people.future.id]);
		// « Générer les codes » on each session's page
		for (const [sid] of await sqlRows(srv, `SELECT DISTINCT session_id FROM certifications WHERE candidate_id IN (${Object.values(people).map((p) => p.id).join(', ')})`)) {
			const r = await c.post(`/certifications/sessions/${sid}/codes`, {});
			assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		}
		for (const [name, p] of Object.entries(people)) {
			const [[id, code]] = await sqlRows(srv, `SELECT c.id, k.code FROM certifications c JOIN activation_codes k ON k.certification_id = c.id AND k.revoked_at IS NULL WHERE c.candidate_id = ${p.id}`);
			cert[name] = { id: +id, code, cand: p };
		}
	});
	after(async () => srv && srv.stop());

	test('« Clés d\'API »: staff only, a name is required, CSRF, the key shown once and stored hashed', async () => {
		for (const path of ['/backoffice/cles-api', '/backoffice/resultats'])
			assert.equal((await c.get(path)).status, 403, `an administrator: ${path}`);
		assert.equal((await c.post('/backoffice/cles-api', { name: 'Pirate' })).status, 403);
		let r = await s.get('/backoffice/cles-api');
		assert.equal(r.status, 200);
		assert.match(r.text, /href="\/backoffice\/cles-api" aria-current="page">Clés d'API</);
		assert.match(r.text, /href="\/backoffice\/resultats"[^>]*>Résultats</);
		assert.ok(textOf(r.text).includes('Aucune clé pour le moment'));
		r = await s.post('/backoffice/cles-api', { name: '  ' });
		assert.equal(r.status, 422);
		assert.match(unescapeHtml(/id="name-err">([^<]*)</.exec(r.text)[1]), /Donnez un nom à la clé/);
		r = await s.post('/backoffice/cles-api', { name: 'Sans jeton', csrf: 'faux' });
		assert.equal(r.status, 403);
		assert.equal(+await one(srv, 'SELECT COUNT(*) FROM api_keys'), 0, 'nothing created');
		r = await s.post('/backoffice/cles-api', { name: 'Plateforme d\'examen (production)' });
		assert.equal(r.status, 201, textOf(r.text).slice(0, 300));
		KEY = inputValue(r.text, 'api-key');
		assert.match(KEY, /^clr_live_[A-Za-z0-9_-]{43}$/);
		assert.ok(textOf(r.text).includes('elle ne sera plus jamais affichée'));
		assert.match(r.headers.get('cache-control') || '', /no-store/);
		const list = await s.get('/backoffice/cles-api');
		assert.ok(!list.text.includes(KEY), 'the list never shows the whole key');
		const t = textOf(list.text);
		assert.ok(t.includes('Plateforme d\'examen (production)') && t.includes(KEY.slice(0, 13)) && t.includes('Jamais') && t.includes('Active'), t);
		const rows = await sqlRows(srv, 'SELECT * FROM api_keys');
		assert.equal(rows.length, 1);
		assert.ok(!rows[0].some((cell) => cell.includes(KEY.slice(9))), 'no column holds the key');
		keyId = +rows[0][0];
		assert.equal(await one(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'api_key.create' AND object_id = ${keyId}`), '1');
	});

	test('401: no key, another scheme, a malformed or unknown key; the log names the key by id or « none »', async () => {
		const body = { code: cert.main.code, score: 750 };
		isError(await api(body, { key: null }), 401, 'cle_absente');
		const basic = await fetch(srv.url + '/api/v1/results', { method: 'POST', headers: { authorization: 'Basic eDp5', 'content-type': 'application/json' }, body: JSON.stringify(body) });
		assert.equal(basic.status, 401);
		isError(await api(body, { key: 'clr_live_court' }), 401, 'cle_invalide');
		const unknown = await api(body, { key: 'clr_live_' + randomBytes(32).toString('base64url') });
		isError(unknown, 401, 'cle_invalide');
		assert.match(unknown.headers.get('www-authenticate') || '', /^Bearer/);
		isError(await api(body, { key: KEY.slice(0, -1) + (KEY.endsWith('A') ? 'B' : 'A') }), 401, 'cle_invalide');
		assert.equal(await takenCount(), 0);
		// a session cookie is no key: the API ignores it
		const withCookie = await fetch(srv.url + '/api/v1/results', { method: 'POST', headers: { cookie: s.cookieHeader(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
		assert.equal(withCookie.status, 401);
		const lines401 = () => srv.stderr().split('\n').filter((l) => l.includes('path=/api/v1/results') && l.includes('status=401'));
		for (let i = 0; i < 100 && lines401().length < 6; i++) await new Promise((r) => setTimeout(r, 50));
		const lines = lines401();
		assert.ok(lines.length >= 5 && lines.every((l) => /api_key=none/.test(l)), lines.join('\n'));
	});

	test('201 then 200 for the same result; 409 for another; the candidate « Passée » with the score, told by e-mail', async () => {
		let a = await api({ code: dashed(cert.main.code), score: 750, duration_s: 5880, taken_at: isoOf(frDate(0)) });
		assert.equal(a.status, 201, a.text);
		assert.deepEqual(a.json, { certification_id: cert.main.id, score: 750, state: 'taken', status: 'created' });
		a = await api({ code: dashed(cert.main.code), score: 750 });
		assert.equal(a.status, 200, a.text);
		assert.deepEqual(a.json, { certification_id: cert.main.id, score: 750, state: 'taken', status: 'unchanged' });
		// the same by its id, and its code typed in lower case without dashes
		assert.equal((await api({ certification_id: cert.main.id, score: 750 })).status, 200);
		assert.equal((await api({ code: cert.main.code.toLowerCase(), score: 750, duration_s: null, taken_at: null })).status, 200);
		a = await api({ code: cert.main.code, score: 751 });
		isError(a, 409, 'score_deja_enregistre');
		assert.match(a.json.message, /750 \/ 1000/);
		assert.match(a.json.message, /seul le service Certification Le Robert peut le corriger/);
		assert.match(a.json.message, /score \(750 \/ 1000\)\u00a0: seul/, 'French typography: U+00A0 before « : »');
		isError(await api({ certification_id: cert.main.id, score: 0 }), 409, 'score_deja_enregistre');
		const row = await sqlRows(srv, `SELECT state, score, duration_s, result_source, taken_at FROM certifications WHERE id = ${cert.main.id}`);
		assert.deepEqual(row, [['taken', '750', '5880', 'api', isoOf(frDate(0))]], 'the day it was sat is kept');
		assert.deepEqual(await sqlRows(srv, `SELECT status, score FROM candidates WHERE id = ${cert.main.cand.id}`), [['done', '750']]);
		assert.equal(await one(srv, `SELECT COUNT(*) FROM certification_events WHERE certification_id = ${cert.main.id} AND action = 'result'`), '1');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM outbox WHERE kind = 'candidate.result' AND recipient LIKE '%${cert.main.cand.email}%'`), '1');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'result.receive' AND object_id = ${cert.main.id}`), '1');
		assert.ok((await one(srv, `SELECT detail FROM audit_log WHERE action = 'result.receive' AND object_id = ${cert.main.id}`)).includes(`clé d'API n° ${keyId}`));
		assert.ok(await one(srv, `SELECT revoked_at FROM activation_codes WHERE certification_id = ${cert.main.id}`), 'the code stops working');
		const page = textOf((await c.get(`/candidats/${cert.main.cand.id}`)).text);
		assert.ok(page.includes('Passée') && page.includes('750 / 1000'), page.slice(0, 1500));
		// the e-mail, delivered to the server's mail folder
		const deadline = Date.now() + 15000;
		let mail = null;
		while (!mail && Date.now() < deadline) {
			for (const f of (await import('node:fs')).readdirSync(srv.mailDir).filter((x) => x.endsWith('.eml'))) {
				const m = await parseMail(join(srv.mailDir, f));
				if ((m.headers.To || '').includes(cert.main.cand.email) && /résultat/.test(m.headers.Subject)) mail = m;
			}
			if (!mail) await new Promise((r) => setTimeout(r, 200));
		}
		assert.ok(mail, 'the result e-mail');
		assert.equal(mail.headers.Subject, 'Votre résultat à la Certification Le Robert est disponible');
		// the log line names the key by its id, never the key
		const created = new RegExp(`path=/api/v1/results status=201 [^\\n]*api_key=${keyId} certification=${cert.main.id} result=created`);
		const log = await logMatching(created);
		assert.ok(!log.includes(KEY) && !log.includes(KEY.slice(9)), 'the key never reaches the log');
		assert.match(log, created);
		assert.equal(await one(srv, `SELECT COUNT(*) FROM api_keys WHERE id = ${keyId} AND last_used_at IS NOT NULL`), '1');
	});

	test('by certification_id: 201; an unknown one is a 404', async () => {
		const a = await api({ certification_id: cert.byid.id, score: 612 });
		assert.equal(a.status, 201, a.text);
		assert.equal(a.json.certification_id, cert.byid.id);
		isError(await api({ certification_id: 999999, score: 612 }), 404, 'certification_inconnue');
	});

	test('the same result 50 times at once: one score, one history row, one e-mail', async () => {
		const id = cert.race.id;
		const all = await Promise.all(Array.from({ length: 50 }, () => api({ code: cert.race.code, score: 833 })));
		const statuses = all.map((x) => x.status);
		assert.equal(statuses.filter((x) => x === 201).length, 1, statuses.join(','));
		assert.equal(statuses.filter((x) => x === 200).length, 49, statuses.join(','));
		assert.ok(all.every((x) => x.json.certification_id === id && x.json.score === 833));
		assert.deepEqual(await sqlRows(srv, `SELECT state, score FROM certifications WHERE id = ${id}`), [['taken', '833']]);
		assert.equal(await one(srv, `SELECT COUNT(*) FROM certification_events WHERE certification_id = ${id} AND action = 'result'`), '1');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM outbox WHERE kind = 'candidate.result' AND recipient LIKE '%${cert.race.cand.email}%'`), '1');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'certification.result' AND object_id = ${id}`), '1');
		assert.deepEqual(await sqlRows(srv, `SELECT status, score FROM candidates WHERE id = ${cert.race.cand.id}`), [['done', '833']]);
	});

	test('two different scores at once: the first recorded wins, the same ones 200, the others 409', async () => {
		const id = cert.mixed.id;
		const all = await Promise.all(Array.from({ length: 40 }, (_, i) => api({ certification_id: id, score: i % 2 ? 700 : 800 })));
		const won = all.filter((x) => x.status === 201);
		assert.equal(won.length, 1, all.map((x) => x.status).join(','));
		const score = won[0].json.score;
		for (const x of all) {
			if (x.status === 201) continue;
			if (x.json.score === score) assert.equal(x.status, 200);
			else isError(x, 409, 'score_deja_enregistre');
		}
		assert.deepEqual(await sqlRows(srv, `SELECT score FROM certifications WHERE id = ${id}`), [[String(score)]]);
		assert.equal(await one(srv, `SELECT COUNT(*) FROM certification_events WHERE certification_id = ${id} AND action = 'result'`), '1');
	});

	test('422 with its reason: unknown, replaced, expired and not yet valid codes; cancelled; exam to come', async () => {
		const before = await takenCount();
		let a = await api({ code: 'ABCD-EFGH-JKMN', score: 500 });
		isError(a, 422, 'code_inconnu');
		assert.match(a.json.message, /n'existe pas/);
		isError(await api({ code: 'pas un code', score: 500 }), 422, 'code_inconnu');
		// a code replaced by a new one: « Régénérer le code »
		assert.equal((await c.post(`/certifications/${cert.revoked.id}/code`, {})).status, 303);
		const fresh = await one(srv, `SELECT code FROM activation_codes WHERE certification_id = ${cert.revoked.id} AND revoked_at IS NULL`);
		assert.notEqual(fresh, cert.revoked.code);
		isError(await api({ code: cert.revoked.code, score: 500 }), 422, 'code_revoque');
		assert.equal((await api({ code: fresh, score: 640 })).status, 201);
		isError(await api({ code: cert.revoked.code, score: 640 }), 422, 'code_revoque', 'the old code stays refused once scored');
		assert.equal((await api({ code: fresh, score: 640 })).status, 200, 'the code revoked by its own result still resends');
		// cancelled: by code and by id
		assert.equal((await c.post(`/certifications/${cert.cancelled.id}/annuler`, {})).status, 303);
		isError(await api({ code: cert.cancelled.code, score: 500 }), 422, 'certification_annulee');
		isError(await api({ certification_id: cert.cancelled.id, score: 500 }), 422, 'certification_annulee');
		// to come (3 days from now)
		a = await api({ code: cert.future.code, score: 500 });
		isError(a, 422, 'code_pas_encore_valide');
		assert.ok(a.json.message.includes(frDate(3)), a.json.message);
		isError(await api({ certification_id: cert.future.id, score: 500 }), 422, 'examen_a_venir');
		// expired: the exam was 10 days ago, its code worked 7 days
		await sqlRows(srv, `UPDATE certifications SET exam_date = '${isoOf(frDate(-10))}' WHERE id = ${cert.expired.id}`);
		a = await api({ code: cert.expired.code, score: 500 });
		isError(a, 422, 'code_expire');
		assert.ok(a.json.message.includes(frDate(-3)), a.json.message);
		isError(await api({ code: cert.expired.code, score: 500, taken_at: isoOf(frDate(-1)) }), 422, 'code_expire');
		isError(await api({ code: cert.main.code, score: 750, taken_at: isoOf(frDate(1)) }), 422, 'date_invalide');
		isError(await api({ certification_id: cert.byid.id, score: 1, taken_at: isoOf(frDate(1)) }), 422, 'date_invalide');
		assert.equal(await takenCount(), before + 1, 'only the fresh code\'s result');
		// sat while the code worked, scored later: taken_at lets it in
		a = await api({ code: cert.expired.code, score: 501, taken_at: isoOf(frDate(-9)) });
		assert.equal(a.status, 201, a.text);
		assert.ok((await one(srv, `SELECT detail FROM audit_log WHERE action = 'result.receive' AND object_id = ${cert.expired.id}`)).includes(`passé le ${frDate(-9)}`));
		assert.equal(await one(srv, `SELECT taken_at FROM certifications WHERE id = ${cert.expired.id}`), isoOf(frDate(-9)));
	});

	test('bad input of every kind: 400 or 422, JSON, never a 500, nothing changed', async () => {
		const before = await takenCount();
		const code = cert.junk.code;
		const deep = '['.repeat(5000) + ']'.repeat(5000);
		const cases = [
			['', 400, 'json_invalide'], ['{', 400, 'json_invalide'], ['{"code": "x", "score": 1,}', 400, 'json_invalide'],
			["{'code': 'x'}", 400, 'json_invalide'], [deep, 400, 'json_invalide'],
			[Buffer.from([0x7b, 0x22, 0x63, 0x00, 0x22, 0x3a, 0x31, 0x7d]), 400, 'json_invalide'], // a raw NUL byte
			[Buffer.from('{"code": "\xff\xfe", "score": 1}', 'latin1'), 400, 'json_invalide'], // not UTF-8
			[`{"code": "${code}\\u0000", "score": 700}`, 400, 'json_invalide'], // an escaped NUL
			['[]', 422, 'corps_invalide'], ['[{"code": "x", "score": 1}]', 422, 'corps_invalide'], ['null', 422, 'corps_invalide'],
			['"texte"', 422, 'corps_invalide'], ['750', 422, 'corps_invalide'],
			[{}, 422, 'certification_absente'], [{ score: 700 }, 422, 'certification_absente'],
			[{ code, certification_id: cert.junk.id, score: 700 }, 422, 'code_et_certification'],
			[{ code: 12, score: 700 }, 422, 'code_invalide'], [{ code: ['a'], score: 700 }, 422, 'code_invalide'],
			[{ code: { x: { y: [1, { z: null }] } }, score: 700 }, 422, 'code_invalide'], [{ code: '', score: 700 }, 422, 'code_invalide'],
			[{ code: 'A'.repeat(65), score: 700 }, 422, 'code_invalide'], [{ code: 'A'.repeat(60000), score: 700 }, 422, 'code_invalide'],
			[{ certification_id: '12', score: 700 }, 422, 'certification_id_invalide'], [{ certification_id: 1.5, score: 700 }, 422, 'certification_id_invalide'],
			[{ certification_id: -3, score: 700 }, 422, 'certification_id_invalide'], [{ certification_id: 0, score: 700 }, 422, 'certification_id_invalide'],
			[{ code }, 422, 'score_absent'], [{ code, score: null }, 422, 'score_absent'],
			[{ code, score: 750.5 }, 422, 'score_invalide'], [{ code, score: 750.0 + 0.25 }, 422, 'score_invalide'],
			[`{"code": "${code}", "score": 750.0}`, 422, 'score_invalide'], [`{"code": "${code}", "score": 1e3}`, 422, 'score_invalide'],
			[{ code, score: '750' }, 422, 'score_invalide'], [{ code, score: -1 }, 422, 'score_invalide'], [{ code, score: 1001 }, 422, 'score_invalide'],
			[{ code, score: true }, 422, 'score_invalide'], [{ code, score: [750] }, 422, 'score_invalide'], [{ code, score: { v: 750 } }, 422, 'score_invalide'],
			[`{"code": "${code}", "score": 99999999999999999999999999}`, 422, 'nombre_invalide'],
			[`{"code": "${code}", "score": 1e999}`, 422, 'nombre_invalide'],
			[`{"code": "${code}", "score": -9223372036854775809}`, 422, 'nombre_invalide'],
			[`{"code": "${code}", "score": 9223372036854775807}`, 422, 'score_invalide'],
			[{ code, score: 700, duration_s: -1 }, 422, 'duree_invalide'], [{ code, score: 700, duration_s: 1.5 }, 422, 'duree_invalide'],
			[{ code, score: 700, duration_s: '60' }, 422, 'duree_invalide'], [{ code, score: 700, duration_s: 86401 }, 422, 'duree_invalide'],
			[{ code, score: 700, taken_at: '2026-13-01' }, 422, 'date_invalide'], [{ code, score: 700, taken_at: '15/12/2026' }, 422, 'date_invalide'],
			[{ code, score: 700, taken_at: 20261215 }, 422, 'date_invalide'], [{ code, score: 700, taken_at: '2026-02-30' }, 422, 'date_invalide'],
			[{ code, score: 700, taken_at: isoOf(frDate(2)) }, 422, 'date_invalide'],
			[{ code, score: 700, taken_at: isoOf(frDate(-400)) }, 422, 'date_invalide'],
			[{ code, score: 700, candidat: 'Zoé' }, 422, 'champ_inconnu'], [{ code, score: 700, 'nom\u00e9': 1 }, 422, 'champ_inconnu'],
			[`{"code": "${code}", "score": 700, "score": 701}`, 422, 'champ_en_double'],
		];
		for (const [body, status, error] of cases) {
			const a = await api(body);
			const what = typeof body === 'string' ? body.slice(0, 80) : Buffer.isBuffer(body) ? `bytes ${body.toString('hex')}` : JSON.stringify(body).slice(0, 80);
			assert.equal(a.status, status, `${what}: ${a.text}`);
			isError(a, status, error);
		}
		const unknown = await api({ code, score: 700, candidat: 'Zoé' });
		assert.match(unknown.json.message.replace(/[\u00a0\u202f]/g, ' '), /Champ inconnu « candidat » : les champs acceptés/);
		assert.equal(await takenCount(), before, 'nothing recorded');
		assert.equal(await one(srv, `SELECT state FROM certifications WHERE id = ${cert.junk.id}`), 'planned');
		assert.ok(!/status=500/.test(srv.stderr()), 'no 500 in the log');
	});

	test('415 for anything but JSON; 413 past 64 KiB (announced or chunked), before parsing; 404 and 405 in JSON', async () => {
		const body = JSON.stringify({ code: cert.junk.code, score: 700 });
		for (const type of [null, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'text/json'])
			isError(await api(body, { type }), 415, 'type_de_contenu');
		const fd = new FormData();
		fd.append('code', cert.junk.code);
		const mp = await fetch(srv.url + '/api/v1/results', { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: fd });
		assert.equal(mp.status, 415);
		answers.push({ status: 415, type: mp.headers.get('content-type'), json: await mp.json() });
		isError(await api({ code: 'ABCD-EFGH-JKMN', score: 700 }, { type: 'Application/JSON; charset=utf-8' }), 422, 'code_inconnu');
		const big = JSON.stringify({ code: cert.junk.code, score: 700, pad: 'x'.repeat(64 * 1024) });
		isError(await api(big), 413, 'taille_depassee');
		const chunk = 'x'.repeat(8192);
		let req = `POST /api/v1/results HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
		for (let i = 0; i < 10; i++) req += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
		req += '0\r\n\r\n';
		const raw = await rawRequest(srv.url, req);
		assert.equal(raw.status, 413);
		const rj = JSON.parse(raw.text);
		assert.equal(rj.error, 'taille_depassee');
		answers.push({ status: 413, type: raw.headers['content-type'], json: rj });
		// exactly 64 KiB is still read (and refused for what it says)
		const edge = JSON.stringify({ code: cert.junk.code, score: 700, z: '' });
		const padded = edge.slice(0, -2) + 'y'.repeat(64 * 1024 - edge.length) + '"}';
		assert.equal(Buffer.byteLength(padded), 64 * 1024);
		isError(await api(padded), 422, 'champ_inconnu');
		isError(await api(body, { path: '/api/v1/resultats' }), 404, 'introuvable');
		isError(await api(body, { method: 'GET' }), 405, 'methode_non_autorisee');
		assert.equal(await one(srv, `SELECT state FROM certifications WHERE id = ${cert.junk.id}`), 'planned');
	});

	let token;
	test('staff\'s CSV import: the report changes nothing, CSRF, then « Confirmer l\'import » records the valid lines', async () => {
		const csv = [
			'Code d\'activation;Certification;Score;Durée (minutes);Date de passage;Nom',
			`${dashed(cert.csv1.code)};;745;98;${frDate(0)};${cert.csv1.cand.last}`, // new, by code, the day it was sat
			`;CLR-2026-${String(cert.csv2.id).padStart(6, '0')};812;;;x`, // new, by reference
			`${cert.csv1.code.toLowerCase()};;745;;;doublon`, // the same certification again
			';999999;500;;;inconnue',
			'ZZZZ-ZZZZ-ZZZZ;;500;;;code inconnu',
			`${cert.csv3.code};;1001;;;trop`,
			`${cert.csv3.code};;7,5;;;virgule`,
			`;${cert.main.id};750;;;déjà là`, // the same score: unchanged
			`;${cert.byid.id};100;;;conflit`, // another score
			`${cert.cancelled.code};;500;;;annulée`,
			`;${cert.future.id};500;;;à venir`,
			`${cert.csv3.code};;;;;vide`,
			`${cert.csv3.code};;500;;31/02/2026;date`,
		].join('\r\n') + '\r\n';
		const upload = async (cl, { csrf = true } = {}) => {
			const fd = new FormData();
			if (csrf) fd.append('csrf', await cl.ensureCsrf('/backoffice/resultats'));
			fd.append('fichier', new Blob([csv], { type: 'text/csv' }), 'resultats.csv');
			return cl.request('POST', '/backoffice/resultats', { body: fd });
		};
		assert.equal((await upload(s, { csrf: false })).status, 403);
		const form = await s.get('/backoffice/resultats');
		assert.equal(form.status, 200);
		assert.ok(textOf(form.text).includes('Importer des résultats'));
		const tpl = await s.get('/backoffice/resultats/modele.csv');
		assert.equal(tpl.status, 200);
		assert.ok(tpl.text.includes('Code d\'activation;Score;Durée (minutes);Date de passage'));
		const takenBefore = await takenCount(), mailsBefore = await one(srv, 'SELECT COUNT(*) FROM outbox');
		const r = await upload(s);
		assert.equal(r.status, 200, textOf(r.text).slice(0, 500));
		const t = textOf(r.text);
		assert.ok(t.includes('Nouveaux résultats 2') && t.includes('Déjà enregistrés 1') && t.includes('Refusées 10'), t.slice(0, 1200));
		assert.ok(t.includes('Colonnes ignorées : « Nom »'), 'the extra column is named');
		const rows = [...r.text.matchAll(/<tr class="import-(ok|ko)" data-line="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => [+m[2], m[1], textOf(m[3])]);
		const byLine = Object.fromEntries(rows.map(([l, k, txt]) => [l, { ok: k === 'ok', txt }]));
		assert.ok(byLine[2].ok && byLine[2].txt.includes('Nouveau') && byLine[2].txt.includes(cert.csv1.cand.last.toUpperCase()), byLine[2].txt);
		assert.ok(byLine[3].ok && byLine[3].txt.includes('Nouveau'));
		for (const [line, msg] of [[4, 'figure déjà à la ligne 2'], [5, 'Aucune certification n\'a le numéro 999999'], [6, 'n\'existe pas'],
			[7, 'Score « 1001 » invalide'], [8, 'Score « 7,5 » invalide'], [10, 'déjà un score (612 / 1000)'], [11, 'annulée'],
			[12, 'ne peut arriver avant'], [13, 'Score manquant'], [14, 'Date de passage « 31/02/2026 » invalide']])
			assert.ok(!byLine[line].ok && byLine[line].txt.includes(msg), `line ${line}: ${byLine[line].txt}`);
		assert.ok(byLine[9].ok && byLine[9].txt.includes('Déjà enregistré'));
		assert.equal(await takenCount(), takenBefore, 'the report records nothing');
		assert.equal(await one(srv, 'SELECT COUNT(*) FROM outbox'), mailsBefore);
		const m = /action="(\/backoffice\/resultats\/([^"/]+)\/confirmer)"/.exec(r.text);
		assert.ok(m, 'the confirmation form');
		token = m[2];
		assert.equal((await s.get(`/backoffice/resultats/${token}`)).status, 200, 'the report again');
		assert.equal((await s2.get(`/backoffice/resultats/${token}`)).status, 404, 'another staff member\'s file');
		assert.equal((await s2.post(`/backoffice/resultats/${token}/confirmer`, {})).status, 404);
		assert.equal((await s.post(`/backoffice/resultats/${token}/confirmer`, 'x=1', { csrf: false })).status, 403);
		assert.equal((await c.post(`/backoffice/resultats/${token}/confirmer`, {})).status, 403, 'an administrator');
		assert.equal(await takenCount(), takenBefore);
		const done = await s.post(`/backoffice/resultats/${token}/confirmer`, {});
		assert.equal(done.status, 303, textOf(done.text).slice(0, 300));
		assert.equal(done.headers.get('location'), '/backoffice/resultats');
		assert.equal(await takenCount(), takenBefore + 2);
		assert.deepEqual(await sqlRows(srv, `SELECT score, duration_s, result_source, taken_at FROM certifications WHERE id = ${cert.csv1.id}`),
			[['745', '5880', 'csv', isoOf(frDate(0))]]);
		assert.deepEqual(await sqlRows(srv, `SELECT score, result_source FROM certifications WHERE id = ${cert.csv2.id}`), [['812', 'csv']]);
		assert.equal(await one(srv, `SELECT score FROM certifications WHERE id = ${cert.byid.id}`), '612', 'the conflicting line changed nothing');
		assert.equal(await one(srv, `SELECT COUNT(*) FROM outbox WHERE kind = 'candidate.result' AND recipient LIKE '%${cert.csv1.cand.email}%'`), '1');
		const flash = textOf((await s.get('/backoffice/resultats')).text);
		assert.ok(flash.includes('2 résultats ont été enregistrés'), flash.slice(0, 600));
		assert.equal((await s.post(`/backoffice/resultats/${token}/confirmer`, {})).status, 404, 'confirmed twice');
		assert.equal(await one(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'results.import'"), '1');
	});

	test('a refused file: not CSV, no score column, empty', async () => {
		const send = async (content, name = 'r.csv') => {
			const fd = new FormData();
			fd.append('csrf', await s.ensureCsrf('/backoffice/resultats'));
			fd.append('fichier', new Blob([content], { type: 'text/csv' }), name);
			return s.request('POST', '/backoffice/resultats', { body: fd });
		};
		let r = await send(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'r.xlsx');
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('n\'est pas un fichier CSV'));
		r = await send('Code d\'activation;Note\r\nABCD-EFGH-JKMN;12\r\n');
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('Colonne manquante : « Score »'), textOf(r.text).slice(0, 600));
		r = await send('Code d\'activation;Score\r\n');
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('aucun résultat'));
	});

	test('`clr results import FILE`: the report, then --confirm', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'clr-results-'));
		const file = join(dir, 'r.csv');
		writeFileSync(file, `Certification;Score\r\n${cert.cli1.id};555\r\n${cert.cli2.id};1200\r\n${cert.csv1.id};745\r\n`);
		const before = await takenCount();
		let r = await clr(['results', 'import', file, '--db', srv.dbUrl]);
		assert.match(r.stdout, /lines=3 new=1 unchanged=1 refused=1 recorded=0/);
		assert.match(r.stdout, /--confirm/);
		assert.match(r.stderr.replace(/[\u00a0\u202f]/g, ' '), /ligne 3: Score « 1200 » invalide : un nombre entier/);
		assert.equal(await takenCount(), before);
		r = await clr(['results', 'import', file, '--confirm', '--db', srv.dbUrl]);
		assert.match(r.stdout, /lines=3 new=1 unchanged=1 refused=1 recorded=1/);
		assert.deepEqual(await sqlRows(srv, `SELECT state, score, result_source FROM certifications WHERE id = ${cert.cli1.id}`), [['taken', '555', 'csv']]);
		r = await clr(['results', 'import', file, '--confirm', '--db', srv.dbUrl]);
		assert.match(r.stdout, /new=0 unchanged=2 refused=1 recorded=0/, 'idempotent');
		const help = await clr(['results', '--help']);
		assert.match(help.stdout, /usage: clr results import FILE \[--confirm\]/);
		writeFileSync(file, 'Nom;Prénom\r\nx;y\r\n');
		r = await clr(['results', 'import', file, '--db', srv.dbUrl], { allowFail: true });
		assert.equal(r.code, 3);
		assert.match(r.stderr, /Colonnes manquantes/);
	});

	test('a revoked key is refused at once; revoking twice says so', async () => {
		let r = await s.get(`/backoffice/cles-api/${keyId}/revoquer`);
		assert.equal(r.status, 200);
		assert.ok(textOf(r.text).includes('sera refusée dès maintenant'));
		assert.equal((await s.post(`/backoffice/cles-api/${keyId}/revoquer`, 'x=1', { csrf: false })).status, 403);
		assert.equal((await c.post(`/backoffice/cles-api/${keyId}/revoquer`, {})).status, 403, 'an administrator');
		assert.equal((await api({ code: cert.main.code, score: 750 })).status, 200, 'still live');
		r = await s.post(`/backoffice/cles-api/${keyId}/revoquer`, {});
		assert.equal(r.status, 303);
		assert.ok(textOf((await s.get('/backoffice/cles-api')).text).includes('sont refusées dès maintenant'), 'the flash');
		const a = await api({ code: cert.main.code, score: 750 });
		isError(a, 401, 'cle_revoquee');
		const revoked = new RegExp(`path=/api/v1/results status=401 [^\\n]*api_key=${keyId}`);
		assert.match(await logMatching(revoked), revoked);
		r = await s.post(`/backoffice/cles-api/${keyId}/revoquer`, {});
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('déjà révoquée'));
		const list = textOf((await s.get('/backoffice/cles-api')).text);
		assert.ok(list.includes(`Révoquée le`) && list.includes(`par ${staff.email}`), list.slice(0, 1500));
		assert.equal((await s.get('/backoffice/cles-api/999999/revoquer')).status, 404);
		assert.equal(await one(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'api_key.revoke' AND object_id = ${keyId}`), '1');
		// a second key works
		const k2 = await s.post('/backoffice/cles-api', { name: 'Plateforme d\'examen (recette)' });
		assert.equal(k2.status, 201);
		KEY = inputValue(k2.text, 'api-key');
		assert.equal((await api({ code: cert.main.code, score: 750 })).status, 200);
	});
});

// ---------------------------------------------------------------- OpenAPI

describe('docs/openapi.yaml', () => {
	test('is a valid OpenAPI 3.1 document, and every real answer matches it', async () => {
		const v = new Validator();
		const res = await v.validate(readFileSync(join(ROOT, 'docs/openapi.yaml'), 'utf8'));
		assert.ok(res.valid, JSON.stringify(res.errors, null, 1));
		assert.equal(v.version, '3.1');
		const spec = v.resolveRefs();
		const op = spec.paths['/api/v1/results'].post;
		const ajv = new Ajv2020({ strict: false, allErrors: true });
		addFormats(ajv);
		const compiled = new Map();
		assert.ok(answers.length > 100, `${answers.length} answers collected (run with the tests above)`);
		const seen = new Set();
		for (const a of answers) {
			const doc = op.responses[String(a.status)];
			assert.ok(doc, `status ${a.status} is documented`);
			assert.match(a.type || '', /^application\/json/, `${a.status}: JSON`);
			const schema = doc.content['application/json'].schema;
			if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
			const check = compiled.get(schema);
			assert.ok(check(a.json), `${a.status} ${JSON.stringify(a.json)}: ${ajv.errorsText(check.errors)}`);
			seen.add(a.status);
		}
		for (const st of [201, 200, 401, 409, 413, 415, 422, 404])
			assert.ok(seen.has(st), `a real ${st} was validated`);
		// the documented examples match their own schemas too
		for (const [st, doc] of Object.entries(op.responses)) {
			const media = doc.content?.['application/json'];
			if (!media) continue;
			const check = ajv.compile(media.schema);
			const examples = [media.example, ...Object.values(media.examples || {}).map((e) => e.value)].filter(Boolean);
			for (const ex of examples) assert.ok(check(ex), `example of ${st}: ${ajv.errorsText(check.errors)}`);
		}
		const req = ajv.compile(op.requestBody.content['application/json'].schema);
		for (const ex of Object.values(op.requestBody.content['application/json'].examples)) assert.ok(req(ex.value), ajv.errorsText(req.errors));
	});
});
