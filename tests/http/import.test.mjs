// « Importer des candidats » and the exports (issue 6): the CSV template,
// the two steps (a report listing every line with its French errors that
// changes nothing, then « Confirmer l'import » creating exactly the valid
// lines), Windows-1252 and comma-separated files, duplicate e-mails within
// the file, a pending import unreachable by another organisation (404),
// CSRF, 413 over 10 MiB, and CSV/XLSX exports holding the filtered rows of
// the organisation only.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, newAdmin, loggedIn, textOf, rawRequest, run, unescapeHtml, ROOT } from '../lib/server.mjs';

const HEADER = 'Civilité;Nom;Nom de naissance;Prénom;Courriel;Date de naissance;Code postal de naissance;Commune de naissance;Pays de naissance;Statut;Financement';

/** Six random letters (names accept letters only). */
function letters() {
	return Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

function person(over = {}) {
	const last = 'Lefèvre' + letters();
	return {
		civ: 'Madame', last, birth: '', first: 'Hélène', email: `${last.normalize('NFKD').replace(/[^a-z]/gi, '').toLowerCase()}@exemple.fr`,
		date: '14/07/1990', cp: '42000', city: 'St Etienne', country: 'France', statut: 'Salarié', fin: 'Compte personnel de formation (CPF)',
		...over,
	};
}
const line = (p, sep = ';') => [p.civ, p.last, p.birth, p.first, p.email, p.date, p.cp, p.city, p.country, p.statut, p.fin].join(sep);
const file = (people, sep = ';') => [sep === ';' ? HEADER : HEADER.replaceAll(';', ','), ...people.map((p) => line(p, sep))].join('\r\n') + '\r\n';

async function upload(c, content, { filename = 'candidats.csv', csrf = true } = {}) {
	const fd = new FormData();
	if (csrf) fd.append('csrf', await c.ensureCsrf('/candidats/import'));
	fd.append('fichier', new Blob([content], { type: 'text/csv' }), filename);
	return c.request('POST', '/candidats/import', { body: fd });
}

/** The confirmation URL of a report page, or null. */
function confirmUrl(html) {
	const m = /action="(\/candidats\/import\/[^"/]+\/confirmer)"/.exec(html);
	return m ? unescapeHtml(m[1]) : null;
}

