#!/usr/bin/env node
// The screenshots of the administrator's manual (« Mode d'emploi à
// destination de l'administrateur », data/doc/administrateur.txt): the real
// screens, taken in headless Chromium against `clr demo` data on a fresh
// SQLite database, written to data/doc/images/*.png (1280 px wide, cropped
// to the part the manual talks about).  `make doc-images` runs it; the
// images are committed and embedded in build/clr, so regenerate them when a
// screen changes and look at the manual again.
//
//   node scripts/doc-screenshots.mjs [--out DIR] [--bin build/clr]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
	const i = process.argv.indexOf(name);
	return i > 0 ? process.argv[i + 1] : def;
};
const OUT = resolve(arg('--out', join(ROOT, 'data', 'doc', 'images')));
const BIN = resolve(arg('--bin', process.env.CLR_BIN || join(ROOT, 'build', 'clr')));
const CHROMIUM = process.env.CLR_CHROMIUM || '/usr/bin/chromium';
const ADMIN = { email: 'admin@demo.clr.test', password: 'Voltaire-2026' };
const WIDTH = 1280;

const freePort = () =>
	new Promise((ok, ko) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => ok(port));
		});
		s.on('error', ko);
	});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Each shot: a file name, how to reach the screen, and how much of it
 * (height in px from the top of the page, or a CSS selector whose box is
 * taken, widened to the whole width). */
const SHOTS = [
	{ name: 'connexion.png', anon: true, go: '/connexion', height: 620 },
	{ name: 'accueil.png', go: '/accueil', height: 760 },
	{ name: 'commandes.png', go: '/commandes', height: 700 },
	{ name: 'commander.png', go: '/commandes/nouvelle', height: 720,
		act: async (p) => {
			const q = p.getByRole('spinbutton');
			if ((await q.count()) >= 2) {
				await q.nth(0).fill('10');
				await q.nth(1).fill('10');
				await q.nth(1).press('Tab');
			}
		} },
	{ name: 'stock.png', go: '/commandes/stock', height: 640 },
	{ name: 'groupes.png', go: '/groupes', height: 620 },
	{ name: 'groupe-creation.png', go: '/groupes/nouveau', height: 560 },
	{ name: 'groupe-associer.png', go: '/groupes', height: 700,
		act: async (p) => {
			await p.locator('table a[href^="/groupes/"]').first().click();
			await p.waitForLoadState();
			await p.locator('a[href$="/associer"]').first().click();
			await p.waitForLoadState();
		} },
	{ name: 'candidats.png', go: '/candidats', height: 760 },
	{ name: 'candidat-creation.png', go: '/candidats/nouveau', height: 760 },
	{ name: 'candidat-fiche.png', go: '/candidats', height: 800,
		act: async (p) => {
			await p.locator('table a[href^="/candidats/"]').first().click();
			await p.waitForLoadState();
		} },
	{ name: 'import.png', go: '/candidats/import', height: 640 },
	{ name: 'certifications.png', go: '/certifications', height: 780 },
	{ name: 'surveillance.png', go: '/certifications', height: 760,
		act: async (p) => {
			const d = new Date(Date.now() + 21 * 86400000);
			const fr = `${String(d.getDate()).padStart(2, '0')}/${String(d.getMonth() + 1).padStart(2, '0')}/${d.getFullYear()}`;
			await p.getByLabel('Date prévisionnelle de la session d\'examen').fill(fr);
			await p.getByLabel('Heure (facultatif)').fill('09:30');
			await p.getByLabel('Lieu ou salle (facultatif)').fill('Salle informatique, 1er étage');
			await p.getByRole('button', { name: 'Attribuer des certifications à un ou plusieurs candidats' }).click();
			await p.waitForLoadState();
		} },
	{ name: 'la-poste.png', go: '/certifications/la-poste', height: 720 },
	{ name: 'la-poste-creneau.png', go: '/certifications/la-poste', height: 760,
		act: async (p) => {
			await p.getByRole('link', { name: 'Choisir ce créneau' }).first().click();
			await p.waitForLoadState();
		} },
	{ name: 'session.png', go: '/certifications', height: 800,
		act: async (p) => {
			await p.locator('a[href^="/certifications/sessions/"]').first().click();
			await p.waitForLoadState();
		} },
	{ name: 'codes.png', go: '/certifications/codes', height: 700 },
	{ name: 'compte.png', go: '/compte', height: 620 },
	{ name: 'documentation.png', go: '/compte/documentation', height: 640 },
	{ name: 'contact.png', go: '/compte/contact', height: 900 },
	{ name: 'contact-demandes.png', go: '/compte/contact', select: 'section[aria-labelledby="requests-title"]' },
];

async function main() {
	const dir = mkdtempSync(join(tmpdir(), 'clr-doc-'));
	const db = `sqlite:${join(dir, 'demo.db')}`;
	execFileSync(BIN, ['demo', '--db', db], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CLR_LOG_LEVEL: 'warn' } });
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const srv = spawn(BIN, ['serve', '--db', db, '--port', String(port), '--listen', '127.0.0.1'], {
		stdio: ['ignore', 'ignore', 'ignore'],
		env: { ...process.env, CLR_MAIL_DIR: join(dir, 'mail') },
	});
	let browser;
	try {
		for (let i = 0; ; i++) {
			try {
				if ((await fetch(`${base}/healthz`)).ok) break;
			} catch { /* not yet */ }
			if (i > 200) throw new Error('clr serve did not start');
			await sleep(50);
		}
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
		const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: WIDTH, height: 1000 }, deviceScaleFactor: 1, timezoneId: 'Europe/Paris' });
		ctx.setDefaultTimeout(10000);
		const anon = await browser.newContext({ locale: 'fr-FR', viewport: { width: WIDTH, height: 1000 }, deviceScaleFactor: 1 });
		const page = await ctx.newPage();
		await page.goto(`${base}/connexion`);
		await page.getByLabel('Courriel').fill(ADMIN.email);
		await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN.password);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.waitForURL(/\/accueil$/);
		const anonPage = await anon.newPage();
		mkdirSync(OUT, { recursive: true });
		let total = 0;
		for (const s of SHOTS) {
			const p = s.anon ? anonPage : page;
			await p.goto(base + s.go);
			if (s.act) await s.act(p);
			await p.evaluate(() => document.activeElement && document.activeElement.blur());
			// down to the end of the page's content, at most s.height
			const full = await p.evaluate(() => {
				const m = document.querySelector('main');
				const end = m ? [...m.children].reduce((y, c) => Math.max(y, c.getBoundingClientRect().bottom + window.scrollY), 0) : 0;
				return Math.ceil(end ? end + 24 : document.documentElement.scrollHeight);
			});
			const file = join(OUT, s.name);
			let clip = { x: 0, y: 0, width: WIDTH, height: Math.min(s.height || 800, full) };
			if (s.select) {
				const b = await p.locator(s.select).first().boundingBox();
				clip = { x: 0, y: Math.max(0, b.y - 16), width: WIDTH, height: Math.min(b.height + 32, full) };
			}
			await p.screenshot({ path: file, clip, fullPage: !!s.select });
			const size = statSync(file).size;
			total += size;
			console.log(`${s.name}\t${Math.round(size / 1024)} Kio`);
		}
		console.log(`${SHOTS.length} images, ${(total / 1048576).toFixed(2)} Mio in ${OUT}`);
	} finally {
		if (browser) await browser.close();
		srv.kill('SIGTERM');
		await new Promise((r) => srv.on('exit', r));
		rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
