// « Compte Administrateur »: profile and password forms.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startServer, Client, newAdmin, loggedIn, fieldByLabel, attr, inputValue, forms, textOf, uniqueEmail, errorOf, PASSWORD,
	clr, freshDatabase,
} from '../lib/server.mjs';

const SAVED = 'Vos informations ont été enregistrées.';
const PW_CHANGED = 'Votre mot de passe a été modifié.';
const COMMON = 'Ce mot de passe figure parmi les plus courants : choisissez-en un autre.';
const IDENTITY = 'Ce mot de passe reprend votre adresse de courriel ou votre nom : choisissez-en un autre.';

/** The <form> of html that holds an input named NAME. */
function formWith(html, name) {
	return forms(html).find((f) => inputValue(f.body, name) !== null);
}

describe('profile form', () => {
	let srv, admin, other;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	test('GET /compte shows the « Profil » form with the current values', async () => {
		const c = await loggedIn(srv, admin);
		const r = await c.get('/compte');
		assert.equal(r.status, 200);
		assert.ok(textOf(r.text).includes('Profil'), '« Profil » heading');
		for (const [label, name] of [['Nom', 'name'], ['Courriel', 'email'], ['Téléphone', 'phone']]) {
			const f = fieldByLabel(r.text, label);
			assert.ok(f, `a field labelled « ${label} »`);
			assert.equal(attr(f, 'name'), name, `« ${label} » is ${name}`);
		}
		assert.equal(inputValue(r.text, 'email'), admin.email);
		const f = formWith(r.text, 'phone');
		assert.equal(f.method, 'post');
		assert.ok(f.action === null || f.action === '' || f.action === '/compte', `form action ${f.action}`);
		assert.ok(inputValue(f.body, 'csrf'), 'csrf in the profile form');
	});

	test('a valid profile is saved: 303 to /compte, message, new values', async () => {
		const c = await loggedIn(srv, admin);
		const r = await c.post('/compte', { name: 'Amélie Poulain-Dörr', email: admin.email, phone: '+33 6 12 34 56 78' });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		assert.equal(r.headers.get('location'), '/compte');
		const p = await c.get('/compte');
		assert.equal(p.status, 200);
		assert.ok(textOf(p.text).includes(SAVED), 'confirmation message');
		assert.equal(inputValue(p.text, 'name'), 'Amélie Poulain-Dörr');
		assert.equal(inputValue(p.text, 'phone'), '+33 6 12 34 56 78');
		// The values are stored, not just echoed: a new session sees them.
		const c2 = await loggedIn(srv, admin);
		const p2 = await c2.get('/compte');
		assert.equal(inputValue(p2.text, 'name'), 'Amélie Poulain-Dörr');
		assert.ok(!textOf(p2.text).includes(SAVED), 'the message is shown once, to the session that saved');
	});

	test('HTML in the name is stored as text and escaped', async () => {
		const c = await loggedIn(srv, admin);
		const evil = '<img src=x onerror=alert(1)> "Jo"';
		const r = await c.post('/compte', { name: evil, email: admin.email, phone: '' });
		assert.equal(r.status, 303);
		const p = await c.get('/compte');
		assert.ok(!p.text.includes('<img src=x'), 'no raw tag');
		assert.equal(inputValue(p.text, 'name'), evil);
		// Put a sane name back for the other tests.
		await c.post('/compte', { name: 'Amélie Poulain', email: admin.email, phone: '' });
	});

	const invalid = [
		['empty name', { name: '' }, 'Veuillez indiquer votre nom.'],
		['bad email', { email: 'pas-un-courriel' }, 'Adresse de courriel invalide.'],
		['bad email (no domain)', { email: 'jean@' }, 'Adresse de courriel invalide.'],
		['bad phone', { phone: '06 AB CD EF GH' }, 'Numéro de téléphone invalide.'],
	];
	for (const [what, change, message] of invalid) {
		test(`invalid profile (${what}): 422, message, typed values kept, nothing saved`, async () => {
			const c = await loggedIn(srv, admin);
			const before = await c.get('/compte');
			const fields = { name: 'Nom Tapé', email: admin.email, phone: '01 23 45 67 89', ...change };
			const r = await c.post('/compte', fields);
			assert.equal(r.status, 422);
			assert.match(r.headers.get('content-type'), /text\/html/);
			const t = textOf(r.text);
			assert.ok(t.includes(message), `message « ${message} » in « ${t.slice(0, 400)} »`);
			assert.ok(!t.includes(SAVED));
			for (const k of ['name', 'email', 'phone'])
				assert.equal(inputValue(r.text, k), fields[k], `typed ${k} kept`);
			assert.ok(inputValue(r.text, 'csrf'), 'the form can be sent again');
			const after = await c.get('/compte');
			for (const k of ['name', 'email', 'phone'])
				assert.equal(inputValue(after.text, k), inputValue(before.text, k), `${k} unchanged`);
		});
	}

	test('a name made of spaces is an empty name', async () => {
		const c = await loggedIn(srv, admin);
		const r = await c.post('/compte', { name: '   ', email: admin.email, phone: '' });
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('Veuillez indiquer votre nom.'));
	});

	test('email of another account: 422 « déjà utilisée »', async () => {
		const c = await loggedIn(srv, admin);
		// (a new login e-mail needs the current password: issue 15)
		const r = await c.post('/compte', { name: 'Amélie Poulain', email: other.email, phone: '', current_password: admin.password });
		assert.equal(r.status, 422);
		assert.ok(textOf(r.text).includes('Cette adresse est déjà utilisée par un autre compte.'));
		assert.equal(inputValue(r.text, 'email'), other.email);
		// Same address in another case is the same address.
		const r2 = await c.post('/compte', { name: 'Amélie Poulain', email: other.email.toUpperCase(), phone: '', current_password: admin.password });
		assert.equal(r2.status, 422, 'case-insensitive uniqueness');
	});

	test('after an e-mail change, the new e-mail logs in and the old one does not', async () => {
		const acct = await newAdmin(srv);
		const c = await loggedIn(srv, acct);
		const newEmail = uniqueEmail('nouvelle');
		const r = await c.post('/compte', { name: 'Jean Nouveau', email: newEmail, phone: '', current_password: acct.password });
		assert.equal(r.status, 303);
		assert.equal(inputValue((await c.get('/compte')).text, 'email'), newEmail);
		assert.equal((await new Client(srv.url).login(newEmail, acct.password)).status, 303);
		assert.equal((await new Client(srv.url).login(acct.email, acct.password)).status, 401);
	});
});