/** Report rows: [{line, name, email, result}]. */
function reportRows(html) {
	return [...html.matchAll(/<tr class="import-(ok|ko)" data-line="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => {
		const cells = [...m[3].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((x) => textOf(x[1]));
		return { ok: m[1] === 'ok', line: +m[2], name: cells[1], email: cells[2], result: cells[3] };
	});
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** The raw bytes of a GET (fetch's text() drops a BOM). */
async function bytesOf(c, path) {
	const res = await fetch(c.base + path, { headers: { cookie: c.cookieHeader() } });
	return Buffer.from(await res.arrayBuffer());
}

async function exportCsv(c, query = '') {
	const r = await c.get('/candidats/export.csv' + query);
	assert.equal(r.status, 200, textOf(r.text).slice(0, 300));
	return r;
}

/** Candidate e-mails in an export (column « Courriel »). */
function csvEmails(text) {
	const rows = text.replace(/^\uFEFF/, '').trim().split(/\r\n/);
	const head = rows[0].split(';');
	const k = head.indexOf('Courriel');
	return rows.slice(1).map((r) => r.split(';')[k]);
}

describe('import and export of candidates', () => {
	let srv, admin, other, c, o, tmp;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
		tmp = mkdtempSync(join(tmpdir(), 'clr-import-'));
	});
	after(async () => {
		rmSync(tmp, { recursive: true, force: true });
		await srv?.stop();
	});

	test('the import page and the list link to each other; the template has the form labels', async () => {
		const list = await c.get('/candidats');
		assert.match(list.text, /href="\/candidats\/import"[^>]*>Importer des candidats</);
		assert.match(list.text, />Exporter \(CSV\)</);
		assert.match(list.text, />Exporter \(Excel\)</);
		const page = await c.get('/candidats/import');
		assert.equal(page.status, 200);
		assert.ok(textOf(page.text).includes('Importer des candidats'));
		assert.match(page.text, /enctype="multipart\/form-data"/);
		const t = await c.get('/candidats/import/modele.csv');
		assert.equal(t.status, 200);
		assert.match(t.headers.get('content-type'), /^text\/csv/);
		assert.ok((await bytesOf(c, '/candidats/import/modele.csv')).subarray(0, 3).equals(BOM), 'UTF-8 BOM');
		const rows = t.text.trim().split('\r\n');
		assert.equal(rows.length, 2, 'a header and one example line');
		const head = rows[0].split(';');
		for (const label of ['Civilité', 'Nom', 'Nom de naissance', 'Prénom', 'Courriel', 'Date de naissance',
			'Code postal de naissance', 'Commune de naissance', 'Pays de naissance', 'Statut', 'Financement',
			'Téléphone', 'Adresse de résidence', 'Code postal de résidence', 'Commune de résidence', 'Pays de résidence'])
			assert.ok(head.includes(label), `column « ${label} »`);
		// the example line itself is valid
		const r = await upload(c, t.text);
		assert.equal(r.status, 200, textOf(r.text).slice(0, 400));
		const rr = reportRows(r.text);
		assert.equal(rr.length, 1);
		assert.ok(rr[0].ok, rr[0].result);
	});

	test('the report lists every line with its French errors and changes nothing', async () => {
		const before = csvEmails((await exportCsv(c)).text);
		const good1 = person(), good2 = person({ civ: 'Monsieur', first: 'Jérôme', country: '' }), good3 = person({ cp: '', city: 'Madrid', country: 'Espagne', statut: 'etudiant', fin: 'Personnel' });
		const badDate = person({ date: '31/02/1990' });
		const badCity = person({ city: 'Lyon' });
		const dup = { ...good1, first: 'Autre' };
		const badChoice = person({ civ: 'Docteur', statut: 'Chômeur' });
		const r = await upload(c, file([good1, badDate, good2, badCity, dup, good3, badChoice]));
		assert.equal(r.status, 200, textOf(r.text).slice(0, 400));
		const rows = reportRows(r.text);
		assert.deepEqual(rows.map((x) => x.line), [2, 3, 4, 5, 6, 7, 8], 'every line, numbered as in the file');
		assert.deepEqual(rows.map((x) => x.ok), [true, false, true, false, false, true, false]);
		assert.equal(rows[0].result, 'Valide');
		assert.equal(rows[0].email, good1.email);
		assert.ok(rows[0].name.startsWith(good1.last.toUpperCase()), rows[0].name);
		assert.match(rows[1].result, /Date de naissance : Date invalide/);
		assert.match(rows[3].result, /Commune de naissance : Cette commune ne correspond pas au code postal 42000/);
		assert.match(rows[4].result, /Courriel : Cette adresse figure déjà à la ligne 2 du fichier/);
		assert.match(rows[6].result, /Civilité : valeur « Docteur » inconnue/);
		assert.match(rows[6].result, /Statut : valeur « Chômeur » inconnue/);
		const t = textOf(r.text);
		assert.ok(t.includes("Confirmer l'import"));
		assert.ok(t.includes("Envoyer l'identifiant et le mot de passe par courriel"));
		assert.equal(textOf(/id="import-valid">([^<]*)</.exec(r.text)[1]), '3');
		assert.equal(textOf(/id="import-invalid">([^<]*)</.exec(r.text)[1]), '4');
		// nothing stored
		assert.deepEqual(csvEmails((await exportCsv(c)).text), before);
		// the report can be shown again from its URL
		const url = confirmUrl(r.text);
		assert.ok(url);
		const again = await c.get(url.replace(/\/confirmer$/, ''));
		assert.equal(again.status, 200);
		assert.equal(reportRows(again.text).length, 7);
	});

	test('a huge cell is echoed in the report cut to 80 characters and « … », never whole', async () => {
		const huge = 'X'.repeat(9 * 1024 * 1024); // 9 MiB in one cell
		const r = await upload(c, file([
			person({ civ: huge }),
			person({ country: 'Y'.repeat(5000), cp: '', city: 'Madrid' }),
			person({ last: 'Z'.repeat(5000) }),
			person({ email: 'w'.repeat(3000) + '@exemple.fr' }),
		]));
		assert.equal(r.status, 200, textOf(r.text).slice(0, 400));
		assert.ok(r.text.length < 100 * 1024, `report of ${r.text.length} bytes`);
		const rows = reportRows(r.text);
		assert.equal(rows.length, 4);
		assert.ok(rows[0].result.includes(`Civilité : valeur « ${'X'.repeat(80)}… » inconnue`), rows[0].result.slice(0, 300));
		assert.ok(rows[1].result.includes(`pays « ${'Y'.repeat(80)}… » inconnu`), rows[1].result.slice(0, 300));
		assert.ok(rows[2].name.length <= 120 && rows[2].name.includes('Z'.repeat(20)) && rows[2].name.includes('…'), rows[2].name.slice(0, 300));
		assert.equal(rows[3].email, 'w'.repeat(80) + '…');
		for (const ch of 'XYZw') assert.doesNotMatch(r.text, new RegExp(`${ch}{81}`), `a run of 81 « ${ch} »`);
		// a huge unknown column name in the header is cut too
		const h = await upload(c, `Civilité;${'C'.repeat(100000)}\r\nMadame;x\r\n`);
		assert.equal(h.status, 422, 'the file is refused as a whole');
		assert.ok(h.text.length < 100 * 1024, `report of ${h.text.length} bytes`);
		assert.ok(textOf(h.text).includes(`« ${'C'.repeat(80)}… »`), textOf(h.text).slice(0, 300));
	});

	test('« Confirmer l\'import » creates exactly the valid lines, once', async () => {
		const good = [person(), person({ first: 'Élodie' }), person({ cp: '', city: 'Genève', country: 'Suisse' })];
		const bad = person({ email: 'pas-un-courriel' });
		const before = csvEmails((await exportCsv(c)).text);
		const r = await upload(c, file([good[0], bad, good[1], good[2]]));
		const url = confirmUrl(r.text);
		const done = await c.post(url, { send_credentials: 'oui' });
		assert.equal(done.status, 303, textOf(done.text).slice(0, 300));
		assert.equal(done.headers.get('location'), '/candidats');
		const list = await c.get('/candidats');
		assert.match(textOf(list.text), /3 candidats ont été importés\. 1 ligne en erreur ignorée\./);
		const after = csvEmails((await exportCsv(c)).text);
		assert.equal(after.length, before.length + 3);
		for (const g of good) assert.ok(after.includes(g.email), g.email);
		assert.ok(!after.includes(bad.email));
		// imported candidates are complete (« À attribuer ») with a birthplace normalised as in the form
		const exp = (await exportCsv(c, `?q=${encodeURIComponent(good[0].last)}`)).text;
		assert.match(exp, /;Saint-Étienne;France;Salarié;Compte personnel de formation \(CPF\);/);
		assert.match(exp, /;À attribuer;/);
		// a confirmation cannot be replayed
		const twice = await c.post(url, {});
		assert.equal(twice.status, 404);
		// the same file again: every line is now a duplicate of the organisation
		const r2 = await upload(c, file([good[0]]));
		assert.match(reportRows(r2.text)[0].result, /Courriel : Un candidat de votre organisation utilise déjà cette adresse/);
		assert.equal(confirmUrl(r2.text), null, 'nothing to confirm');
	});

	test('a Windows-1252 file with accents, and a comma-separated one', async () => {
		const p = person({ first: 'Anaïs', last: 'Bénédicte' + letters(), city: 'Saint-Étienne' });
		const bytes = Buffer.from(file([p]), 'latin1');
		assert.ok(!bytes.includes(Buffer.from('é')), 'not UTF-8');
		const r = await upload(c, bytes);
		assert.equal(r.status, 200);
		assert.ok(textOf(r.text).includes('Windows-1252'));
		const rows = reportRows(r.text);
		assert.ok(rows[0].ok, rows[0].result);
		assert.equal(rows[0].name, `${p.last.toUpperCase()} Anaïs`);
		assert.equal((await c.post(confirmUrl(r.text), {})).status, 303);
		const exp = (await exportCsv(c, `?q=${encodeURIComponent('benedicte')}`)).text;
		assert.ok(exp.includes(`;${p.last};`), 'stored with its accents');
		assert.ok(exp.includes(';Anaïs;'));

		const q = person({ fin: 'OPCO' });
		const rc = await upload(c, '\uFEFF' + file([q], ','));
		assert.equal(rc.status, 200);
		assert.ok(textOf(rc.text).includes('virgule'));
		assert.ok(reportRows(rc.text)[0].ok, reportRows(rc.text)[0]?.result);
		// quotes and a line break inside quotes
		const quoted = HEADER + '\r\n' + line(person({ last: '"Le Goff"', birth: '"Le\r\nGoff"' })) + '\r\n';
		const rq = await upload(c, quoted);
		assert.ok(reportRows(rq.text)[0].ok, reportRows(rq.text)[0]?.result);
		assert.match(reportRows(rq.text)[0].name, /^LE GOFF /);
	});

	test('files refused as a whole', async () => {
		let r = await upload(c, 'Nom;Prénom;Inconnue\r\nDupont;Jean;x\r\n');
		assert.equal(r.status, 422);
		const t = textOf(r.text);
		assert.match(t, /Colonnes manquantes : « Civilité »/);
		assert.match(t, /Colonnes inconnues : « Inconnue »/);
		r = await upload(c, HEADER + '\r\n"Madame;Dupont\r\n');
		assert.equal(r.status, 422);
		assert.match(textOf(r.text), /guillemet/);
		r = await upload(c, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x14, 0]), { filename: 'x.xlsx' });
		assert.equal(r.status, 422);
		assert.match(textOf(r.text), /n'est pas un fichier CSV/);
		r = await upload(c, '', { filename: 'vide.csv' });
		assert.equal(r.status, 422);
		assert.match(textOf(r.text), /Choisissez un fichier CSV/);
	});

	test("another organisation's (or user's) import token is a 404", async () => {
		const r = await upload(c, file([person()]));
		const url = confirmUrl(r.text);
		assert.equal((await o.get(url.replace(/\/confirmer$/, ''))).status, 404);
		assert.equal((await o.post(url, {})).status, 404);
		assert.equal((await c.get('/candidats/import/' + 'A'.repeat(43))).status, 404);
		assert.equal((await c.post('/candidats/import/nimporte/confirmer', {})).status, 404);
		// still there for its owner
		assert.equal((await c.get(url.replace(/\/confirmer$/, ''))).status, 200);
	});

	test('CSRF is required on both steps', async () => {
		const r = await upload(c, file([person()]), { csrf: false });
		assert.equal(r.status, 403);
		const ok = await upload(c, file([person()]));
		const url = confirmUrl(ok.text);
		assert.equal((await c.post(url, { csrf: 'x'.repeat(43) })).status, 403);
		assert.equal((await c.post(url, { csrf: c.csrf })).status, 303);
		// multipart is accepted only where uploads are
		const fd = new FormData();
		fd.append('csrf', c.csrf);
		fd.append('fichier', new Blob(['x']), 'a.csv');
		assert.equal((await c.request('POST', '/candidats/nouveau', { body: fd })).status, 400);
	});

	test('an upload over 10 MiB: 413', async () => {
		const u = new URL(srv.url);
		const r = await rawRequest(srv.url,
			`POST /candidats/import HTTP/1.1\r\nHost: ${u.host}\r\nCookie: ${c.cookieHeader()}\r\n` +
			`Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: ${10 * 1024 * 1024 + 1}\r\nConnection: close\r\n\r\n--XX\r\n`,
			{ timeout: 10000 });
		assert.equal(r.status, 413);
		assert.equal((await c.get('/healthz')).status, 200);
	});

	test('exports hold the filtered rows of the organisation only, in CSV and XLSX', async () => {
		const tag = letters();
		const mine = [person({ last: 'Export' + tag }), person({ last: 'Export' + tag, first: 'Zoé' }), person()];
		const theirs = person({ last: 'Export' + tag, first: 'Autre' });
		for (const [cl, people] of [[c, mine], [o, [theirs]]]) {
			const r = await upload(cl, file(people));
			assert.equal((await cl.post(confirmUrl(r.text), {})).status, 303);
		}
		const q = `?q=${encodeURIComponent('export' + tag)}`;
		const csv = await exportCsv(c, q);
		assert.match(csv.headers.get('content-disposition'), /attachment; filename="candidats\.csv"/);
		assert.ok((await bytesOf(c, '/candidats/export.csv' + q)).subarray(0, 3).equals(BOM), 'UTF-8 BOM');
		const head = csv.text.split('\r\n')[0];
		assert.ok(head.startsWith('Civilité;Nom;Nom de naissance;Prénom;Courriel;'), head);
		assert.deepEqual(csvEmails(csv.text).sort(), [mine[0].email, mine[1].email].sort());
		const all = csvEmails((await exportCsv(c)).text);
		assert.ok(all.includes(mine[2].email));
		assert.ok(!all.includes(theirs.email), "never another organisation's candidate");
		assert.deepEqual(csvEmails((await exportCsv(o, q)).text), [theirs.email]);
		// status filter: none of them is « En création »
		assert.deepEqual(csvEmails((await exportCsv(c, q + '&statut=en-creation')).text), []);

		const res = await fetch(srv.url + '/candidats/export.xlsx' + q, { headers: { cookie: c.cookieHeader() } });
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-type'), /spreadsheetml/);
		const bytes = Buffer.from(await res.arrayBuffer());
		assert.equal(bytes.subarray(0, 2).toString(), 'PK');
		const f = join(tmp, 'e.xlsx');
		writeFileSync(f, bytes);
		const sheet = (await run('unzip', ['-p', f, 'xl/worksheets/sheet1.xml'])).stdout;
		const strings = (await run('unzip', ['-p', f, 'xl/sharedStrings.xml'])).stdout;
		const xml = sheet + strings;
		assert.ok(xml.includes(mine[0].email) && xml.includes(mine[1].email), 'the filtered rows');
		assert.ok(!xml.includes(mine[2].email) && !xml.includes(theirs.email), 'only them');
		assert.ok(xml.includes('Courriel') && xml.includes('Date de naissance'), 'French header');
		const styles = (await run('unzip', ['-p', f, 'xl/styles.xml'])).stdout;
		assert.match(styles, /<b\/>/, 'a bold format (the header row)');
		assert.match(sheet, /<row r="1"[^>]*>\s*<c r="A1" s="1"/, 'the header row uses it');
		// read back with a real XLSX reader: dates are dates, not text
		const rd = await run('/usr/bin/python3', [join(ROOT, 'tests/lib/xlsx_read.py'), f]);
		assert.equal(rd.code, 0, rd.stderr);
		const wb = JSON.parse(rd.stdout);
		assert.equal(wb.title, 'Candidats');
		const header = wb.rows[0].map((x) => x && x.v);
		const born = header.indexOf('Date de naissance'), mail = header.indexOf('Courriel');
		assert.ok(born >= 0 && mail >= 0, header.join(';'));
		const row0 = wb.rows.find((r) => r[mail] && r[mail].v === mine[0].email);
		assert.ok(row0, 'the row of ' + mine[0].email);
		assert.equal(row0[born].type, 'date', JSON.stringify(row0[born]));
		assert.equal(row0[born].v, '1990-07-14');
		assert.equal(row0[born].fmt, 'dd/mm/yyyy');
		assert.equal(row0[mail].type, 's');
		const anon = await fetch(srv.url + '/candidats/export.csv', { redirect: 'manual' });
		assert.equal(anon.status, 303);
	});
});

