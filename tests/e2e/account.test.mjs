// « Compte Administrateur » in Chromium: the « Documentation » tab (each
// link downloads its PDF), and the contact flow on both sides: the
// administrator sends a request by the French labels, staff answer it and
// close it in the back office's « Demandes », the administrator sees the
// answer.  Screenshots at 1280 and 390 px go to build/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, newAdmin, newStaff } from '../lib/server.mjs';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';

describe('« Compte Administrateur »: Documentation and Contact in Chromium', () => {
	let srv, admin, staff, browser, page;
	const errors = [];

	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Institut Molière' });
		staff = await newStaff(srv);
		browser = await launchBrowser();
		page = await loggedInPage(browser, srv, admin, errors);
	});
	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('« Documentation »: the four documents, each one click away, are PDFs', async () => {
		await page.getByRole('link', { name: 'Compte Administrateur' }).click();
		await page.getByRole('link', { name: 'Documentation' }).click();
		await page.waitForURL(/\/compte\/documentation$/);
		await page.getByRole('heading', { name: 'Documentation' }).waitFor();
		await page.screenshot({ path: join(SHOTS, 'account-documentation-1280.png'), fullPage: true });
		await page.setViewportSize({ width: 390, height: 844 });
		await page.screenshot({ path: join(SHOTS, 'account-documentation-390.png'), fullPage: true });
		assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scroll at 390 px');
		await page.setViewportSize({ width: 1280, height: 900 });
		for (const [label, file] of [
			['Mode d\'emploi à destination de l\'administrateur', 'mode-emploi-administrateur.pdf'],
			['Mode d\'emploi à destination du surveillant', 'mode-emploi-surveillant.pdf'],
			['Feuille de brouillon Certification Le Robert', 'feuille-de-brouillon.pdf'],
			['Document de surveillance', 'document-de-surveillance.pdf'],
		]) {
			const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.getByRole('link', { name: label, exact: true }).click()]);
			assert.equal(dl.suggestedFilename(), file, label);
			const bytes = readFileSync(await dl.path());
			assert.equal(bytes.subarray(0, 5).toString(), '%PDF-', `${label}: a PDF`);
			assert.ok(bytes.length > 10000, `${label}: ${bytes.length} bytes`);
		}
		assert.deepEqual(errors, []);
	});

	test('« Contact »: an empty message is refused with its French message, then the request is sent', async () => {
		await page.getByRole('link', { name: 'Contact' }).click();
		await page.getByRole('heading', { name: 'Formulaire de contact' }).waitFor();
		await page.getByText('Utilisez le formulaire ci-dessous afin de nous contacter.').waitFor();
		await page.getByLabel('Objet de la demande').selectOption({ label: 'Technique' });
		await page.getByRole('button', { name: 'Envoyer la demande' }).click();
		await page.getByText('Merci de préciser votre demande : le message est vide.').waitFor();
		assert.equal(await page.getByLabel('Objet de la demande').inputValue(), 'technical', 'the choice is kept');
		await page.getByLabel('Objet (en quelques mots)').fill('Code d\'activation refusé');
		await page.getByLabel('Merci de préciser votre demande').fill('Bonjour,\nle code de Jeanne Dupont est refusé ce matin.\nMerci !');
		await page.getByRole('button', { name: 'Envoyer la demande' }).click();
		await page.waitForURL(/\/compte\/contact$/);
		await page.getByText(/Votre demande n° \d+ a bien été envoyée/).waitFor();
		const row = page.locator('#support-requests tbody tr').first();
		assert.match(await row.innerText(), /Technique — Code d'activation refusé[\s\S]*Ouverte/);
		await page.screenshot({ path: join(SHOTS, 'account-contact-1280.png'), fullPage: true });
		await page.setViewportSize({ width: 390, height: 844 });
		await page.screenshot({ path: join(SHOTS, 'account-contact-390.png'), fullPage: true });
		await page.setViewportSize({ width: 1280, height: 900 });
	});

	test('staff answer in « Demandes » and close; the administrator sees the answer', async () => {
		const bo = await loggedInPage(browser, srv, staff, errors, { landing: /\/backoffice$/ });
		await bo.getByRole('link', { name: 'Demandes', exact: true }).click();
		await bo.getByRole('heading', { name: 'Demandes' }).waitFor();
		await bo.getByRole('link', { name: /^Ouverte/ }).click();
		await bo.waitForURL(/statut=open/);
		const row = bo.locator('#support-requests tbody tr', { hasText: 'Institut Molière' });
		await row.getByRole('link', { name: /Ouvrir la demande/ }).click();
		await bo.getByText('le code de Jeanne Dupont est refusé ce matin.').waitFor();
		await bo.getByRole('textbox', { name: 'Réponse' }).fill('Bonjour,\nun nouveau code a été généré : il remplace l\'ancien.');
		await bo.getByRole('button', { name: 'Envoyer la réponse' }).click();
		await bo.getByText('La réponse a été envoyée à l\'administrateur par courriel').waitFor();
		await bo.getByText('Répondue').first().waitFor();
		await bo.screenshot({ path: join(SHOTS, 'bo-support-request-1280.png'), fullPage: true });
		await bo.getByRole('button', { name: 'Clore la demande' }).click();
		await bo.getByText('La demande est close.').waitFor();
		assert.equal(await bo.getByRole('button', { name: 'Envoyer la réponse' }).count(), 0, 'no answer form once closed');
		await bo.getByRole('link', { name: 'Toutes les demandes' }).click();
		await bo.getByRole('link', { name: /^Close/ }).click();
		assert.match(await bo.locator('#support-requests tbody').innerText(), /Code d'activation refusé/);
		await bo.screenshot({ path: join(SHOTS, 'bo-support-list-1280.png'), fullPage: true });
		await bo.setViewportSize({ width: 390, height: 844 });
		await bo.screenshot({ path: join(SHOTS, 'bo-support-list-390.png'), fullPage: true });
		await bo.context().close();

		await page.goto(`${srv.url}/compte/contact`);
		await page.locator('#support-requests tbody tr').first().getByText('Close').waitFor();
		await page.getByRole('link', { name: /Voir la demande n° \d+/ }).first().click();
		await page.getByText('un nouveau code a été généré : il remplace l\'ancien.').waitFor();
		await page.getByText(/Réponse de .* le \d\d\/\d\d\/\d{4}/).waitFor();
		await page.screenshot({ path: join(SHOTS, 'account-contact-request-1280.png'), fullPage: true });
		await page.setViewportSize({ width: 390, height: 844 });
		await page.screenshot({ path: join(SHOTS, 'account-contact-request-390.png'), fullPage: true });
		// the refused empty message of the test before answered 422, as it should
		assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
	});
});
