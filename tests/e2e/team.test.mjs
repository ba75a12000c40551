// End to end in Chromium, by the French labels (issue 15): an administrator
// invites a proctor from « Équipe », the proctor follows the e-mailed link
// (read from the server's .eml outbox folder), chooses a name and password,
// lands on « Mes sessions » and sees only the session they are assigned to;
// then « Mot de passe oublié ? » from /connexion to a new password.
// Screenshots at 1280 and 390 px go to build/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, newAdmin, loggedIn, uniqueEmail } from '../lib/server.mjs';
import { launchBrowser, loggedInPage, SHOTS } from '../lib/browser.mjs';
import { mailsTo, linkIn, candidate, examSession } from '../lib/team.mjs';

const PW = 'Une-phrase-de-passe-neuve-7';

describe('the team in Chromium', () => {
	let srv, admin, browser, sid, otherSid, proctorEmail;
	const errors = [];

	before(async () => {
		srv = await startServer({ env: { CLR_MAIL_POLL_MS: '100' } });
		admin = await newAdmin(srv, { org: 'Centre de formation Colette' });
		const c = await loggedIn(srv, admin);
		const people = [await candidate(c, { last: 'Lefèvre', first: 'Zoé', birth: '03/02/2001' }),
			await candidate(c, { last: 'Noël', first: 'Anaïs', birth: '25/12/1999' })];
		sid = await examSession(srv, c, admin.org, people, { place: 'Salle Colette' });
		otherSid = await examSession(srv, c, admin.org, [await candidate(c, { last: 'Autresession', first: 'Léa' })], { place: 'Salle B' });
		browser = await launchBrowser();
	});
	after(async () => {
		await browser?.close();
		await srv?.stop();
	});

	test('invitation → account → « Mes sessions » with only the assigned session', async () => {
		const page = await loggedInPage(browser, srv, admin, errors);
		await page.getByRole('link', { name: /Compte Administrateur/ }).click();
		await page.getByRole('link', { name: 'Équipe' }).click();
		await page.waitForURL(/\/compte\/equipe$/);
		proctorEmail = uniqueEmail('paul');
		await page.getByLabel('Nom (facultatif)').fill('Paul');
		await page.getByLabel('Courriel').fill(proctorEmail);
		await page.getByLabel('Surveillant').check();
		await page.getByRole('button', { name: 'Envoyer l\'invitation' }).click();
		await page.getByText(`Invitation envoyée à ${proctorEmail}`).waitFor();
		assert.equal(await page.locator('#invitations-table tbody tr', { hasText: proctorEmail }).count(), 1);
		await page.screenshot({ path: join(SHOTS, 'team-1280.png'), fullPage: true });
		await page.setViewportSize({ width: 390, height: 844 });
		await page.screenshot({ path: join(SHOTS, 'team-390.png'), fullPage: true });
		await page.setViewportSize({ width: 1280, height: 900 });

		// the link, from the message as delivered
		const [m] = await mailsTo(srv, proctorEmail, { subject: 'Invitation' });
		const link = linkIn(m, '/invitation/');
		const guest = await (await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } })).newPage();
		guest.on('pageerror', (e) => errors.push(String(e)));
		await guest.goto(srv.url + link);
		await guest.getByText('Rejoindre Centre de formation Colette').waitFor();
		assert.equal(await guest.getByLabel('Nom').inputValue(), 'Paul', 'the name given by the administrator');
		await guest.getByLabel('Nom').fill('Paul Lefèvre');
		await guest.getByLabel('Mot de passe', { exact: true }).fill(PW);
		await guest.getByLabel('Confirmation du mot de passe').fill(PW);
		await guest.screenshot({ path: join(SHOTS, 'invitation-390.png'), fullPage: true });
		await guest.getByRole('button', { name: 'Créer mon compte' }).click();
		await guest.waitForURL(/\/connexion$/);
		await guest.getByText('Votre compte est prêt').waitFor();
		await guest.getByLabel('Courriel').fill(proctorEmail);
		await guest.getByLabel('Mot de passe', { exact: true }).fill(PW);
		await guest.getByRole('button', { name: 'Se connecter' }).click();
		await guest.waitForURL(/\/mes-sessions$/);
		await guest.getByText('Aucune session ne vous est attribuée').waitFor();

		// the administrator assigns the proctor to one session
		await page.goto(`${srv.url}/certifications/sessions/${sid}`);
		await page.getByLabel('Paul Lefèvre').check();
		await page.getByRole('button', { name: 'Enregistrer les surveillants' }).click();
		await page.getByText('Les surveillants de la session ont été enregistrés.').waitFor();
		assert.ok(await page.getByLabel('Paul Lefèvre').isChecked());

		await guest.reload();
		const rows = guest.locator('#sessions-table tbody tr');
		assert.equal(await rows.count(), 1, 'only the assigned session');
		assert.ok((await rows.first().innerText()).includes('Salle Colette'));
		await rows.first().getByRole('link').click();
		await guest.waitForURL(new RegExp(`/mes-sessions/${sid}$`));
		const t = await guest.locator('main').innerText();
		assert.ok(t.includes('Lefèvre') && t.includes('Zoé') && t.includes('03/02/2001'), t.slice(0, 500));
		assert.ok(!t.includes('Autresession'), 'not the other session\'s candidate');
		assert.ok(!t.includes('@'), 'no e-mail address on the page');
		const nav = await guest.locator('nav.tabs').innerText();
		assert.ok(nav.includes('Mes sessions') && nav.includes('Mot de passe') && !nav.includes('Mes commandes') && !nav.includes('Candidats'), nav);
		await guest.screenshot({ path: join(SHOTS, 'proctor-session-390.png'), fullPage: true });
		await guest.setViewportSize({ width: 1280, height: 900 });
		await guest.screenshot({ path: join(SHOTS, 'proctor-session-1280.png'), fullPage: true });
		const [download] = await Promise.all([guest.waitForEvent('download'), guest.getByRole('link', { name: 'Document de surveillance (PDF)' }).click()]);
		assert.match(download.suggestedFilename(), /\.pdf$/);
		const resp = await guest.request.get(`${srv.url}/mes-sessions/${otherSid}`);
		assert.equal(resp.status(), 404, 'the other session is out of reach');
		assert.deepEqual(errors, []);
	});

	test('« Révoquer » an invitation and « Retirer » a member from « Équipe »', async () => {
		const page = await loggedInPage(browser, srv, admin, errors);
		await page.goto(`${srv.url}/compte/equipe`);
		const email = uniqueEmail('revoque');
		await page.getByLabel('Courriel').fill(email);
		await page.getByRole('button', { name: 'Envoyer l\'invitation' }).click();
		const row = page.locator('#invitations-table tbody tr', { hasText: email });
		await row.getByRole('button', { name: 'Renvoyer' }).click();
		await page.getByText('Invitation renvoyée').waitFor();
		await page.locator('#invitations-table tbody tr', { hasText: email }).getByRole('button', { name: 'Révoquer' }).click();
		await page.getByText('Invitation révoquée').waitFor();
		assert.equal(await page.locator('#invitations-table tbody tr', { hasText: email }).count(), 0);
		// the proctor of the first test leaves the team
		const member = page.locator('#members-table tbody tr', { hasText: proctorEmail });
		await member.getByRole('button', { name: 'Retirer' }).click();
		await page.getByText('Membre retiré de l\'équipe').waitFor();
		assert.equal(await page.locator('#members-table tbody tr', { hasText: proctorEmail }).count(), 0);
		assert.equal(await page.locator('#members-table').getByRole('button', { name: 'Retirer' }).count(), 0,
			'the last administrator has no « Retirer »');
		assert.deepEqual(errors, []);
	});

	test('« Mot de passe oublié ? »: the link from the e-mail sets a new password', async () => {
		const ctx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
		const page = await ctx.newPage();
		page.on('pageerror', (e) => errors.push(String(e)));
		await page.goto(`${srv.url}/connexion`);
		await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
		await page.waitForURL(/\/mot-de-passe-oublie$/);
		await page.getByLabel('Courriel').fill(admin.email);
		await page.getByRole('button', { name: 'Recevoir le lien' }).click();
		await page.getByText('Si un compte correspond à cette adresse').waitFor();
		await page.screenshot({ path: join(SHOTS, 'forgot-1280.png'), fullPage: true });
		const [m] = await mailsTo(srv, admin.email, { subject: 'Réinitialisation' });
		await page.goto(srv.url + linkIn(m, '/mot-de-passe-oublie/'));
		await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(PW);
		await page.getByLabel('Confirmation du nouveau mot de passe').fill(PW);
		await page.setViewportSize({ width: 390, height: 844 });
		await page.screenshot({ path: join(SHOTS, 'reset-390.png'), fullPage: true });
		await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
		await page.waitForURL(/\/connexion$/);
		await page.getByText('Votre mot de passe a été changé').waitFor();
		await page.getByLabel('Courriel').fill(admin.email);
		await page.getByLabel('Mot de passe', { exact: true }).fill(PW);
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page.waitForURL(/\/accueil$/);
		assert.deepEqual(errors, []);
	});
});
