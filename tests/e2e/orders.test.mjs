// End to end in Chromium (issue 4): the administrator orders 10 + 10 by the
// French labels, sees the live totals of the seed (1 710,00 € / 342,00 € /
// 2 052,00 €), submits; staff validate the order; the administrator's
// « Accueil » shows 20 certifications remaining.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, newAdmin, newStaff, ROOT } from '../lib/server.mjs';

const SHOTS = join(ROOT, 'build', 'screenshots');
const CHROMIUM = process.env.CLR_CHROMIUM || '/usr/bin/chromium';
const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

describe('ordering in Chromium', () => {
	let srv, admin, staff, browser;
	const consoleErrors = [];

	before(async () => {
		mkdirSync(SHOTS, { recursive: true });
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Collège Marie-Curie' });
		staff = await newStaff(srv);
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
		});
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	async function session(account) {
		const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
		context.setDefaultTimeout(10000);
		const page = await context.newPage();
		page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
		page.on('pageerror', (e) => consoleErrors.push(String(e)));
		await page.goto(`${srv.url}/connexion`);
		await page.getByLabel('Courriel').fill(account.email);
		await page.getByLabel('Mot de passe', { exact: true }).fill(account.password);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.waitForLoadState('domcontentloaded');
		return page;
	}

	const text = async (page, sel) => norm(await page.locator(sel).innerText());

	test('order 10 + 10, see the totals, submit; staff validate; the stock becomes 20', async () => {
		const page = await session(admin);
		let body = await text(page, 'main');
		assert.match(body, /Certifications restantes 0/);
		await page.getByRole('link', { name: 'Commander' }).click();
		await page.waitForURL(/\/commandes\/nouvelle$/);

		await page.getByLabel('Quantité Partenaire / centre agréé', { exact: true }).fill('10');
		// the La Poste line with the + button, then typed
		await page.getByRole('button', { name: 'Une certification de plus : Partenaire / La Poste' }).click();
		assert.equal(await page.getByLabel('Quantité Partenaire / La Poste', { exact: true }).inputValue(), '1');
		await page.getByLabel('Quantité Partenaire / La Poste', { exact: true }).fill('10');
		body = await text(page, 'form[data-order-form]');
		for (const s of ['710,00 €', '1 000,00 €', '1 710,00 €', '342,00 €', '2 052,00 €'])
			assert.ok(body.includes(s), `live total « ${s} » in ${body}`);
		await page.screenshot({ path: join(SHOTS, 'orders-new.png'), fullPage: true });

		await page.getByRole('button', { name: 'Commander' }).click();
		await page.waitForURL(/\/commandes\/\d+$/);
		body = await text(page, 'main');
		assert.ok(body.includes('Votre commande a été transmise à notre service commercial, qui vous enverra un devis.'));
		assert.ok(body.includes('2 052,00 €') && body.includes('Demandée'));
		const number = /CMD-\d{4}-\d{6}/.exec(body)[0];

		const bo = await session(staff);
		await bo.getByRole('navigation').getByRole('link', { name: 'Commandes', exact: true }).click();
		await bo.getByRole('link', { name: number }).click();
		await bo.getByLabel('Référence du devis (facultative)').fill('DEV-E2E-1');
		await bo.getByRole('button', { name: 'Devis envoyé' }).click();
		await bo.waitForLoadState('domcontentloaded');
		assert.ok((await text(bo, 'main')).includes('DEV-E2E-1'));
		await bo.getByRole('button', { name: 'Valider' }).click();
		await bo.waitForLoadState('domcontentloaded');
		assert.ok((await text(bo, 'main')).includes('Validée'));
		await bo.screenshot({ path: join(SHOTS, 'backoffice-order.png'), fullPage: true });

		await page.goto(`${srv.url}/accueil`);
		body = await text(page, 'main');
		assert.match(body, /Certifications restantes 20 10 Partenaire \/ centre agréé 10 Partenaire \/ La Poste/);
		await page.screenshot({ path: join(SHOTS, 'home-stock.png'), fullPage: true });
		await page.goto(`${srv.url}/commandes`);
		assert.ok((await text(page, 'main')).includes('Validée'));
		assert.deepEqual(consoleErrors, [], 'no script error nor CSP violation');
	});
});
