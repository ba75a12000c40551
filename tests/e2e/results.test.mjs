// End to end in Chromium: Le Robert staff open « Clés d'API », create a key
// by the label of the form and read it once on the page that answers (the
// exam platform then records a result with it, over HTTP), then « Résultats »:
// a CSV file of results chosen in the file field, its report (one new, one
// refused), « Confirmer l'import », the flash, and the candidate « Passée »
// with the score.  Pages at 1280 px and 390 px (no sideways scrolling) go to
// build/screenshots/results-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, SHOTS, loggedInPage } from '../lib/browser.mjs';
import { startServer, newStaff, newAdmin, loggedIn, clr, sqlRows, textOf, unescapeHtml, uniqueEmail } from '../lib/server.mjs';

const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

describe('results in Chromium (back office)', () => {
	let srv, staff, browser, admin, c;
	const certs = []; // {id, code, cand}
	const consoleErrors = [];

	async function fitsWidth(p, what) {
		const [scroll, width] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
		assert.ok(scroll <= width, `${what}: ${scroll} px wide in a ${width} px viewport`);
	}

	before(async () => {
		srv = await startServer();
		staff = await newStaff(srv);
		admin = await newAdmin(srv, { org: 'Lycée Colette' });
		c = await loggedIn(srv, admin);
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', admin.org, '--product', 'PART-CLR-EXAMEN', '--qty', '5', '--reason', 'test']);
		// two candidates with a self-proctored certification today and their codes, over HTTP
		const ids = [];
		for (const last of ['Lemoine', 'Fabre']) {
			let r = await c.post('/candidats/nouveau', { civility: 'madame', last_name: last, birth_name: '', first_name: 'Zoé',
				email: uniqueEmail('cand'), birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next' });
			const id = +/\/candidats\/(\d+)\//.exec(r.headers.get('location'))[1];
			await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'non', action: 'next' });
			r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
			assert.equal(r.status, 303);
			ids.push(id);
		}
		const [[product]] = await sqlRows(srv, "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'");
		const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: product, date: frDate(0) }));
		const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(page.text);
		const p = new URLSearchParams();
		for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) p.append(m[1], unescapeHtml(m[2]));
		for (const id of ids) p.append('ids', String(id));
		assert.equal((await c.post('/certifications/surveillance', p.toString())).status, 303);
		const [[sid]] = await sqlRows(srv, 'SELECT DISTINCT session_id FROM certifications');
		assert.equal((await c.post(`/certifications/sessions/${sid}/codes`, {})).status, 303);
		for (const id of ids) {
			const [[cid, code]] = await sqlRows(srv, `SELECT c.id, k.code FROM certifications c JOIN activation_codes k ON k.certification_id = c.id WHERE c.candidate_id = ${id}`);
			certs.push({ id: +cid, code, cand: id });
		}
		browser = await launchBrowser();
	});

	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('« Clés d\'API »: create a key, read it once, the exam platform uses it', async () => {
		const page = await loggedInPage(browser, srv, staff, consoleErrors, { landing: /\/backoffice$/ });
		await page.getByRole('navigation', { name: 'Navigation du back-office' }).getByRole('link', { name: "Clés d'API" }).click();
		await page.waitForURL((u) => u.pathname === '/backoffice/cles-api');
		await page.getByLabel('Nom de la clé').fill("Plateforme d'examen (production)");
		await page.getByRole('button', { name: 'Créer la clé' }).click();
		const key = await page.getByRole('textbox', { name: "Clé d'API", exact: true }).inputValue();
		assert.match(key, /^clr_live_[A-Za-z0-9_-]{43}$/);
		assert.ok(norm(await page.locator('main').innerText()).includes('elle ne sera plus jamais affichée'));
		await page.screenshot({ path: join(SHOTS, 'results-key-created.png'), fullPage: true });
		await page.getByRole('link', { name: "J'ai copié la clé" }).click();
		await page.waitForURL((u) => u.pathname === '/backoffice/cles-api');
		assert.ok(!(await page.content()).includes(key), 'shown once');
		const res = await fetch(`${srv.url}/api/v1/results`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			body: JSON.stringify({ code: certs[0].code, score: 745 }) });
		assert.equal(res.status, 201, await res.text());
		await page.reload();
		const row = norm(await page.locator('#api-keys tbody tr').first().innerText());
		assert.ok(row.includes("Plateforme d'examen (production)") && row.includes('Active') && !row.includes('Jamais'), row);
		await fitsWidth(page, 'keys at 1280 px');
		await page.context().close();
	});

	test('« Résultats »: a CSV file, its report, « Confirmer l\'import »', async () => {
		for (const width of [390, 1280]) {
			const page = await loggedInPage(browser, srv, staff, consoleErrors, { width, landing: /\/backoffice$/ });
			await page.goto(`${srv.url}/backoffice/resultats`);
			const csv = `Code d'activation;Score;Durée (minutes)\r\n${certs[1].code};812;95\r\nABCD-EFGH-JKMN;500;\r\n`;
			await page.getByLabel('Fichier CSV').setInputFiles({ name: 'resultats.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
			await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
			await page.waitForURL(/\/backoffice\/resultats$/);
			const text = norm(await page.locator('main').innerText());
			assert.ok(text.includes("Ce code d'activation n'existe pas"), text.slice(0, 800));
			await fitsWidth(page, `report at ${width} px`);
			await page.screenshot({ path: join(SHOTS, `results-report-${width}.png`), fullPage: true });
			if (width === 390) {
				assert.ok(text.includes('Nouveaux résultats 1') || /Nouveaux résultats\s*1/.test(text), text.slice(0, 600));
				await page.context().close();
				continue;
			}
			await page.getByRole('button', { name: "Confirmer l'import" }).click();
			await page.waitForURL((u) => u.pathname === '/backoffice/resultats');
			assert.ok(norm(await page.locator('.flash').innerText()).includes('1 résultat a été enregistré'));
			await page.context().close();
		}
		const cand = textOf((await c.get(`/candidats/${certs[1].cand}`)).text);
		assert.ok(cand.includes('Passée') && cand.includes('812 / 1000'), cand.slice(0, 1200));
		assert.deepEqual(consoleErrors, []);
	});
});