// One description of a candidate (candidate_fields.h): whatever fields the
// table holds, the form shows them, the candidate page shows them, the import
// template has them, and an import followed by an export gives back the
// template's example line.  A field added to the table is picked up here
// without changing this test.
describe('every field of a candidate, from the form to the export', () => {
	let srv, c;
	before(async () => {
		srv = await startServer();
		c = await loggedIn(srv, await newAdmin(srv));
	});
	after(async () => srv && srv.stop());

	test('the template round-trips through import, page, form and export', async () => {
		const t = await c.get('/candidats/import/modele.csv');
		const [head, example] = t.text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(';'));
		assert.equal(head.length, example.length);
		const r = await upload(c, t.text);
		assert.equal((await c.post(confirmUrl(r.text), {})).status, 303);

		const rows = (await exportCsv(c)).text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(';'));
		assert.equal(rows.length, 2, 'one candidate');
		assert.deepEqual(rows[0].slice(0, head.length), head, 'the export starts with the template columns');
		assert.deepEqual(rows[0].slice(head.length), ['Statut du dossier', 'Date de passage', 'Score']);
		assert.deepEqual(rows[1].slice(0, head.length), example, 'the example line comes back as it was');

		const list = await c.get('/candidats');
		const id = /href="\/candidats\/(\d+)"/.exec(list.text)[1];
		const page = await c.get(`/candidats/${id}`);
		const shown = [...page.text.matchAll(/<dt>([^<]*)<\/dt>/g)].map((m) => unescapeHtml(m[1]));
		const pageText = textOf(page.text);
		for (const v of example.filter((x) => x)) assert.ok(pageText.includes(v), `« ${v} » on the candidate page`);

		const names = new Set(), labels = [];
		for (let step = 1; step <= 5; step++) {
			const f = await c.get(`/candidats/${id}/etape/${step}`);
			assert.equal(f.status, 200);
			for (const m of f.text.matchAll(/<(?:input|select)[^>]* name="([^"]+)"/g))
				if (m[1] !== 'csrf') names.add(m[1]);
			for (const m of f.text.matchAll(/<(?:label for="[^"]+"|legend)>([^<]*)</g)) labels.push(unescapeHtml(m[1]).trim());
		}
		for (const l of labels)
			if (l !== 'Confirmation du mot de passe') assert.ok(shown.includes(l), `« ${l} » on the candidate page`);
		// the password step's three fields are the only ones not imported
		assert.equal(names.size, head.length + 3, [...names].join(', '));
	});
});
