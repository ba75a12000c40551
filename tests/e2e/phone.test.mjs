// End to end in Chromium on a phone (« Gérer les certifications », « On a
// phone »): at 390×844 the administrator orders 10 + 10 and reads
// « Montant » and the totals without sideways scrolling, reads every column
// of « Candidats » (name, e-mail, status, date), sorts it, ticks two
// candidates in « Associer des candidats » and associates them; no page
// overflows horizontally; links, checkboxes and buttons are 44 px targets.
// Screenshots of each page at 390 and 1280 px go to build/screenshots/
// (phone-390-*.png, phone-1280-*.png).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';
import { startServer, newAdmin, loggedIn, uniqueEmail, clr } from '../lib/server.mjs';

const W = 390;
const H = 844;
const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** A draft candidate created over HTTP (as in groups.test.mjs). */
async function candidate(c, last, first) {
	const r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: last, birth_name: '', first_name: first, email: uniqueEmail('tel'),
		birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
	});
	assert.equal(r.status, 303);
}

/** A 390×844 phone page (touch, mobile viewport) logged in as account. */
function phonePage(browser, srv, account, errors) {
	return loggedInPage(browser, srv, account, errors, { width: W, height: H, phone: true });
}

/** The page does not scroll sideways. */
async function noOverflow(page, what) {
	const sw = await page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(sw <= W, `${what}: scrollWidth ${sw} > ${W}`);
}

/** locator is visible and, once scrolled to, wholly inside the viewport. */
async function onScreen(loc, what) {
	await loc.scrollIntoViewIfNeeded();
	assert.ok(await loc.isVisible(), `${what} visible`);
	const b = await loc.boundingBox();
	assert.ok(b && b.width > 0 && b.height > 0, `${what} has a box`);
	assert.ok(b.x >= 0 && b.x + b.width <= W + 0.5, `${what} inside the width: ${JSON.stringify(b)}`);
	assert.ok(b.y >= 0 && b.y + b.height <= H + 0.5, `${what} inside the height: ${JSON.stringify(b)}`);
	return b;
}

/** A target at least 44 × 44 px (WCAG 2.5.5). */
async function bigTarget(loc, what) {
	const b = await loc.boundingBox();
	assert.ok(b && b.width >= 44 - 0.5 && b.height >= 44 - 0.5, `${what}: 44 px target, got ${JSON.stringify(b)}`);
}

