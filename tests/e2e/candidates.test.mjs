// End to end in Chromium (issue 6): create a candidate through the five
// steps by the French labels (with the commune suggestions of the postal
// code), then find them in « Candidats » by typing part of their name
// without accents (the list updates as one types).  Screenshots go to
// build/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';
import { startServer, newAdmin } from '../lib/server.mjs';


describe('candidates in Chromium', () => {
	let srv, admin, browser, page;
	const consoleErrors = [];

	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Lycée Victor-Hugo' });
		browser = await launchBrowser();
		page = await loggedInPage(browser, srv, admin, consoleErrors);
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('create a candidate through the five steps', async () => {
		await page.getByRole('link', { name: 'Candidats', exact: true }).first().click();
		await page.waitForURL((u) => u.pathname === '/candidats');
		await page.getByRole('link', { name: 'Créer un candidat' }).click();
		await page.waitForURL((u) => u.pathname === '/candidats/nouveau');
		await page.getByText('Identité (Obligatoire)').first().waitFor();

		// 1. Identité - first with a mistake in the commune
		await page.getByLabel('Madame').check();
		await page.getByLabel(/^Nom\s*\*?$/).fill('Lefèvre-Öztürk');
		await page.getByLabel('Prénom').fill('Hélène');
		await page.getByLabel('Courriel').fill('helene.lefevre@exemple.fr');
		await page.getByLabel('Date de naissance').fill('14/07/1990');
		await page.getByLabel('Pays de naissance').selectOption({ label: 'France' });
		await page.getByLabel('Code postal de naissance').fill('42000');
		// the suggestions of the postal code arrive in the datalist
		await page.waitForFunction(() => document.querySelectorAll('#birth_city_list option').length > 0);
		const suggestions = await page.$$eval('#birth_city_list option', (os) => os.map((o) => o.value));
		assert.deepEqual(suggestions, ['Saint-Étienne']);
		await page.getByLabel('Commune de naissance').fill('Lyon');
		await page.getByRole('button', { name: 'Étape suivante' }).click();
		await page.getByText('Cette commune ne correspond pas au code postal 42000').waitFor();
		assert.equal(await page.getByLabel('Prénom').inputValue(), 'Hélène', 'what was typed is kept');
		await page.screenshot({ path: join(SHOTS, 'candidat-identite-erreur.png'), fullPage: true });
		await page.getByLabel('Commune de naissance').fill('st etienne');
		await page.getByRole('button', { name: 'Étape suivante' }).click();

		// 2. Mot de passe
		await page.waitForURL(/\/candidats\/\d+\/etape\/2$/);
		await page.getByText('Mot de passe (champs obligatoires)').waitFor();
		await page.getByLabel(/^Mot de passe\s*\*?$/).fill('abc');
		await page.getByLabel('Confirmation du mot de passe').fill('abc');
		await page.getByLabel('Oui').check();
		await page.getByRole('button', { name: 'Étape suivante' }).click();
		await page.getByText('Le mot de passe doit contenir au minimum 6 caractères.').last().waitFor();
		await page.getByLabel(/^Mot de passe\s*\*?$/).fill('soleil42');
		await page.getByLabel('Confirmation du mot de passe').fill('soleil42');
		await page.getByRole('button', { name: 'Étape suivante' }).click();

		// 3. Informations
		await page.waitForURL(/\/etape\/3$/);
		await page.getByLabel('Statut').selectOption({ label: 'Salarié' });
		await page.getByLabel('Financement').selectOption({ label: 'Compte personnel de formation (CPF)' });
		await page.getByRole('button', { name: 'Étape suivante' }).click();

		// 4. Coordonnées
		await page.waitForURL(/\/etape\/4$/);
		await page.getByLabel('Téléphone (mobile de préférence)').fill('06 12 34 56 78');
		await page.getByLabel('Adresse de résidence').fill('3 rue de la Paix');
		await page.getByLabel('Code postal de résidence').fill('75002');
		await page.getByLabel('Commune de résidence').fill('Paris');
		await page.getByLabel('Pays de résidence').selectOption({ label: 'France' });
		await page.getByRole('button', { name: 'Étape suivante' }).click();

		// 5. Divers, then « Enregistrer »
		await page.waitForURL(/\/etape\/5$/);
		await page.getByLabel("Niveau d'études").selectOption({ label: 'Baccalauréat' });
		await page.getByLabel('Catégorie socio-professionnelle').selectOption({ label: 'Employés' });
		await page.getByRole('group', { name: 'Le français est-il votre langue maternelle ?' }).getByLabel('Oui').check();
		await page.screenshot({ path: join(SHOTS, 'candidat-divers.png'), fullPage: true });
		await page.getByRole('button', { name: 'Enregistrer' }).click();

		await page.waitForURL(/\/candidats\/\d+$/);
		await page.getByText('Le candidat a été enregistré.').waitFor();
		await page.getByRole('heading', { name: 'LEFÈVRE-ÖZTÜRK Hélène' }).waitFor();
		await page.getByText('À attribuer').first().waitFor();
		await page.getByText('Saint-Étienne').waitFor();
		await page.getByText('Vos identifiants pour la Certification Le Robert').waitFor();
		await page.screenshot({ path: join(SHOTS, 'candidat.png'), fullPage: true });
	});

	test('find the candidate by typing part of the name without accents', async () => {
		await page.goto(`${srv.url}/candidats`);
		await page.getByPlaceholder('Rechercher un nom, un courriel').pressSequentially('lefevre-oz', { delay: 30 });
		// the list updates without submitting: the URL carries the filter
		await page.waitForURL((u) => u.searchParams.get('q') === 'lefevre-oz');
		assert.equal(new URL(page.url()).search, '?q=lefevre-oz', 'the filters set, not the empty ones');
		const row = page.getByRole('row', { name: /LEFÈVRE-ÖZTÜRK Hélène/ });
		await row.waitFor();
		await row.getByText('À attribuer').waitFor();
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 1);
		await page.screenshot({ path: join(SHOTS, 'candidats-recherche.png'), fullPage: true });
		await page.getByPlaceholder('Rechercher un nom, un courriel').fill('personne-de-ce-nom');
		await page.getByText('Aucun candidat ne correspond à ces critères.').waitFor();
		await page.getByRole('link', { name: 'Réinitialiser les filtres' }).click();
		await page.waitForURL((u) => u.pathname === '/candidats' && !u.search);
		await page.getByRole('link', { name: 'LEFÈVRE-ÖZTÜRK Hélène' }).click();
		await page.waitForURL(/\/candidats\/\d+$/);
	});

	test('no script error or CSP violation in the console', () => {
		assert.deepEqual(consoleErrors.filter((e) => !/favicon|status of (401|404|422)/.test(e)), []);
	});
});
