// End to end in Chromium, the candidate's whole path (issue 16), by the
// French labels: the administrator creates a candidate (« Envoyer
// l'identifiant et le mot de passe par courriel » : Oui) → the link is read
// from the message a real SMTP server received (no password in it) → the
// candidate chooses a password → « Mes certifications » hides the score
// until « Mes coordonnées » is complete → a result posted through the
// results API → the score out of 1000 → « Télécharger le certificat (PDF) »
// → the QR code's URL, decoded from the page's image by zbarimg (pdftoppm
// first), opens the public verification page with the candidate's name.
// Pages at 1280 px and 390 px go to build/screenshots/cand-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { launchBrowser, SHOTS, loggedInPage } from '../lib/browser.mjs';
import {
	startServer, newAdmin, newStaff, loggedIn, clr, sqlRows, textOf, unescapeHtml, uniqueEmail, inputValue, run,
} from '../lib/server.mjs';
import { startSink, waitFor, killAll } from '../lib/mail.mjs';

const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const qp = (s) => s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
const PUBLIC = 'https://certification.exemple.test';

function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

describe('the candidate\'s space in Chromium', () => {
	let srv, sink, browser, admin, staff, c, tmp;
	const errors = [];
	const email = uniqueEmail('lea');
	const adminChose = 'Choisi-Par-Admin-31';
	const mine = 'Mon-Espace-Lea-2026';

	async function fitsWidth(p, what) {
		const [scroll, width] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
		assert.ok(scroll <= width, `${what}: ${scroll} px wide in a ${width} px viewport`);
	}

	before(async () => {
		sink = await startSink();
		srv = await startServer({ env: { CLR_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, CLR_MAIL_POLL_MS: '100', CLR_PUBLIC_URL: PUBLIC } });
		admin = await newAdmin(srv, { org: 'Lycée Colette' });
		staff = await newStaff(srv);
		c = await loggedIn(srv, admin);
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '3', '--reason', 'test']);
		browser = await launchBrowser();
		tmp = mkdtempSync(join(tmpdir(), 'clr-cert-'));
	});
	after(async () => {
		await browser?.close();
		await srv?.stop();
		await sink?.stop();
		await killAll();
		if (tmp) rmSync(tmp, { recursive: true, force: true });
	});

	test('administrator → e-mail → password → coordonnées → result → score → certificate → verification', async (t) => {
		if ((await run('sh', ['-c', 'command -v zbarimg'])).code !== 0) return t.skip('zbarimg missing (Debian zbar-tools)');
		// 1. the administrator creates the candidate, credentials e-mail « Oui »
		const page = await loggedInPage(browser, srv, admin, errors);
		await page.goto(`${srv.url}/candidats/nouveau`);
		await page.getByLabel('Madame').check();
		await page.getByLabel(/^Nom\s*\*?$/).fill('Fontaine');
		await page.getByLabel('Prénom').fill('Léa');
		await page.getByLabel('Courriel').fill(email);
		await page.getByLabel('Date de naissance').fill('03/05/1998');
		await page.getByLabel('Pays de naissance').selectOption({ label: 'France' });
		await page.getByLabel('Code postal de naissance').fill('75001');
		await page.getByLabel('Commune de naissance').fill('Paris');
		await page.getByRole('button', { name: 'Étape suivante' }).click();
		await page.getByLabel(/^Mot de passe\s*\*?$/).fill(adminChose);
		await page.getByLabel('Confirmation du mot de passe').fill(adminChose);
		await page.getByLabel('Oui').check();
		await page.getByRole('button', { name: 'Étape suivante' }).click();
		await page.getByLabel('Statut').selectOption({ label: 'Salarié' });
		await page.getByLabel('Financement').selectOption({ label: 'Compte personnel de formation (CPF)' });
		await page.getByRole('button', { name: 'Enregistrer' }).click();
		await page.getByRole('heading', { name: /FONTAINE Léa/ }).waitFor();
		const id = +/\/candidats\/(\d+)/.exec(page.url())[1];

		// 2. the message at the SMTP server: identifier and link, no password
		const msg = await waitFor(() => sink.messages().find((m) => m.envelope.rcpt_tos.includes(email)), { what: 'the credentials e-mail' });
		const body = qp(msg.raw.toString('latin1'));
		assert.ok(!body.includes(adminChose), 'no password in the e-mail');
		const link = new RegExp(`${PUBLIC.replace(/\./g, '\\.')}(/candidat/acces\\?jeton=[A-Za-z0-9_-]{43})`).exec(body);
		assert.ok(link, 'a one-time link on the public address');

		// 3. the candidate opens it and chooses a password
		const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
		ctx.setDefaultTimeout(10000);
		const cand = await ctx.newPage();
		cand.on('pageerror', (e) => errors.push(String(e)));
		await cand.goto(srv.url + link[1]);
		await cand.getByRole('heading', { name: 'Choisir votre mot de passe' }).waitFor();
		assert.ok(norm(await cand.locator('main').innerText()).includes('Votre administrateur a déjà choisi un mot de passe'));
		await cand.screenshot({ path: join(SHOTS, 'cand-access.png'), fullPage: true });
		await cand.getByLabel('Mot de passe', { exact: true }).fill(mine);
		await cand.getByLabel('Confirmation du mot de passe').fill(mine);
		await cand.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
		await cand.waitForURL((u) => u.pathname === '/candidat');
		assert.ok(norm(await cand.locator('.flash').innerText()).includes('Votre mot de passe est enregistré'));

		// 4. a self-proctored session today, and its result through the API
		const [[product]] = await sqlRows(srv, "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'");
		const form = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: product, date: frDate(0), lieu: 'Salle Colette' }));
		const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(form.text);
		const p = new URLSearchParams();
		for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) p.append(m[1], unescapeHtml(m[2]));
		p.append('ids', String(id));
		assert.equal((await c.post('/certifications/surveillance', p.toString())).status, 303);
		const [[certId]] = await sqlRows(srv, `SELECT id FROM certifications WHERE candidate_id = ${id}`);
		await cand.reload();
		let main = norm(await cand.locator('main').innerText());
		assert.ok(main.includes('Surveillée par votre organisme') && main.includes('Salle Colette'), main);
		assert.ok(main.includes('munissez-vous de votre identifiant'), 'what to bring');
		const s = await loggedIn(srv, staff);
		const k = await s.post('/backoffice/cles-api', { name: 'Plateforme de test' });
		const key = inputValue(k.text, 'api-key');
		const api = await fetch(`${srv.url}/api/v1/results`, {
			method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			body: JSON.stringify({ certification_id: +certId, score: 812 }),
		});
		assert.equal(api.status, 201, await api.text());

		// 5. the score waits for « Mes coordonnées »
		await cand.reload();
		main = norm(await cand.locator('main').innerText());
		assert.ok(main.includes('Complétez vos coordonnées pour consulter votre score'), main);
		assert.ok(main.includes('Il manque : Téléphone (mobile de préférence)'), main);
		assert.ok(!main.includes('812'), 'no score yet');
		assert.equal(await cand.getByRole('link', { name: 'Télécharger le certificat (PDF)' }).count(), 0);
		await cand.screenshot({ path: join(SHOTS, 'cand-home-incomplete.png'), fullPage: true });
		await cand.getByRole('link', { name: 'Compléter mes coordonnées' }).click();
		await cand.waitForURL((u) => u.pathname === '/candidat/coordonnees');
		await cand.getByLabel('Téléphone (mobile de préférence)').fill('06 11 22 33 44');
		await cand.getByLabel('Adresse de résidence').fill('5 place Bellecour');
		await cand.getByLabel('Code postal de résidence').fill('69002');
		await cand.getByLabel('Commune de résidence').fill('Lyon');
		await cand.getByLabel('Pays de résidence').selectOption({ label: 'France' });
		await cand.screenshot({ path: join(SHOTS, 'cand-coordonnees.png'), fullPage: true });
		await cand.getByRole('button', { name: 'Enregistrer' }).click();
		await cand.waitForURL((u) => u.pathname === '/candidat');

		// 6. the score, and the certificate
		main = norm(await cand.locator('main').innerText());
		assert.ok(main.includes('Votre score : 812 / 1000'), main);
		await cand.screenshot({ path: join(SHOTS, 'cand-home.png'), fullPage: true });
		const [download] = await Promise.all([
			cand.waitForEvent('download'),
			cand.getByRole('link', { name: 'Télécharger le certificat (PDF)' }).click(),
		]);
		const pdf = join(tmp, 'certificat.pdf');
		await download.saveAs(pdf);
		const txt = await run('pdftotext', [pdf, '-']);
		assert.ok(norm(txt.stdout).includes('Léa FONTAINE'), txt.stdout);
		assert.ok(norm(txt.stdout).includes('812 / 1000'));
		assert.ok(norm(txt.stdout).includes('née le 03/05/1998'));
		const [[code]] = await sqlRows(srv, `SELECT verify_code FROM certifications WHERE id = ${certId}`);
		assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
		assert.ok(txt.stdout.includes(code));

		// 7. the QR code, decoded from the page's image, opens the verification page
		assert.equal((await run('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, join(tmp, 'page')])).code, 0);
		const z = await run('zbarimg', ['-q', '--raw', join(tmp, 'page.png')]);
		assert.equal(z.code, 0, `zbarimg: ${z.stderr}`);
		const url = new URL(z.stdout.trim().split('\n')[0]);
		assert.equal(url.origin, PUBLIC, 'the QR code opens the public address');
		assert.equal(url.pathname, '/verification');
		assert.equal(url.searchParams.get('code'), code);
		const anon = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 800 } })).newPage();
		await anon.goto(srv.url + url.pathname + url.search);
		const v = norm(await anon.locator('main').innerText());
		assert.ok(v.includes('Certificat authentique') && v.includes('Léa Fontaine') && v.includes('812 / 1000'), v);
		assert.ok(!v.includes(email), 'never the e-mail');
		await fitsWidth(anon, 'verification at 390 px');
		await anon.screenshot({ path: join(SHOTS, 'cand-verification-390.png'), fullPage: true });
		await anon.getByLabel('Code de vérification').fill('AAAA-BBBB-CCCC');
		await anon.getByRole('button', { name: 'Vérifier' }).click();
		await anon.getByText('Certificat inconnu').waitFor();

		// 8. the candidate's pages on a phone
		await cand.setViewportSize({ width: 390, height: 800 });
		for (const [path, shot] of [['/candidat', 'cand-home-390'], ['/candidat/coordonnees', 'cand-coordonnees-390'], ['/candidat/divers', 'cand-divers-390'], ['/candidat/mes-donnees', 'cand-donnees-390'], ['/candidat/mot-de-passe', 'cand-mot-de-passe-390']]) {
			await cand.goto(srv.url + path);
			await fitsWidth(cand, path);
			await cand.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
		}
		await cand.setViewportSize({ width: 1280, height: 900 });
		await cand.goto(`${srv.url}/candidat/mes-donnees`);
		assert.ok(norm(await cand.locator('main').innerText()).includes('Télécharger mes données (JSON)'));
		await cand.screenshot({ path: join(SHOTS, 'cand-donnees.png'), fullPage: true });
		// the erasure request, seen on the administrator's candidate page
		await cand.getByRole('button', { name: 'Demander l\'effacement de mes données' }).click();
		await cand.getByText('Vous avez demandé l\'effacement de vos données').waitFor();
		await page.goto(`${srv.url}/candidats/${id}`);
		const adminView = norm(await page.locator('main').innerText());
		assert.ok(adminView.includes('Le candidat a demandé l\'effacement de ses données personnelles'), adminView);
		assert.ok(adminView.includes('Renvoyer le lien d\'accès'));
		await page.getByRole('heading', { name: 'Espace candidat' }).scrollIntoViewIfNeeded();
		await page.screenshot({ path: join(SHOTS, 'cand-admin-page.png'), fullPage: true });
		// and the login page
		const login = await (await browser.newContext({ locale: 'fr-FR' })).newPage();
		await login.goto(`${srv.url}/candidat/connexion`);
		await login.getByLabel('Courriel').fill(email);
		await login.getByLabel('Mot de passe').fill(mine);
		await login.getByRole('button', { name: 'Se connecter' }).click();
		await login.waitForURL((u) => u.pathname === '/candidat');
		assert.deepEqual(errors, [], 'no console or page error');
	});
});
