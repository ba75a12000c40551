// The exam day end to end, in Chromium, as the issue « Activation codes,
// proctoring documents and results » is done when it holds: an
// administrator plans a self-proctored session for today (« Gérer les
// certifications »), « Générer les codes » from the home page, prints the
// « Codes d'activation », the « Document de surveillance » and the
// « Feuilles de brouillon » (each PDF read back with pdftotext: every
// candidate, every code); the exam platform sends one result through the
// API with a key Le Robert staff created in « Clés d'API », staff import
// another from a CSV in « Résultats »; the administrator then sees the
// session's « Passées », the candidates « Passée » with their score, the
// home tile « Certification(s) passée(s) », and downloads « Résultats
// (CSV) ».  Screenshots in build/screenshots/exam-day-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';
import { startServer, newAdmin, newStaff, loggedIn, uniqueEmail, clr } from '../lib/server.mjs';

const run = promisify(execFile);
const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

const PEOPLE = [['Marchand', 'Inès'], ['Roussel', 'Théo'], ['Bonnet', 'Léa']];

describe('the exam day in Chromium: codes, printed documents, results, « Passée »', () => {
	let srv, admin, staff, browser, page, dir, sessionUrl;
	const codes = {}; // « MARCHAND Inès » -> code
	const consoleErrors = [];
	const today = frDate(0);

	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Institut Marchand Formation' });
		staff = await newStaff(srv);
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '5', '--reason', 'e2e']);
		const c = await loggedIn(srv, admin);
		for (const [last, first] of PEOPLE) {
			let r = await c.post('/candidats/nouveau', {
				civility: 'madame', last_name: last, birth_name: '', first_name: first, email: uniqueEmail('jour'),
				birth_date: '02/03/1995', birth_postal_code: '69001', birth_city: 'Lyon', birth_country: 'FR', action: 'next',
			});
			const id = +/\/candidats\/(\d+)\//.exec(r.headers.get('location'))[1];
			await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'non', action: 'next' });
			r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
			assert.equal(r.status, 303);
		}
		dir = mkdtempSync(join(tmpdir(), 'clr-exam-day-'));
		browser = await launchBrowser();
		page = await loggedInPage(browser, srv, admin, consoleErrors);
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	test('a self-proctored session today for three candidates', async () => {
		await page.getByRole('link', { name: 'Gérer les certifications' }).first().click();
		await page.waitForURL((u) => u.pathname === '/certifications');
		await page.getByLabel(/Partenaire \/ centre agréé/).check();
		await page.getByLabel('Date prévisionnelle de la session d\'examen').fill(today);
		await page.getByLabel('Heure (facultatif)').fill('14:00');
		await page.getByLabel('Lieu ou salle (facultatif)').fill('Salle B12');
		await page.getByRole('button', { name: 'Attribuer des certifications à un ou plusieurs candidats' }).click();
		await page.waitForURL((u) => u.pathname === '/certifications/surveillance');
		for (const [last, first] of PEOPLE) await page.getByLabel(`Sélectionner ${last.toUpperCase()} ${first}`).check();
		await page.getByRole('button', { name: 'Valider l\'attribution' }).click();
		await page.getByText('3 certifications ont été attribuées.').waitFor();
		await page.getByRole('link', { name: 'Voir la session d\'examen' }).click();
		await page.waitForURL(/\/certifications\/sessions\/\d+$/);
		sessionUrl = page.url();
		assert.equal(await page.locator('#session-planned').textContent(), '3');
	});

	test('« Générer les codes » from the home page: one code each', async () => {
		await page.goto(`${srv.url}/accueil`);
		await page.getByRole('link', { name: 'Générer les codes' }).click();
		await page.waitForURL((u) => u.pathname === '/certifications/codes');
		await page.getByLabel('Session d\'examen', { exact: true }).selectOption({ index: 0 });
		await page.getByRole('button', { name: 'Générer les codes', exact: true }).click();
		await page.waitForURL(/\/certifications\/sessions\/\d+$/);
		await page.getByText('3 codes d\'activation ont été générés.').waitFor();
		for (const [last, first] of PEOPLE) {
			const name = `${last.toUpperCase()} ${first}`;
			const code = norm(await page.getByRole('row', { name: new RegExp(name) }).locator('td.code').textContent());
			assert.match(code, /^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/, name);
			codes[name] = code;
		}
		assert.equal(new Set(Object.values(codes)).size, 3);
		await page.screenshot({ path: join(SHOTS, 'exam-day-codes.png'), fullPage: true });
	});

	test('the printed documents: every candidate, every code', async () => {
		const texts = {};
		for (const label of ['Codes d\'activation (PDF)', 'Document de surveillance (PDF)', 'Feuilles de brouillon (PDF)']) {
			const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: label }).click()]);
			const file = join(dir, dl.suggestedFilename());
			await dl.saveAs(file);
			assert.equal(readFileSync(file).subarray(0, 5).toString(), '%PDF-', label);
			texts[label] = norm((await run('pdftotext', ['-layout', file, '-'])).stdout);
		}
		for (const [name, code] of Object.entries(codes)) {
			assert.ok(texts['Codes d\'activation (PDF)'].includes(name) && texts['Codes d\'activation (PDF)'].includes(code), `${name} ${code} on the codes`);
			assert.ok(texts['Document de surveillance (PDF)'].includes(name) && texts['Document de surveillance (PDF)'].includes(code), `${name} on the proctor's document`);
			assert.ok(texts['Feuilles de brouillon (PDF)'].includes(name), `${name}'s scratch sheet`);
		}
		assert.ok(texts['Document de surveillance (PDF)'].includes('Salle B12'), texts['Document de surveillance (PDF)'].slice(0, 600));
		assert.ok(texts['Document de surveillance (PDF)'].includes('Institut Marchand Formation'));
	});

	test('results come back: one through the API, one by staff\'s CSV', async () => {
		const bo = await loggedInPage(browser, srv, staff, consoleErrors, { landing: /\/backoffice$/ });
		await bo.getByRole('navigation', { name: 'Navigation du back-office' }).getByRole('link', { name: "Clés d'API" }).click();
		await bo.getByLabel('Nom de la clé').fill('Plateforme d\'examen');
		await bo.getByRole('button', { name: 'Créer la clé' }).click();
		const key = await bo.getByRole('textbox', { name: "Clé d'API", exact: true }).inputValue();
		// the exam platform
		const res = await fetch(`${srv.url}/api/v1/results`, {
			method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			body: JSON.stringify({ code: codes['MARCHAND Inès'], score: 845, duration_s: 5400 }),
		});
		assert.equal(res.status, 201, await res.text());
		// staff, with a file
		await bo.getByRole('navigation', { name: 'Navigation du back-office' }).getByRole('link', { name: 'Résultats' }).click();
		const csv = `Code d'activation;Score;Durée (minutes);Date de passage\r\n${codes['ROUSSEL Théo']};712;88;${today}\r\n`;
		await bo.getByLabel('Fichier CSV').setInputFiles({ name: 'resultats.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
		await bo.getByRole('button', { name: 'Vérifier le fichier' }).click();
		await bo.getByRole('button', { name: "Confirmer l'import" }).click();
		await bo.waitForURL((u) => u.pathname === '/backoffice/resultats');
		assert.ok(norm(await bo.locator('.flash').innerText()).includes('1 résultat a été enregistré'));
		await bo.context().close();
	});

	test('the administrator sees « Passée », the scores, the count, and the results file', async () => {
		await page.goto(sessionUrl);
		assert.equal(norm(await page.locator('.facts div', { hasText: 'Passées' }).locator('dd').textContent()), '2');
		assert.equal(await page.locator('#session-planned').textContent(), '1');
		const row = (n) => page.getByRole('row', { name: new RegExp(n) });
		assert.match(norm(await row('MARCHAND Inès').innerText()), /Passée · 845/);
		assert.match(norm(await row('ROUSSEL Théo').innerText()), /Passée · 712/);
		assert.match(norm(await row('BONNET Léa').innerText()), /Prévue/);
		await page.screenshot({ path: join(SHOTS, 'exam-day-results.png'), fullPage: true });
		const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Résultats (CSV)' }).click()]);
		const file = join(dir, dl.suggestedFilename());
		await dl.saveAs(file);
		const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
		assert.equal(lines[0], 'Nom;Prénom;Courriel;État;Score;Durée (minutes);Passée le');
		assert.ok(lines.some((l) => /^Marchand;Inès;[^;]+;Passée;845;90;$/.test(l)), lines.join('\n'));
		assert.ok(lines.some((l) => l.startsWith('Roussel;Théo;') && l.endsWith(`;Passée;712;88;${today}`)), lines.join('\n'));
		// the candidate's page and the list
		await row('MARCHAND Inès').getByRole('link', { name: 'MARCHAND Inès' }).click();
		await page.waitForURL(/\/candidats\/\d+$/);
		assert.ok(norm(await page.locator('main').innerText()).includes('845 / 1000'));
		await page.goto(`${srv.url}/accueil`);
		const tile = norm(await page.locator('.cand-counts').innerText());
		assert.match(tile, /2 Certification\(s\) passée\(s\)/, tile);
		await page.locator('.cand-counts').getByRole('link', { name: /Certification\(s\) passée\(s\)/ }).click();
		await page.waitForURL((u) => u.pathname === '/candidats');
		const list = norm(await page.locator('main').innerText());
		assert.ok(list.includes('MARCHAND') && list.includes('ROUSSEL') && !list.includes('BONNET'), list.slice(0, 800));
		await page.screenshot({ path: join(SHOTS, 'exam-day-passees.png'), fullPage: true });
	});

	test('no script error or CSP violation in the console', () => {
		assert.deepEqual(consoleErrors.filter((e) => !/favicon/.test(e)), []);
	});
});