describe('password form', () => {
	let srv;
	before(async () => {
		srv = await startServer();
	});
	after(async () => srv && srv.stop());

	test('GET /compte/mot-de-passe shows the three labelled fields', async () => {
		const admin = await newAdmin(srv);
		const c = await loggedIn(srv, admin);
		const r = await c.get('/compte/mot-de-passe');
		assert.equal(r.status, 200);
		for (const [label, name] of [
			['Mot de passe actuel', 'current_password'],
			['Nouveau mot de passe', 'new_password'],
			['Confirmation du nouveau mot de passe', 'confirm_password'],
		]) {
			const f = fieldByLabel(r.text, label);
			assert.ok(f, `a field labelled « ${label} »`);
			assert.equal(attr(f, 'name'), name);
			assert.equal(attr(f, 'type'), 'password');
		}
		const f = formWith(r.text, 'new_password');
		assert.equal(f.method, 'post');
		assert.ok(inputValue(f.body, 'csrf'));
	});

	const errors = [
		['wrong current password', { current_password: 'ce-n-est-pas-lui', new_password: 'Nouveau-mdp-1234', confirm_password: 'Nouveau-mdp-1234' }, 'Mot de passe actuel incorrect.'],
		['too short', { new_password: 'Court-12345', confirm_password: 'Court-12345' }, 'Le mot de passe doit contenir au moins 12 caractères.'],
		['a common password', { new_password: 'Azertyuiop123', confirm_password: 'Azertyuiop123' }, COMMON],
		['a common password, capitals and digits around it', { new_password: 'MOTDEPASSE2024', confirm_password: 'MOTDEPASSE2024' }, COMMON],
		['a common French word, accents aside', { new_password: 'DEVELOPPEMENT', confirm_password: 'DEVELOPPEMENT' }, COMMON],
		['a common French word with its accents', { new_password: 'Développement', confirm_password: 'Développement' }, COMMON],
		['a common keyboard walk', { new_password: '1qaz2wsx3edc', confirm_password: '1qaz2wsx3edc' }, COMMON],
		['mismatch', { new_password: 'Nouveau-mdp-1234', confirm_password: 'Nouveau-mdp-4321' }, 'Les deux mots de passe ne correspondent pas.'],
	];
	for (const [what, change, message] of errors) {
		test(`password change refused (${what}): 422 and the password is unchanged`, async () => {
			const admin = await newAdmin(srv);
			const c = await loggedIn(srv, admin);
			const r = await c.post('/compte/mot-de-passe', { current_password: admin.password, ...change });
			assert.equal(r.status, 422);
			const t = textOf(r.text).replace(/[\u00a0\u202f]/g, ' ');
			assert.ok(t.includes(message), `« ${message} » in « ${t.slice(0, 400)} »`);
			for (const k of ['current_password', 'new_password', 'confirm_password'])
				assert.equal(inputValue(r.text, k) || '', '', `${k} is not echoed back`);
			assert.equal((await new Client(srv.url).login(admin.email, admin.password)).status, 303, 'old password still works');
		});
	}

	test('twelve characters, counted as characters not bytes, are enough', async () => {
		const admin = await newAdmin(srv);
		const c = await loggedIn(srv, admin);
		const pw = 'àéèùâêîôûçëï'; // 12 characters, 24 bytes
		const eleven = 'àéèùâêîôûçë';
		const r11 = await c.post('/compte/mot-de-passe', { current_password: admin.password, new_password: eleven, confirm_password: eleven });
		assert.equal(r11.status, 422, '11 accented characters (22 bytes) are too short');
		assert.equal(errorOf(r11.text, 'new'), 'Le mot de passe doit contenir au moins 12 caractères.');
		const r = await c.post('/compte/mot-de-passe', { current_password: admin.password, new_password: pw, confirm_password: pw });
		assert.equal(r.status, 303);
		assert.equal((await new Client(srv.url).login(admin.email, pw)).status, 303);
	});

	test('a password made of the e-mail address or the name is refused', async () => {
		const email = `jean.dupont.${Date.now().toString(36)}@ecole-dupre.example`;
		await srv.createAdmin({ org: 'École Dupré', email, password: PASSWORD });
		const admin = { email, password: PASSWORD };
		const c = await loggedIn(srv, admin);
		await c.post('/compte', { name: 'Jean Dupont', email, phone: '' });
		for (const pw of ['Dupont.Jean.1990', 'jean.dupont@ecole', 'JeanDupontJean!', 'Ecole-Dupre-2026', 'DUPONT---JEAN']) {
			const r = await c.post('/compte/mot-de-passe', { current_password: admin.password, new_password: pw, confirm_password: pw });
			assert.equal(r.status, 422, pw);
			assert.equal(errorOf(r.text, 'new'), IDENTITY, pw);
		}
		const ok = 'Jean-au-bord-de-la-Loire';
		const r = await c.post('/compte/mot-de-passe', { current_password: admin.password, new_password: ok, confirm_password: ok });
		assert.equal(r.status, 303, `other words with the name are fine: ${textOf(r.text).slice(0, 200)}`);
	});

	test('a successful change: 303, message, other sessions closed, this one kept', async () => {
		const admin = await newAdmin(srv);
		const other = await loggedIn(srv, admin);
		assert.equal((await other.get('/accueil')).status, 200);
		const c = await loggedIn(srv, admin);
		const newPw = 'Un-nouveau-mot-de-passe-2024';
		const r = await c.post('/compte/mot-de-passe', { current_password: admin.password, new_password: newPw, confirm_password: newPw });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		assert.equal(r.headers.get('location'), '/compte/mot-de-passe');
		const p = await c.get('/compte/mot-de-passe');
		assert.equal(p.status, 200, 'the current session stays open');
		assert.ok(textOf(p.text).includes(PW_CHANGED), 'confirmation message');
		assert.equal((await c.get('/accueil')).status, 200);
		const o = await other.get('/accueil');
		assert.equal(o.status, 303, 'the other session is closed');
		assert.match(o.headers.get('location'), /^\/connexion/);
		assert.equal((await new Client(srv.url).login(admin.email, admin.password)).status, 401, 'old password refused');
		assert.equal((await new Client(srv.url).login(admin.email, newPw)).status, 303, 'new password accepted');
	});
});

