// End to end in Chromium (issue 5): create the group « BTS 2026 » of
// category « Classe » by the French labels, associate two candidates found
// by search in « Associer des candidats », filter « Candidats » by that
// group, then remove one from the group.  Also « select all » on the page
// and « Sélectionner les N candidats correspondants ».  Screenshots go to
// build/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';
import { startServer, newAdmin, loggedIn, uniqueEmail } from '../lib/server.mjs';


/** A draft candidate created over HTTP (the candidate form has its own e2e test). */
async function candidate(c, last, first) {
	const r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: last, birth_name: '', first_name: first, email: uniqueEmail('e2e'),
		birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
	});
	assert.equal(r.status, 303);
}

describe('groups in Chromium', () => {
	let srv, admin, browser, page;
	const consoleErrors = [];

	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Lycée Jules-Ferry' });
		const c = await loggedIn(srv, admin);
		await candidate(c, 'Zola', 'Émile');
		await candidate(c, 'Zoller', 'Anaïs');
		await candidate(c, 'Hugo', 'Victor');
		for (let i = 0; i < 4; i++) await candidate(c, 'Sand', `George${String.fromCharCode(97 + i)}`);
		browser = await launchBrowser();
		page = await loggedInPage(browser, srv, admin, consoleErrors);
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('create « BTS 2026 » of category « Classe »', async () => {
		await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Groupes' }).click();
		await page.waitForURL((u) => u.pathname === '/groupes');
		await page.getByText("les candidats appartiennent à une même classe").waitFor();
		await page.getByRole('link', { name: 'Créer un groupe' }).click();
		await page.waitForURL((u) => u.pathname === '/groupes/nouveau');
		// first without a category
		await page.getByLabel('Nom du groupe').fill('BTS 2026');
		await page.getByRole('button', { name: 'Créer le groupe' }).click();
		await page.getByText('Veuillez choisir une catégorie.').waitFor();
		assert.equal(await page.getByLabel('Nom du groupe').inputValue(), 'BTS 2026', 'what was typed is kept');
		await page.getByLabel('Catégorie de groupe').selectOption({ label: 'Classe' });
		await page.screenshot({ path: join(SHOTS, 'groupe-creation.png'), fullPage: true });
		await page.getByRole('button', { name: 'Créer le groupe' }).click();
		await page.waitForURL(/\/groupes\/\d+$/);
		await page.getByText('Le groupe a été créé.').waitFor();
		await page.getByRole('heading', { name: 'BTS 2026' }).waitFor();
		await page.getByText('Aucun candidat dans ce groupe').waitFor();
	});

	test('associate two candidates found by search', async () => {
		await page.getByRole('link', { name: 'Associer des candidats' }).click();
		await page.waitForURL(/\/groupes\/\d+\/associer$/);
		await page.getByRole('option', { name: 'Tous les groupes' }).waitFor({ state: 'attached' });
		await page.getByPlaceholder('Rechercher un nom, un courriel').pressSequentially('zol', { delay: 30 });
		await page.waitForURL((u) => u.searchParams.get('q') === 'zol');
		await page.getByRole('row', { name: /ZOLLER Anaïs/ }).waitFor();
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 2);
		await page.getByLabel('Sélectionner ZOLA Émile').check();
		await page.getByLabel('Sélectionner ZOLLER Anaïs').check();
		await page.screenshot({ path: join(SHOTS, 'groupe-associer.png'), fullPage: true });
		await page.getByRole('button', { name: 'Associer', exact: true }).click();
		await page.waitForURL(/\/groupes\/\d+$/);
		await page.getByText('2 candidats ont été associés au groupe.').waitFor();
		await page.getByRole('link', { name: 'ZOLA Émile' }).waitFor();
		await page.getByRole('link', { name: 'ZOLLER Anaïs' }).waitFor();
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 2);
	});

	test('filter « Candidats » by the group', async () => {
		await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Candidats' }).click();
		await page.waitForURL((u) => u.pathname === '/candidats');
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 7);
		await page.locator('#groupe').selectOption({ label: 'BTS 2026' });
		await page.waitForURL((u) => u.searchParams.has('groupe'));
		await page.getByText('2 candidats').first().waitFor();
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 2);
		await page.getByRole('row', { name: /ZOLA Émile/ }).waitFor();
		await page.screenshot({ path: join(SHOTS, 'candidats-groupe.png'), fullPage: true });
	});

	test('remove one candidate from the group', async () => {
		await page.goto(`${srv.url}/groupes`);
		await page.getByRole('link', { name: /Afficher les candidats du groupe/ }).first().click();
		await page.waitForURL(/\/groupes\/\d+$/);
		await page.getByLabel('Sélectionner ZOLA Émile').check();
		await page.getByRole('button', { name: 'Retirer du groupe' }).click();
		await page.getByText('1 candidat a été retiré du groupe.').waitFor();
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 1);
		await page.getByRole('row', { name: /ZOLLER Anaïs/ }).waitFor();
		assert.equal(await page.locator('#group-members').textContent(), '1');
		await page.screenshot({ path: join(SHOTS, 'groupe.png'), fullPage: true });
	});

	test('« select all » on the page and every matching candidate', async () => {
		await page.getByRole('link', { name: 'Associer des candidats' }).click();
		await page.waitForURL(/\/associer$/);
		await page.getByPlaceholder('Rechercher un nom, un courriel').pressSequentially('sand', { delay: 30 });
		await page.waitForURL((u) => u.searchParams.get('q') === 'sand');
		await page.getByRole('button', { name: 'Sélectionner les 4 candidats correspondants' }).waitFor();
		await page.getByLabel('Sélectionner tous les candidats de la page').check();
		for (const box of await page.locator('input[name="ids"]').all()) assert.ok(await box.isChecked());
		await page.getByRole('button', { name: 'Sélectionner les 4 candidats correspondants' }).click();
		await page.getByText('Les 4 candidats correspondants sont sélectionnés.').waitFor();
		assert.equal(await page.locator('#all-matching').inputValue(), '1');
		await page.getByRole('button', { name: 'Associer', exact: true }).click();
		await page.waitForURL(/\/groupes\/\d+$/);
		await page.getByText('4 candidats ont été associés au groupe.').waitFor();
		assert.equal(await page.locator('#group-members').textContent(), '5');
	});

	test('no script error or CSP violation in the console', () => {
		assert.deepEqual(consoleErrors.filter((e) => !/favicon|status of (401|404|422)/.test(e)), []);
	});
});
