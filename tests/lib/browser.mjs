// Chromium for the end-to-end tests: Debian's browser driven by
// playwright-core, and a page logged in by the French labels of /connexion.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './server.mjs';

export const SHOTS = join(ROOT, 'build', 'screenshots');
export const CHROMIUM = process.env.CLR_CHROMIUM || '/usr/bin/chromium';

export async function launchBrowser() {
	mkdirSync(SHOTS, { recursive: true });
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
	});
}

/** A new French page of `browser`, logged in as `account` on `srv`; console
 * errors and page errors go to `errors`.  Options: width × height (1280 ×
 * 900), phone (a touch screen with a mobile viewport), landing (the URL the
 * login leads to: /accueil, or /backoffice for staff). */
export async function loggedInPage(browser, srv, account, errors,
	{ width = 1280, height = 900, phone = false, landing = /\/accueil$/ } = {}) {
	const context = await browser.newContext({ locale: 'fr-FR', viewport: { width, height }, isMobile: phone, hasTouch: phone });
	context.setDefaultTimeout(10000);
	const page = await context.newPage();
	page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
	page.on('pageerror', (e) => errors.push(String(e)));
	await page.goto(`${srv.url}/connexion`);
	await page.getByLabel('Courriel').fill(account.email);
	await page.getByLabel('Mot de passe', { exact: true }).fill(account.password);
	await page.getByRole('button', { name: 'Se connecter' }).click();
	await page.waitForURL(landing);
	return page;
}