describe('passwords at creation: clr admin create, clr staff create', () => {
	let db;
	before(async () => {
		db = await freshDatabase();
		await clr(['migrate', '--db', db.url]);
	});
	after(() => db?.cleanup());

	const create = (kind, email, password, name = '') =>
		clr(kind === 'admin'
			? ['admin', 'create', '--db', db.url, '--org', 'Lycée Colette', '--email', email, '--password', password, '--name', name]
			: ['staff', 'create', '--db', db.url, '--email', email, '--password', password, '--name', name], { allowFail: true });

	for (const kind of ['admin', 'staff']) {
		test(`clr ${kind} create refuses a short, common or personal password with the French reason`, async () => {
			for (const [pw, why] of [
				['Court-12345', 'au moins 12 caractères'],
				['Azertyuiop12', 'figure parmi les plus courants'],
				['motdepasse123', 'figure parmi les plus courants'],
				['Soleil123456', 'figure parmi les plus courants'],
				['Martin-Camille-75', 'reprend votre adresse de courriel ou votre nom'],
				['Colette.Lycee.2026', 'reprend votre adresse de courriel ou votre nom'],
			]) {
				const r = await create(kind, uniqueEmail(`colette.lycee.${kind}`), pw, 'Camille Martin');
				assert.notEqual(r.code, 0, `${kind} ${pw} accepted`);
				assert.ok(r.stderr.replace(/[\u00a0\u202f]/g, ' ').includes(why), `${pw}: ${r.stderr}`);
			}
		});
	}

	test("the demo's and the tests' passwords are accepted", async () => {
		assert.equal((await create('admin', 'admin@demo.clr.test', 'Voltaire-2026', 'Camille Martin')).code, 0, 'Voltaire-2026');
		assert.equal((await create('staff', 'staff@demo.clr.test', 'LeRobert-2026', 'Service commercial')).code, 0, 'LeRobert-2026');
		assert.equal((await create('admin', uniqueEmail('admin'), PASSWORD)).code, 0, PASSWORD);
	});
});
