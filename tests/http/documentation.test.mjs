// « Compte Administrateur », « Documentation » tab: the four documents of the
// seed, each one click away, as PDFs drawn by the platform (read back with
// pdftotext and pdfinfo): titles, chapters, the table of contents' pages,
// page numbers, the screenshots, blank forms; administrators only.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, newAdmin, newStaff, loggedIn, textOf, run, Client } from '../lib/server.mjs';

const DOCS = [
	['Mode d\'emploi à destination de l\'administrateur', '/compte/documentation/mode-emploi-administrateur.pdf'],
	['Mode d\'emploi à destination du surveillant', '/compte/documentation/mode-emploi-surveillant.pdf'],
	['Feuille de brouillon Certification Le Robert', '/compte/documentation/feuille-de-brouillon.pdf'],
	['Document de surveillance', '/compte/documentation/document-de-surveillance.pdf'],
];
const flat = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('« Documentation » tab', () => {
	let srv, admin, c, dir;
	const pdfs = {};
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Lycée Émile Zola' });
		c = await loggedIn(srv, admin);
		dir = mkdtempSync(join(tmpdir(), 'clr-doc-'));
		/** {text (pdftotext, per page), pages, size, file} of a document. */
		for (const [, path] of DOCS) {
			const res = await fetch(srv.url + path, { headers: { cookie: c.cookieHeader() } });
			assert.equal(res.status, 200, path);
			assert.equal(res.headers.get('content-type'), 'application/pdf', path);
			assert.match(res.headers.get('content-disposition'), /attachment; filename="[a-z-]+\.pdf"/, path);
			const bytes = Buffer.from(await res.arrayBuffer());
			const file = join(dir, path.split('/').pop());
			writeFileSync(file, bytes);
			const info = await run('pdfinfo', [file]);
			assert.equal(info.code, 0, info.stderr);
			const pages = +/Pages:\s+(\d+)/.exec(info.stdout)[1];
			const t = await run('pdftotext', ['-layout', file, '-']);
			assert.equal(t.code, 0, t.stderr);
			pdfs[path] = { text: flat(t.stdout), pageTexts: flat(t.stdout).split('\f'), pages, size: bytes.length, file, info: info.stdout };
		}
	});
	after(async () => {
		if (dir) rmSync(dir, { recursive: true, force: true });
		if (srv) await srv.stop();
	});

	test('the tab lists the four documents of the seed, each a link to its PDF', async () => {
		const r = await c.get('/compte/documentation');
		assert.equal(r.status, 200);
		const t = flat(textOf(r.text));
		assert.ok(t.includes('Documentation') && t.includes('Documents disponibles en un clic afin d’assurer la surveillance des sessions d’examen'));
		for (const [label, path] of DOCS) {
			const esc = label.replace(/'/g, '&#39;');
			assert.ok(r.text.includes(`<a href="${path}" download>${label}</a>`) || r.text.includes(`<a href="${path}" download>${esc}</a>`), label);
		}
		assert.ok(/href="\/compte\/documentation" aria-current="page"/.test(r.text));
	});

	test('every document: A4, its title in the metadata and on page 1, the Le Robert header and « Page N sur M » on every page', () => {
		for (const [title, path] of DOCS) {
			const d = pdfs[path];
			assert.match(d.info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/, path);
			assert.ok(d.info.includes(`Title:          ${title}`) || d.info.includes(title), `${path}: metadata title`);
			const first = d.pageTexts[0].replace(/\s+/g, ' ');
			const short = title.startsWith('Feuille') ? 'Feuille de brouillon' : title;
			assert.ok(first.includes(short), `${path}: « ${short} » on page 1`);
			for (let p = 1; p <= d.pages; p++) {
				const pt = d.pageTexts[p - 1];
				assert.ok(pt.includes(`Page ${p} sur ${d.pages}`), `${path}: page ${p} numbered`);
				assert.ok(/Certification\s+Le Robert/.test(pt), `${path}: header on page ${p}`);
			}
		}
	});

	test('the administrator\'s manual: a « Sommaire » whose pages are right, chapter by chapter like the seed, with screenshots', async () => {
		const d = pdfs[DOCS[0][1]];
		const chapters = ['1. Accueil', '2. Mes commandes', '3. Groupes', '4. Candidats', '5. Gérer les certifications', '6. Mon compte'];
		assert.ok(d.pages >= 12, `${d.pages} pages`);
		const toc = d.pageTexts[0];
		assert.ok(toc.includes('Sommaire'));
		for (const ch of chapters) {
			const m = new RegExp(`${ch.replace(/\./g, '\\.')}\\s+(\\d+)`).exec(toc);
			assert.ok(m, `« ${ch} » in the Sommaire with its page`);
			const page = +m[1];
			assert.ok(d.pageTexts[page - 1].split('\n').some((l) => l.trim().startsWith(ch)), `« ${ch} » starts page ${page}`);
		}
		for (const s of ['Commander des certifications', 'Créer un groupe', 'Créer un candidat', 'Générer les codes d\'activation',
			'Planifier des certifications en centre d\'examen La Poste', 'Contact', '350 questions', '1 h 45'])
			assert.ok(d.text.replace(/\s+/g, ' ').includes(s), `« ${s} »`);
		assert.ok(!d.text.includes('indisponible'), 'every screenshot is embedded');
		// the screenshots are images in the PDF
		const imgs = await run('pdfimages', ['-list', d.file]);
		const n = imgs.stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s+image/.test(l)).length;
		assert.ok(n >= 20, `${n} images`);
		assert.ok(d.size < 8 * 1024 * 1024, `${d.size} bytes`);
	});

	test('the proctor\'s manual: before, during, after; codes, identity, 350 questions in 11 series, 1 h 45, incidents, signatures', () => {
		const d = pdfs[DOCS[1][1]];
		const t = d.text.replace(/\s+/g, ' ');
		for (const s of ['Sommaire', '2. Avant la session', '3. Accueil et vérification d\'identité', '4. L\'épreuve', '5. Après l\'épreuve',
			'Codes d\'activation', 'pièce d\'identité', '350 questions réparties en 11 séries', '1 h 45', 'Incidents', 'Néant',
			'signez le document de surveillance', 'Feuilles de brouillon'])
			assert.ok(t.includes(s), `« ${s} »`);
		assert.ok(d.pages >= 4);
	});

	test('the blank forms: no session, no candidate, lines to fill in by hand', () => {
		const s = pdfs[DOCS[3][1]];
		for (const x of ['Document de surveillance', 'Lycée Émile Zola', 'Date :', 'Heure :', 'Liste d\'émargement', 'Incidents', 'Fait à', 'Signature du surveillant'])
			assert.ok(s.text.replace(/\s+/g, ' ').includes(x), `« ${x} » in the blank « Document de surveillance »`);
		assert.ok(!/Session n°/.test(s.text));
		const b = pdfs[DOCS[2][1]];
		assert.equal(b.pages, 1);
		for (const x of ['Feuille de brouillon', 'Nom :', 'Prénom :', 'Date de l\'épreuve :', 'À rendre au surveillant à la fin de l\'épreuve'])
			assert.ok(b.text.replace(/\s+/g, ' ').includes(x), `« ${x} » in the blank scratch sheet`);
	});

	test('administrators only: staff 403, anonymous to /connexion', async () => {
		const s = await loggedIn(srv, await newStaff(srv));
		const anon = new Client(srv.url);
		for (const [, path] of DOCS) {
			assert.equal((await s.get(path)).status, 403, path);
			const r = await anon.get(path);
			assert.equal(r.status, 303, path);
			assert.match(r.headers.get('location'), /^\/connexion/);
		}
	});
});
