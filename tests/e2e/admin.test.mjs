// End to end in Chromium: log in by the French labels, visit every tab,
// change the profile, log out, see the error on a wrong password.
// Screenshots go to build/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, newAdmin, ROOT } from '../lib/server.mjs';

const SHOTS = join(ROOT, 'build', 'screenshots');
const CHROMIUM = process.env.CLR_CHROMIUM || '/usr/bin/chromium';

describe('administrator in Chromium', () => {
	let srv, admin, browser, context, page;
	const consoleErrors = [];

	before(async () => {
		mkdirSync(SHOTS, { recursive: true });
		srv = await startServer({ db: undefined });
		admin = await newAdmin(srv, { org: 'Lycée Jean-Jaurès de Montréal' });
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
		});
		context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
		context.setDefaultTimeout(10000);
		page = await context.newPage();
		// CSP violations and script errors show up here.
		page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
		page.on('pageerror', (e) => consoleErrors.push(String(e)));
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	async function login(email, password) {
		await page.goto(`${srv.url}/connexion`);
		await page.getByLabel('Courriel').fill(email);
		await page.getByLabel('Mot de passe', { exact: true }).fill(password);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.waitForLoadState('domcontentloaded');
	}

	test('a wrong password shows the generic error and stays on the form', async () => {
		await login(admin.email, 'pas-le-bon-mot-de-passe');
		assert.match(new URL(page.url()).pathname, /^\/connexion/);
		await page.getByText('Courriel ou mot de passe incorrect.').waitFor();
		assert.equal(await page.getByLabel('Courriel').inputValue(), admin.email, 'the e-mail is kept');
		assert.equal(await page.getByLabel('Mot de passe', { exact: true }).inputValue(), '', 'the password is not');
	});

	test('logging in leads to the home page with the organisation name', async () => {
		await page.goto(`${srv.url}/accueil`);
		assert.equal(new URL(page.url()).pathname, '/connexion', 'anonymous visit redirected');
		assert.equal(new URL(page.url()).searchParams.get('suite'), '/accueil');
		await page.getByLabel('Courriel').fill(admin.email);
		await page.getByLabel('Mot de passe', { exact: true }).fill(admin.password);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.waitForURL(/\/accueil$/);
		await page.getByText(admin.org).first().waitFor();
		// The stylesheet was applied (CSP did not block it).
		const css = await page.evaluate(() => [...document.styleSheets].some((s) => s.href && s.href.includes('/static/app.css')));
		assert.ok(css, 'app.css loaded');
		await page.screenshot({ path: join(SHOTS, 'accueil.png'), fullPage: true });
	});

	test('every tab is reachable by its link', async () => {
		const tabs = [
			['Mes commandes', '/commandes'],
			['Groupes', '/groupes'],
			['Candidats', '/candidats'],
			['Compte Administrateur', '/compte'],
			['Accueil', '/accueil'],
		];
		for (const [label, path] of tabs) {
			await page.getByRole('link', { name: label, exact: true }).first().click();
			await page.waitForURL((u) => u.pathname === path);
			await page.getByText(admin.org).first().waitFor();
			const title = await page.title();
			assert.ok(title.length > 0, `${path}: a title`);
		}
	});

	test('the profile can be changed', async () => {
		await page.getByRole('link', { name: 'Compte Administrateur', exact: true }).first().click();
		await page.waitForURL((u) => u.pathname === '/compte');
		await page.getByRole('textbox', { name: 'Nom', exact: true }).fill('Hélène Lefèvre');
		await page.getByLabel('Téléphone').fill('06 11 22 33 44');
		await page.getByRole('textbox', { name: 'Nom', exact: true }).press('Enter');
		await page.waitForURL((u) => u.pathname === '/compte');
		await page.getByText('Vos informations ont été enregistrées.').waitFor();
		assert.equal(await page.getByRole('textbox', { name: 'Nom', exact: true }).inputValue(), 'Hélène Lefèvre');
		assert.equal(await page.getByLabel('Téléphone').inputValue(), '06 11 22 33 44');
		await page.screenshot({ path: join(SHOTS, 'compte.png'), fullPage: true });
	});

	test('a bad e-mail in the profile shows the message next to the field', async () => {
		await page.getByLabel('Courriel').fill('pas-un-courriel');
		// Bypass the browser's own type=email check to reach the server's.
		await page.evaluate(() => document.querySelectorAll('form').forEach((f) => (f.noValidate = true)));
		await page.getByLabel('Courriel').press('Enter');
		await page.getByText('Adresse de courriel invalide.').waitFor();
		assert.equal(await page.getByLabel('Courriel').inputValue(), 'pas-un-courriel');
		await page.screenshot({ path: join(SHOTS, 'compte-erreur.png'), fullPage: true });
	});

	test('logging out returns to the login page and closes the session', async () => {
		await page.getByRole('button', { name: 'Se déconnecter' }).click();
		await page.waitForURL((u) => u.pathname === '/connexion');
		await page.getByRole('button', { name: 'Se connecter' }).waitFor();
		await page.screenshot({ path: join(SHOTS, 'connexion.png'), fullPage: true });
		await page.goto(`${srv.url}/compte`);
		assert.equal(new URL(page.url()).pathname, '/connexion');
	});

	test('no script error or CSP violation in the console', () => {
		assert.deepEqual(consoleErrors.filter((e) => !/favicon|Failed to load resource: the server responded with a status of (401|404|422)/.test(e)), []);
	});
});