describe('on a phone (390 px) in Chromium', () => {
	let srv, admin, demo, browser, page, desk, orderPath, groupPath;
	const consoleErrors = [];

	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Lycée Victor-Hugo' });
		const c = await loggedIn(srv, admin);
		await candidate(c, 'Zola', 'Émile');
		await candidate(c, 'Zoller', 'Anaïs');
		await candidate(c, 'Hugo', 'Victor');
		await candidate(c, 'Sand', 'George');
		const g = await c.post('/groupes/nouveau', { name: 'Terminale B', category: 'classe' });
		assert.equal(g.status, 303);
		groupPath = g.headers.get('location');
		assert.match(groupPath, /^\/groupes\/\d+$/);
		// 60 more (a second page), and the demonstration organisation, whose
		// candidates have exam dates
		await clr(['demo', '--db', srv.dbUrl, '--candidates', '60', '--org', admin.org]);
		await clr(['demo', '--db', srv.dbUrl]);
		demo = { email: 'admin@demo.clr.test', password: 'Voltaire-2026' };
		browser = await launchBrowser();
		page = await phonePage(browser, srv, admin, consoleErrors);
		desk = await loggedInPage(browser, srv, admin, consoleErrors);
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	/** Screenshots of the phone page, and of the same URL at 1280 px. */
	async function shots(name) {
		await page.screenshot({ path: join(SHOTS, `phone-390-${name}.png`), fullPage: true });
		await desk.goto(page.url());
		await desk.screenshot({ path: join(SHOTS, `phone-1280-${name}.png`), fullPage: true });
	}

	test('the order form: quantities, « Montant » and the totals on screen; « Commander »', async () => {
		await page.getByRole('link', { name: 'Commander', exact: true }).click();
		await page.waitForURL(/\/commandes\/nouvelle$/);
		await noOverflow(page, 'order form');
		const qtyClr = page.getByLabel('Quantité Partenaire / centre agréé', { exact: true });
		const qtyPoste = page.getByLabel('Quantité Partenaire / La Poste', { exact: true });
		await qtyClr.fill('10');
		const plus = page.getByRole('button', { name: 'Une certification de plus : Partenaire / La Poste' });
		await bigTarget(plus, '+');
		await bigTarget(page.getByRole('button', { name: 'Une certification de moins : Partenaire / La Poste' }), '−');
		await plus.click();
		assert.equal(await qtyPoste.inputValue(), '1');
		await qtyPoste.fill('10');
		await onScreen(qtyClr, 'quantity (centre agréé)');
		await onScreen(qtyPoste, 'quantity (La Poste)');
		const amounts = page.locator('td[data-amount-for]');
		assert.equal(await amounts.count(), 2);
		const want = ['710,00 €', '1 000,00 €'];
		for (let i = 0; i < 2; i++) {
			await onScreen(amounts.nth(i), `Montant ${i + 1}`);
			assert.equal(norm(await amounts.nth(i).innerText()).replace(/^Montant /, ''), want[i]);
		}
		// the amount sits on the same line as its quantity field
		const q = await qtyPoste.boundingBox();
		const a = await amounts.nth(1).boundingBox();
		assert.ok(a.x > q.x + q.width && a.y < q.y + q.height && a.y + a.height > q.y, 'Montant beside Quantité');
		for (const [sel, v] of [['[data-order-subtotal]', '1 710,00 €'], ['[data-order-vat]', '342,00 €'], ['[data-order-total]', '2 052,00 €']]) {
			await onScreen(page.locator(sel), sel);
			assert.equal(norm(await page.locator(sel).innerText()), v);
		}
		for (const label of ['Sous-total (H.T.)', 'T.V.A. (20 %)', 'Total (T.T.C.)'])
			await onScreen(page.getByRole('rowheader', { name: label }), label);
		const submit = page.getByRole('button', { name: 'Commander' });
		await onScreen(submit, '« Commander »');
		await bigTarget(submit, '« Commander »');
		await noOverflow(page, 'order form, filled');
		await page.screenshot({ path: join(SHOTS, 'phone-390-commande-nouvelle.png'), fullPage: true });
		await desk.goto(`${srv.url}/commandes/nouvelle`);
		await desk.getByLabel('Quantité Partenaire / centre agréé', { exact: true }).fill('10');
		await desk.getByLabel('Quantité Partenaire / La Poste', { exact: true }).fill('10');
		await desk.screenshot({ path: join(SHOTS, 'phone-1280-commande-nouvelle.png'), fullPage: true });

		await submit.click();
		await page.waitForURL(/\/commandes\/\d+$/);
		orderPath = new URL(page.url()).pathname;
		const body = norm(await page.locator('main').innerText());
		assert.ok(body.includes('Votre commande a été transmise à notre service commercial'));
		await onScreen(page.getByRole('heading', { level: 1 }), 'title');
		for (const s of ['710,00 €', '1 000,00 €', '2 052,00 €', 'PART-LAPOSTE-EXAMEN'])
			await onScreen(page.locator('main').getByText(s, { exact: true }).first(), s);
		await noOverflow(page, 'order page');
		await shots('commande');
	});

	test('« Mes commandes » and the stock', async () => {
		await page.goto(`${srv.url}/commandes`);
		const number = page.locator('#orders-table tbody tr').first().getByRole('link').first();
		await onScreen(number, 'order number');
		await bigTarget(number, 'order number');
		assert.match(await number.innerText(), /CMD-\d{4}-\d{6}/);
		await onScreen(page.locator('#orders-table').getByText('Demandée'), 'status');
		await onScreen(page.locator('#orders-table').getByText('2 052,00 €'), 'total');
		await onScreen(page.locator('#orders-table').getByText('10 × Partenaire / centre agréé', { exact: false }), 'summary');
		await noOverflow(page, '/commandes');
		await shots('commandes');
		await number.click();
		await page.waitForURL((u) => u.pathname === orderPath);
		await page.goto(`${srv.url}/commandes/stock`);
		await noOverflow(page, '/commandes/stock');
		await shots('stock');
	});

	test('« Candidats »: every row shows the name, e-mail, status and date; the headers sort', async () => {
		await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Candidats' }).click();
		await page.waitForURL((u) => u.pathname === '/candidats');
		await page.getByText('64 candidats').waitFor();
		await noOverflow(page, '/candidats');
		const rows = page.locator('table.cand-table tbody tr');
		assert.equal(await rows.count(), 50);
		for (const i of [0, 1, 2, 25, 49]) {
			const row = rows.nth(i);
			const name = row.getByRole('link');
			await onScreen(name, `row ${i}: name`);
			const nb = await name.boundingBox();
			assert.ok(nb.height >= 43.5, `row ${i}: name link 44 px high, got ${nb.height}`);
			await onScreen(row.locator('td.ct-email'), `row ${i}: e-mail`);
			assert.match(await row.locator('td.ct-email').innerText(), /@/);
			await onScreen(row.locator('td.ct-status'), `row ${i}: status`);
			assert.match(await row.locator('td.ct-status').innerText(), /En création|À attribuer|Prévue|En attente|Passée/);
			await onScreen(row.locator('td.ct-date'), `row ${i}: date`);
			// the caption « Date de passage » shows, with « — » when there is none
			const shown = await row.locator('td.ct-date').evaluate((td) => getComputedStyle(td, '::before').content + getComputedStyle(td, '::after').content);
			assert.match(shown, /Date de passage/);
		}
		assert.equal(await page.getByRole('row', { name: /HUGO Victor/ }).count(), 1, 'rows keep their table role');
		// sortable headers: visible links of 44 px
		const byMail = page.getByRole('columnheader', { name: 'Courriel' }).getByRole('link');
		await onScreen(byMail, 'sort by « Courriel »');
		const hb = await page.getByRole('columnheader', { name: 'Courriel' }).boundingBox();
		assert.ok(hb.height >= 43.5, `sort header 44 px high, got ${hb.height}`);
		await page.screenshot({ path: join(SHOTS, 'phone-390-candidats.png'), fullPage: true });
		await desk.goto(`${srv.url}/candidats`);
		await desk.screenshot({ path: join(SHOTS, 'phone-1280-candidats.png'), fullPage: true });
		await byMail.click();
		await page.waitForURL((u) => u.searchParams.get('tri') === 'courriel');
		assert.equal(await page.getByRole('columnheader', { name: /Courriel/ }).getAttribute('aria-sort'), 'ascending');
		const mails = await page.locator('td.ct-email').allInnerTexts();
		assert.deepEqual(mails, [...mails].sort(), 'sorted by e-mail');
		// page 2 by the pager
		const next = page.getByRole('link', { name: 'Page suivante' });
		await onScreen(next, '« Page suivante »');
		await bigTarget(next, '« Page suivante »');
		await next.click();
		await page.waitForURL((u) => u.searchParams.get('page') === '2');
		assert.equal(await rows.count(), 14);
		await noOverflow(page, '/candidats page 2');
	});

	test('« Candidats » with exam dates (the demonstration organisation)', async () => {
		const p = await phonePage(browser, srv, demo, consoleErrors);
		await p.goto(`${srv.url}/candidats?statut=prevue`);
		const rows = p.locator('table.cand-table tbody tr');
		assert.ok((await rows.count()) > 0);
		for (let i = 0; i < (await rows.count()); i++) {
			const date = rows.nth(i).locator('td.ct-date');
			await onScreen(date, `planned row ${i}: date`);
			assert.match(await date.innerText(), /^\d\d\/\d\d\/\d{4}$/);
		}
		await p.goto(`${srv.url}/candidats`);
		await noOverflow(p, 'demo /candidats');
		await p.screenshot({ path: join(SHOTS, 'phone-390-candidats-demo.png'), fullPage: true });
		await p.context().close();
	});

	test('« Associer des candidats »: tick two and associate them', async () => {
		await page.goto(`${srv.url}${groupPath}`);
		await page.getByRole('link', { name: 'Associer des candidats' }).click();
		await page.waitForURL(/\/associer$/);
		await noOverflow(page, 'picker');
		await onScreen(page.getByLabel('Sélectionner tous les candidats de la page'), 'select all');
		const matching = page.getByRole('button', { name: 'Sélectionner les 64 candidats correspondants' });
		await onScreen(matching, 'select matching');
		assert.ok(await page.locator('#assoc-form [data-selected-count]').isHidden(), 'nothing ticked, no count');
		await matching.click();
		await page.getByText('Les 64 candidats correspondants sont sélectionnés.').waitFor();
		assert.equal(norm(await page.locator('#assoc-form [data-selected-count]').innerText()), '64 sélectionnés');
		await page.getByRole('row').nth(2).getByRole('checkbox').uncheck();
		assert.equal(norm(await page.locator('#assoc-form [data-selected-count]').innerText()), '49 sélectionnés', 'back to the rows ticked');
		await page.getByPlaceholder('Rechercher un nom, un courriel').pressSequentially('zol', { delay: 30 });
		await page.waitForURL((u) => u.searchParams.get('q') === 'zol');
		await page.getByRole('row', { name: /ZOLLER Anaïs/ }).waitFor();
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 2);
		for (const who of ['ZOLA Émile', 'ZOLLER Anaïs']) {
			const box = page.getByLabel(`Sélectionner ${who}`);
			await bigTarget(box.locator('xpath=..'), `checkbox of ${who}`);
			await box.check();
		}
		// « Associer » stays on screen at the bottom, whatever the scroll, with
		// the number of candidates ticked
		const go = page.getByRole('button', { name: 'Associer', exact: true });
		await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
		const b = await go.boundingBox();
		assert.ok(b.y >= 0 && b.y + b.height <= H && b.height >= 43.5, `« Associer » on screen: ${JSON.stringify(b)}`);
		const count = page.locator('#assoc-form [data-selected-count]');
		assert.equal(norm(await count.innerText()), '2 sélectionnés');
		await onScreen(count, 'the count of ticked candidates');
		await noOverflow(page, 'picker, filtered');
		await page.screenshot({ path: join(SHOTS, 'phone-390-associer.png'), fullPage: true });
		await page.screenshot({ path: join(SHOTS, 'phone-390-associer-ecran.png') });
		await desk.goto(page.url());
		await desk.screenshot({ path: join(SHOTS, 'phone-1280-associer.png'), fullPage: true });
		await go.click();
		await page.waitForURL((u) => u.pathname === groupPath);
		await page.getByText('2 candidats ont été associés au groupe.').waitFor();
		assert.equal(await page.locator('table.cand-table tbody tr').count(), 2);
		await onScreen(page.getByRole('link', { name: 'ZOLA Émile' }), 'member');
		await noOverflow(page, 'group page');
		await shots('groupe');
		// the picker's pages
		await page.goto(`${srv.url}${groupPath}/associer`);
		const next = page.getByRole('link', { name: 'Page suivante' });
		await next.scrollIntoViewIfNeeded();
		await next.click();
		await page.waitForURL((u) => u.searchParams.get('page') === '2');
		await page.getByRole('link', { name: 'Page précédente' }).waitFor();
		await noOverflow(page, 'picker page 2');
	});

	test('no page overflows horizontally at 390 px', async () => {
		const paths = ['/accueil', '/commandes', '/commandes/nouvelle', orderPath, '/commandes/stock', '/candidats', '/candidats?page=2',
			'/groupes', groupPath, `${groupPath}/associer`, '/groupes/nouveau', '/compte'];
		for (const p of paths) {
			await page.goto(`${srv.url}${p}`);
			await noOverflow(page, p);
		}
		await page.goto(`${srv.url}/groupes`);
		const show = page.getByRole('link', { name: /Afficher les candidats du groupe/ }).first();
		await onScreen(show, '« Afficher les candidats du groupe »');
		await bigTarget(show, '« Afficher les candidats du groupe »');
		await shots('groupes');
		await page.goto(`${srv.url}/accueil`);
		await shots('accueil');
	});

	test('no script error or CSP violation in the console', () => {
		assert.deepEqual(consoleErrors.filter((e) => !/favicon|status of (401|404|422)/.test(e)), []);
	});
});
