// End to end in Chromium (issue 6): « Importer des candidats » from the
// list, a file with one bad line checked by the French labels, the error
// seen in the report, « Confirmer l'import », and the new candidates in
// « Candidats ».  Screenshots go to build/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';
import { startServer, newAdmin } from '../lib/server.mjs';


const CSV = [
	'Civilité;Nom;Nom de naissance;Prénom;Courriel;Date de naissance;Code postal de naissance;Commune de naissance;Pays de naissance;Statut;Financement',
	'Madame;Lefèvre;;Hélène;helene.lefevre@exemple.fr;14/07/1990;42000;St Etienne;France;Salarié;CPF',
	'Monsieur;Garnier;;Loïc;loic.garnier@exemple.fr;31/02/1988;69003;Villeurbanne;France;Étudiant;Personnel',
	'Madame;Da Silva;;Inês;ines.dasilva@exemple.fr;02/03/1995;;Lisbonne;Portugal;Autre;Employeur',
].join('\r\n') + '\r\n';

describe('import in Chromium', () => {
	let srv, admin, browser, page;
	const consoleErrors = [];

	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Institut Colette' });
		browser = await launchBrowser();
		page = await loggedInPage(browser, srv, admin, consoleErrors);
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('import a file with one bad line, see the error, confirm, find the candidates', async () => {
		await page.getByRole('link', { name: 'Candidats', exact: true }).first().click();
		await page.waitForURL((u) => u.pathname === '/candidats');
		await page.getByRole('link', { name: 'Importer des candidats' }).click();
		await page.waitForURL((u) => u.pathname === '/candidats/import');
		await page.getByLabel('Fichier CSV').setInputFiles({ name: 'candidats.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
		await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
		await page.getByRole('heading', { name: "Rapport d'import" }).waitFor();
		await page.screenshot({ path: join(SHOTS, 'import-report.png'), fullPage: true });

		const bad = page.locator('tr[data-line="3"]');
		await assert.doesNotReject(bad.getByText(/Date de naissance : Date invalide/).waitFor());
		await assert.doesNotReject(bad.getByText(/Commune de naissance : Cette commune ne correspond pas au code postal 69003/).waitFor());
		assert.equal(await page.locator('tr.import-ok').count(), 2);
		assert.equal((await page.locator('tr[data-line="2"] td').nth(3).innerText()).trim(), 'Valide');

		// nothing created yet; the report stays reachable at its own URL
		const action = await page.locator('form[data-import-confirm]').getAttribute('action');
		await page.goto(`${srv.url}/candidats`);
		await page.getByText('Aucun candidat pour le moment').waitFor();
		await page.goto(srv.url + action.replace(/\/confirmer$/, ''));
		await page.getByRole('heading', { name: "Rapport d'import" }).waitFor();

		await page.getByLabel("Envoyer l'identifiant et le mot de passe par courriel").check();
		await page.getByRole('button', { name: "Confirmer l'import" }).click();
		await page.waitForURL((u) => u.pathname === '/candidats');
		await page.getByText('2 candidats ont été importés. 1 ligne en erreur ignorée.').waitFor();
		await page.getByRole('link', { name: 'LEFÈVRE Hélène' }).waitFor();
		await page.getByRole('link', { name: 'DA SILVA Inês' }).waitFor();
		assert.equal(await page.getByText('GARNIER Loïc').count(), 0);
		await page.screenshot({ path: join(SHOTS, 'import-done.png'), fullPage: true });

		// the export links carry the live search
		await page.getByPlaceholder('Rechercher un nom, un courriel').fill('lefevre');
		await page.getByRole('link', { name: 'DA SILVA Inês' }).waitFor({ state: 'detached' });
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('link', { name: 'Exporter (CSV)' }).click(),
		]);
		assert.match(download.url(), /\/candidats\/export\.csv\?q=lefevre$/);
		assert.deepEqual(consoleErrors, []);
	});
});
