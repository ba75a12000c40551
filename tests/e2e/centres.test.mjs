// End to end in Chromium: Le Robert staff open « Centres d'examen », create
// a La Poste centre by the French labels of the form (first with a commune
// that does not match the postal code: the message, what was typed kept),
// add a slot by « Date », « Heure », « Places », see it with its free seats
// on the centre's page and in the table, close it, and get the report of a
// CSV file with errors.  The pages at 1280 px and 390 px wide (no sideways
// scrolling at 390 px) go to build/screenshots/centres-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, SHOTS, loggedInPage } from '../lib/browser.mjs';
import { startServer, newStaff, loggedIn } from '../lib/server.mjs';

const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** Today + days in Europe/Paris, « jj/mm/aaaa ». */
function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

describe('exam centres in Chromium (back office)', () => {
	let srv, staff, browser, page, centreUrl;
	const consoleErrors = [];
	const date = frDate(14);

	function staffPage(width) {
		return loggedInPage(browser, srv, staff, consoleErrors, { width, landing: /\/backoffice$/ });
	}

	/** Fails when the page is wider than its viewport (sideways scrolling). */
	async function fitsWidth(p, what) {
		const [scroll, width] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
		assert.ok(scroll <= width, `${what}: ${scroll} px wide in a ${width} px viewport`);
	}

	before(async () => {
		srv = await startServer();
		staff = await newStaff(srv);
		// a second centre with slots, created over HTTP, so the table has two rows
		const s = await loggedIn(srv, staff);
		let r = await s.post('/backoffice/centres', { name: 'La Poste Nice Thiers', address: '23 avenue Thiers', postal_code: '06000', city: 'Nice', active: '1' });
		assert.equal(r.status, 303);
		const nice = r.headers.get('location');
		for (const [d, t, n] of [[frDate(3), '09:00', '12'], [frDate(5), '14:00', '30']]) {
			r = await s.post(`${nice}/creneaux`, { date: d, time: t, seats: n });
			assert.equal(r.status, 303);
		}
		browser = await launchBrowser();
		page = await staffPage(1280);
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('create a centre by the labels of « Créer un centre »', async () => {
		await page.getByRole('navigation', { name: 'Navigation du back-office' }).getByRole('link', { name: "Centres d'examen" }).click();
		await page.waitForURL((u) => u.pathname === '/backoffice/centres');
		await page.getByRole('heading', { name: "Centres d'examen La Poste" }).waitFor();
		await page.getByLabel('Nom du centre').fill('La Poste Lyon Bellecour');
		await page.getByLabel('Adresse').fill('10 place Antonin-Poncet');
		await page.getByLabel('Code postal').fill('69002');
		await page.getByLabel('Commune').fill('Villeurbanne');
		await page.getByRole('button', { name: 'Créer le centre' }).click();
		await page.getByText('Cette commune ne correspond pas au code postal 69002 (communes : Lyon 2e Arrondissement).').waitFor();
		assert.equal(await page.getByLabel('Nom du centre').inputValue(), 'La Poste Lyon Bellecour', 'what was typed is kept');
		assert.equal(await page.getByLabel('Code postal').inputValue(), '69002');
		// the postal code filled the commune's suggestions
		await page.locator('#city_list option[value="Lyon 2e Arrondissement"]').waitFor({ state: 'attached' });
		await page.getByLabel('Commune').fill('Lyon 2e Arrondissement');
		await page.getByRole('button', { name: 'Créer le centre' }).click();
		await page.waitForURL(/\/backoffice\/centres\/\d+$/);
		centreUrl = page.url();
		await page.getByText('Le centre a été créé. Ajoutez-lui des créneaux.').waitFor();
		await page.getByRole('heading', { name: 'La Poste Lyon Bellecour' }).waitFor();
		const facts = norm(await page.locator('dl.facts').innerText());
		assert.ok(facts.includes('10 place Antonin-Poncet, 69002 Lyon 2e Arrondissement') && facts.includes('69 — Rhône'), facts);
	});

	test('add a slot by « Date », « Heure », « Places » and see its free seats', async () => {
		await page.getByLabel('Date', { exact: true }).fill(date);
		await page.getByLabel('Heure', { exact: true }).fill('9h30');
		await page.getByLabel('Places', { exact: true }).fill('501');
		await page.getByRole('button', { name: 'Ajouter le créneau' }).click();
		await page.getByText('Le nombre de places doit être un nombre entier de 1 à 500.').waitFor();
		assert.equal(await page.getByLabel('Date', { exact: true }).inputValue(), date, 'kept');
		await page.getByLabel('Places', { exact: true }).fill('20');
		await page.getByRole('button', { name: 'Ajouter le créneau' }).click();
		await page.getByText('Le créneau a été ajouté.').waitFor();
		const row = page.locator('#slots-table tbody tr').first();
		const cells = (await row.locator('td').allInnerTexts()).map(norm);
		assert.ok(cells[0].startsWith(date), cells.join(' | '));
		assert.equal(cells[1], '09:30');
		assert.equal(await row.getByLabel(`Places du créneau du ${date} à 09:30`).inputValue(), '20');
		assert.deepEqual(cells.slice(3, 6), ['0', '20', 'Ouvert']);
		await page.screenshot({ path: join(SHOTS, 'centres-centre-1280.png'), fullPage: true });
	});

	test('the table lists it with its free seats', async () => {
		await page.getByRole('link', { name: "← Centres d'examen" }).click();
		await page.waitForURL((u) => u.pathname === '/backoffice/centres');
		const row = page.getByRole('row', { name: /La Poste Lyon Bellecour/ });
		const cells = (await row.locator('td').allInnerTexts()).map(norm);
		assert.deepEqual(cells, ['La Poste Lyon Bellecour', '69002 Lyon 2e Arrondissement', '69 — Rhône', '1', '20', `${date} à 09:30`, 'Actif']);
		assert.equal(await page.locator('#centres-table tbody tr').count(), 2);
		await page.screenshot({ path: join(SHOTS, 'centres-1280.png'), fullPage: true });
		// search by département
		await page.getByLabel('Rechercher un centre').fill('rhône');
		await page.getByRole('button', { name: 'Rechercher' }).click();
		await page.waitForURL((u) => u.searchParams.get('q') === 'rhône');
		assert.equal(await page.locator('#centres-table tbody tr').count(), 1);
	});

	test('close the slot, then reopen it', async () => {
		await page.goto(centreUrl);
		await page.getByRole('button', { name: `Fermer le créneau du ${date} à 09:30` }).click();
		await page.getByText('Le créneau est fermé').waitFor();
		assert.equal(norm(await page.locator('#slots-table tbody tr td[data-label="État"]').innerText()), 'Fermé');
		await page.getByRole('button', { name: `Rouvrir le créneau du ${date} à 09:30` }).click();
		await page.getByText('Le créneau est rouvert aux réservations.').waitFor();
		assert.equal(norm(await page.locator('#slots-table tbody tr td[data-label="État"]').innerText()), 'Ouvert');
	});

	test('a CSV file with errors: the report, nothing imported', async () => {
		await page.goto(`${srv.url}/backoffice/centres`);
		await page.getByRole('link', { name: 'Importer des créneaux (CSV)' }).click();
		await page.waitForURL((u) => u.pathname === '/backoffice/centres/import');
		const csv = ['Centre;Date;Heure;Places', `La Poste Lyon Bellecour;${frDate(21)};09:00;20`,
			`La Poste Lyon Bellecour;${date};09:30;15`, `La Poste Marseille;${frDate(21)};09:00;20`].join('\r\n');
		await page.getByLabel('Fichier CSV').setInputFiles({ name: 'saison.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
		await page.getByRole('button', { name: 'Importer les créneaux' }).click();
		await page.getByText("Rien n'a été importé : 2 lignes sur 3 contiennent des erreurs.").waitFor();
		await page.getByText(`Ce créneau existe déjà : le centre a un créneau le ${date} à 09:30.`).waitFor();
		await page.getByText('Centre : Aucun centre ne porte le nom « La Poste Marseille ».').waitFor();
		await page.screenshot({ path: join(SHOTS, 'centres-import-1280.png'), fullPage: true });
	});

	test('at 390 px wide: the tables are readable without sideways scrolling', async () => {
		const p = await staffPage(390);
		await p.goto(`${srv.url}/backoffice/centres`);
		await fitsWidth(p, 'centres');
		assert.ok(await p.getByRole('link', { name: 'La Poste Lyon Bellecour' }).isVisible());
		await p.screenshot({ path: join(SHOTS, 'centres-390.png'), fullPage: true });
		await p.goto(centreUrl);
		await fitsWidth(p, 'centre');
		const seats = p.getByLabel(`Places du créneau du ${date} à 09:30`);
		assert.ok(await seats.isVisible());
		const box = await seats.boundingBox();
		assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the seats field is on screen');
		await p.getByRole('button', { name: `Fermer le créneau du ${date} à 09:30` }).waitFor();
		await p.screenshot({ path: join(SHOTS, 'centres-centre-390.png'), fullPage: true });
		// change the seats from the phone
		await seats.fill('25');
		await p.locator(`tr:has(#${await seats.getAttribute('id')}) button`, { hasText: 'Modifier' }).click();
		await p.getByText('Le nombre de places a été modifié.').waitFor();
		await p.goto(`${srv.url}/backoffice/centres/import`);
		await fitsWidth(p, 'import');
		await p.context().close();
	});

	test('no script error or CSP violation in the console', () => {
		assert.deepEqual(consoleErrors.filter((e) => !/favicon|status of (401|404|422)/.test(e)), []);
	});
});
