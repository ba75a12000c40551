// End to end in Chromium: the seed's two flows of « Gérer les certifications »
// by their French labels.  Self-proctored: « Candidats » → « Gérer les
// certifications », tick the type, type the session's date, time and room,
// « Attribuer des certifications à un ou plusieurs candidats », find two
// candidates, « Valider l'attribution », see the result and the session,
// cancel one.  La Poste: search « Lyon », « Choisir ce créneau », select
// all matching candidates, validate, and see them convoked on the slot and
// on the candidate's page.  Also at 390 px wide.  Screenshots in
// build/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';
import { startServer, newAdmin, newStaff, loggedIn, uniqueEmail, clr, textOf } from '../lib/server.mjs';

function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

async function candidate(c, last, first) {
	let r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: last, birth_name: '', first_name: first, email: uniqueEmail('e2e'),
		birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
	});
	const id = +/\/candidats\/(\d+)\//.exec(r.headers.get('location'))[1];
	r = await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'non', action: 'next' });
	r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
	assert.equal(r.status, 303);
	return id;
}

describe('« Gérer les certifications » in Chromium', () => {
	let srv, admin, browser, page;
	const consoleErrors = [];
	const date = frDate(15);

	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Centre de formation Colette' });
		for (const [ref, qty] of [['PART-CLR-EXAMEN', 10], ['PART-LAPOSTE-EXAMEN', 5]])
			await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', ref, '--qty', String(qty), '--reason', 'e2e']);
		const c = await loggedIn(srv, admin);
		await candidate(c, 'Zola', 'Émile');
		await candidate(c, 'Zoller', 'Anaïs');
		await candidate(c, 'Hugo', 'Victor');
		await candidate(c, 'Sand', 'George');
		const s = await loggedIn(srv, await newStaff(srv));
		let r = await s.post('/backoffice/centres', { name: 'La Poste Lyon Bellecour', address: '10 place Antonin-Poncet',
			postal_code: '69002', city: 'Lyon', active: '1' });
		const centre = +/centres\/(\d+)/.exec(r.headers.get('location'))[1];
		r = await s.post(`/backoffice/centres/${centre}/creneaux`, { date: frDate(20), time: '09:30', seats: '12' });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		browser = await launchBrowser();
		page = await loggedInPage(browser, srv, admin, consoleErrors);
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('self-proctored: type, date, candidates, « Valider l\'attribution »', async () => {
		await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Candidats' }).click();
		await page.waitForURL((u) => u.pathname === '/candidats');
		await page.getByRole('link', { name: 'Gérer les certifications' }).click();
		await page.waitForURL((u) => u.pathname === '/certifications');
		await page.getByRole('heading', { name: 'Certifications dont vous gérez la surveillance' }).waitFor();
		await page.getByRole('heading', { name: 'Planifier des certifications en centre d\'examen La Poste' }).waitFor();
		// a past date first: refused, what was typed stays
		await page.getByLabel(/Partenaire \/ centre agréé/).check();
		await page.getByLabel('Date prévisionnelle de la session d\'examen').fill(frDate(-3));
		await page.getByLabel('Lieu ou salle (facultatif)').fill('Salle Colette');
		await page.getByRole('button', { name: 'Attribuer des certifications à un ou plusieurs candidats' }).click();
		await page.getByText('La date de la session doit être aujourd\'hui ou plus tard.').waitFor();
		assert.equal(await page.getByLabel('Lieu ou salle (facultatif)').inputValue(), 'Salle Colette');
		await page.getByLabel('Date prévisionnelle de la session d\'examen').fill(date);
		await page.getByLabel('Heure (facultatif)').fill('09:30');
		await page.screenshot({ path: join(SHOTS, 'certifications.png'), fullPage: true });
		await page.getByRole('button', { name: 'Attribuer des certifications à un ou plusieurs candidats' }).click();
		await page.waitForURL((u) => u.pathname === '/certifications/surveillance');
		await page.getByText(`${date} à 09:30`).waitFor();
		await page.getByPlaceholder('Rechercher un nom, un courriel').pressSequentially('zol', { delay: 30 });
		await page.waitForURL((u) => u.searchParams.get('q') === 'zol');
		await page.getByRole('row', { name: /ZOLLER Anaïs/ }).waitFor();
		assert.ok(page.url().includes('lieu=Salle'), 'the session stays in the URL as one searches');
		await page.getByLabel('Sélectionner ZOLA Émile').check();
		await page.getByLabel('Sélectionner ZOLLER Anaïs').check();
		await page.screenshot({ path: join(SHOTS, 'certifications-choix.png'), fullPage: true });
		await page.getByRole('button', { name: 'Valider l\'attribution' }).click();
		await page.waitForURL(/\/certifications\/lots\/\d+$/);
		await page.getByText('2 certifications ont été attribuées.').waitFor();
		await page.getByText('2 certifications attribuées sur 2 candidats sélectionnés').waitFor();
		await page.screenshot({ path: join(SHOTS, 'certifications-resultat.png'), fullPage: true });
		await page.getByRole('link', { name: 'Voir la session d\'examen' }).click();
		await page.waitForURL(/\/certifications\/sessions\/\d+$/);
		await page.getByRole('heading', { name: `Session d'examen du ${date} à 09:30` }).waitFor();
		assert.equal(await page.locator('#certs-table tbody tr').count(), 2);
		assert.equal(await page.locator('#session-planned').textContent(), '2');
	});

	test('cancel one: confirmation, the credit back', async () => {
		await page.getByRole('link', { name: 'Annuler la certification de ZOLA Émile' }).click();
		await page.getByText('Le crédit sera rendu à votre stock').waitFor();
		await page.getByRole('button', { name: 'Confirmer l\'annulation' }).click();
		await page.waitForURL(/\/certifications\/sessions\/\d+$/);
		await page.getByText('La certification a été annulée').waitFor();
		assert.equal(await page.locator('#session-planned').textContent(), '1');
		await page.getByRole('row', { name: /ZOLA Émile.*Annulée/ }).waitFor();
		await page.goto(`${srv.url}/accueil`);
		assert.equal((await page.locator('#stock-total').textContent()).trim(), '14', '10 + 5 - 2 + 1');
	});

	test('activation codes: « Générer les codes », regenerate one, download them', async () => {
		await page.goto(`${srv.url}/accueil`);
		await page.getByRole('link', { name: 'Générer les codes' }).click();
		await page.waitForURL((u) => u.pathname === '/certifications/codes');
		await page.getByLabel('Session d\'examen', { exact: true }).selectOption({ index: 0 });
		await page.getByRole('button', { name: 'Générer les codes', exact: true }).click();
		await page.waitForURL(/\/certifications\/sessions\/\d+$/);
		await page.getByText('1 code d\'activation a été généré.').waitFor();
		const codeCell = page.getByRole('row', { name: /ZOLLER Anaïs/ }).locator('td.code');
		const code = (await codeCell.textContent()).trim();
		assert.match(code, /^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
		await page.getByRole('button', { name: /Régénérer le code de ZOLLER Anaïs/ }).click();
		await page.getByText(/Nouveau code de ZOLLER Anaïs\s:\s.*L'ancien ne fonctionne plus\./).waitFor();
		const again = (await codeCell.textContent()).trim();
		assert.notEqual(again, code);
		const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Codes d\'activation (CSV)' }).click()]);
		assert.match(csv.suggestedFilename(), /^codes-session-.*\.csv$/);
		for (const [label, file] of [['Codes d\'activation (PDF)', /^codes-session-.*\.pdf$/],
			['Document de surveillance (PDF)', /^document-de-surveillance-.*\.pdf$/], ['Feuilles de brouillon (PDF)', /^feuilles-de-brouillon-.*\.pdf$/]]) {
			const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: label }).click()]);
			assert.match(dl.suggestedFilename(), file);
			const head = await new Promise((ok) => dl.createReadStream().then((st) => st.once('data', (b) => { ok(b.subarray(0, 5).toString()); st.destroy(); })));
			assert.equal(head, '%PDF-', label);
		}
		await page.screenshot({ path: join(SHOTS, 'certifications-session-codes.png'), fullPage: true });
	});

	test('La Poste: search « Lyon », choose a slot, every matching candidate', async () => {
		await page.goto(`${srv.url}/certifications`);
		await page.getByLabel('Ville, code postal ou département').fill('Lyon');
		await page.getByRole('button', { name: 'Rechercher un centre' }).click();
		await page.waitForURL((u) => u.pathname === '/certifications/la-poste');
		await page.getByRole('heading', { name: 'La Poste Lyon Bellecour' }).waitFor();
		await page.getByText('12 places libres').waitFor();
		await page.getByRole('link', { name: /Choisir ce créneau/ }).first().click();
		await page.waitForURL(/\/certifications\/la-poste\/creneaux\/\d+$/);
		await page.getByText('10 place Antonin-Poncet').waitFor();
		await page.locator('#statut').selectOption({ label: 'À attribuer' });
		await page.waitForURL((u) => u.searchParams.get('statut') === 'a-attribuer');
		await page.getByRole('button', { name: 'Sélectionner les 3 candidats correspondants' }).click();
		await page.getByText('Les 3 candidats correspondants sont sélectionnés.').waitFor();
		await page.getByRole('button', { name: 'Valider l\'attribution' }).click();
		await page.waitForURL(/\/certifications\/lots\/\d+$/);
		await page.getByText('3 certifications ont été attribuées.').waitFor();
		await page.getByText('convocation (PDF)').waitFor();
		await page.getByRole('link', { name: 'Voir le créneau La Poste' }).click();
		await page.getByRole('heading', { name: 'Vos candidats convoqués sur ce créneau' }).waitFor();
		assert.equal(await page.locator('#booked-table tbody tr').count(), 3);
		assert.equal(await page.locator('#slot-free').textContent(), '9 places libres');
		await page.screenshot({ path: join(SHOTS, 'certifications-la-poste.png'), fullPage: true });
	});

	test('the candidate\'s page shows their certifications and history', async () => {
		await page.locator('#booked-table').getByRole('link', { name: 'HUGO Victor', exact: true }).click();
		await page.waitForURL(/\/candidats\/\d+$/);
		await page.getByRole('heading', { name: 'Certifications' }).waitFor();
		const row = page.locator('#cand-certs tbody tr').first();
		assert.match(await row.textContent(), /Partenaire \/ La Poste.*La Poste Lyon Bellecour.*Prévue/s);
		await page.getByText(/Attribuée : La Poste Lyon Bellecour/).waitFor();
		await page.getByText('Prévue').first().waitFor();
		await page.screenshot({ path: join(SHOTS, 'candidat-certifications.png'), fullPage: true });
	});

	test('on a phone (390 px): the screens fit, the picker still works', async () => {
		const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() });
		const p = await ctx.newPage();
		p.on('pageerror', (e) => consoleErrors.push(String(e)));
		for (const path of ['/certifications', '/certifications/la-poste?q=lyon']) {
			await p.goto(srv.url + path);
			assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 390), `${path} fits 390 px`);
			await p.screenshot({ path: join(SHOTS, `phone${path.replace(/[^a-z]+/g, '-')}.png`), fullPage: true });
		}
		await p.goto(`${srv.url}/certifications`);
		await p.getByLabel(/Partenaire \/ centre agréé/).check();
		await p.getByLabel('Date prévisionnelle de la session d\'examen').fill(frDate(30));
		await p.getByRole('button', { name: 'Attribuer des certifications à un ou plusieurs candidats' }).click();
		await p.waitForURL((u) => u.pathname === '/certifications/surveillance');
		await p.getByLabel('Sélectionner SAND George').check();
		await p.getByRole('button', { name: 'Valider l\'attribution' }).click();
		await p.waitForURL(/\/certifications\/lots\/\d+$/);
		await p.getByText('1 certification a été attribuée.').waitFor();
		assert.ok(await p.evaluate(() => document.documentElement.scrollWidth <= 390));
		await p.screenshot({ path: join(SHOTS, 'phone-certifications-resultat.png'), fullPage: true });
		await ctx.close();
	});

	test('no script error or CSP violation in the console', () => {
		assert.deepEqual(consoleErrors.filter((e) => !/favicon|status of (401|404|422)/.test(e)), []);
	});
});
