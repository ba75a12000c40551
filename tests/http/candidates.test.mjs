// « Candidats » (issue 6): the five-step form and every validation rule, the
// draft stored from the first valid step, the list (search without accents,
// status filter, sort, pagination, live fragment), the candidate page,
// deletion, the communes endpoint, CSRF, and another organisation's
// candidate being unreachable (404) through every route.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startServer, newAdmin, loggedIn, fieldByLabel, attr, inputValue, textOf, uniqueEmail, unescapeHtml,
	errorOf,
} from '../lib/server.mjs';

/** Six random letters (names accept letters only). */
function letters() {
	return Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

const IDENTITY = () => ({
	civility: 'madame',
	last_name: 'Lefèvre',
	birth_name: '',
	first_name: 'Hélène',
	email: uniqueEmail('helene'),
	birth_date: '14/07/1990',
	birth_postal_code: '42000',
	birth_city: 'St Etienne',
	birth_country: 'FR',
});

/** Posts step 1 (new candidate); returns {r, id}. */
async function startCandidate(c, fields = {}) {
	const r = await c.post('/candidats/nouveau', { ...IDENTITY(), ...fields, action: 'next' });
	const m = /^\/candidats\/(\d+)\/etape\/2$/.exec(r.headers.get('location') || '');
	return { r, id: m ? +m[1] : null };
}

/** Creates a complete candidate (steps 1-3, « Enregistrer »); returns its id. */
async function createCandidate(c, fields = {}, { send = 'non' } = {}) {
	const { r, id } = await startCandidate(c, fields);
	assert.equal(r.status, 303, textOf(r.text).slice(0, 400));
	let s = await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: send, action: 'next' });
	assert.equal(s.status, 303, textOf(s.text).slice(0, 400));
	s = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
	assert.equal(s.status, 303, textOf(s.text).slice(0, 400));
	assert.equal(s.headers.get('location'), `/candidats/${id}`);
	return id;
}

describe('candidates', () => {
	let srv, admin, other, c, o;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
		c = await loggedIn(srv, admin);
		o = await loggedIn(srv, other);
	});
	after(async () => srv && srv.stop());

	test('the creation form has the seed labels, steps and buttons', async () => {
		const r = await c.get('/candidats/nouveau');
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		for (const s of ['Identité (Obligatoire)', 'Mot de passe (Obligatoire)', 'Informations (Obligatoire)',
			'Coordonnées (Facultatif)', 'Divers (Facultatif)', '* Champs requis', 'Étape suivante', 'En création',
			'Choisissez un pays', 'Madame', 'Monsieur', 'Civilité'])
			assert.ok(t.includes(s), `« ${s} » on the page`);
		for (const [label, name] of [['Nom', 'last_name'], ['Nom de naissance', 'birth_name'], ['Prénom', 'first_name'],
			['Courriel', 'email'], ['Date de naissance', 'birth_date'], ['Code postal de naissance', 'birth_postal_code'],
			['Commune de naissance', 'birth_city'], ['Pays de naissance', 'birth_country']]) {
			const f = fieldByLabel(r.text, label);
			assert.ok(f, `a field labelled « ${label} »`);
			assert.equal(attr(f, 'name'), name);
		}
		assert.equal(attr(fieldByLabel(r.text, 'Date de naissance'), 'placeholder'), 'jj/mm/aaaa');
		assert.ok(r.text.includes('>France</option>') && r.text.includes('>Belgique</option>'), 'French country names');
	});

	const identityCases = [
		['civility missing', { civility: '' }, 'civility', 'Veuillez choisir la civilité.'],
		['civility invalid', { civility: 'docteur' }, 'civility', 'Valeur invalide : choisissez dans la liste.'],
		['last name missing', { last_name: '   ' }, 'last_name', 'Veuillez indiquer le nom.'],
		['last name with digits', { last_name: 'Dupont3' }, 'last_name', 'Seuls les lettres, espaces, traits d\'union et apostrophes sont acceptés.'],
		['first name missing', { first_name: '' }, 'first_name', 'Veuillez indiquer le prénom.'],
		['first name with symbols', { first_name: 'Jean<b>' }, 'first_name', 'Seuls les lettres, espaces, traits d\'union et apostrophes sont acceptés.'],
		['birth name with digits', { birth_name: 'X Æ A-12' }, 'birth_name', 'Seuls les lettres, espaces, traits d\'union et apostrophes sont acceptés.'],
		['name too long', { last_name: 'a'.repeat(101) }, 'last_name', 'Ce champ ne peut dépasser 100 caractères.'],
		['e-mail missing', { email: '' }, 'email', 'Veuillez indiquer une adresse de courriel.'],
		['e-mail invalid', { email: 'helene@' }, 'email', 'Adresse de courriel invalide.'],
		['birth date missing', { birth_date: '' }, 'birth_date', 'Veuillez indiquer la date de naissance.'],
		['birth date malformed', { birth_date: '1990/07/14' }, 'birth_date', 'Date invalide : utilisez le format jj/mm/aaaa.'],
		['birth date not a real date', { birth_date: '31/02/2000' }, 'birth_date', 'Date invalide : utilisez le format jj/mm/aaaa.'],
		['birth date in the future', { birth_date: '01/01/2999' }, 'birth_date', 'La date de naissance doit être dans le passé.'],
		['candidate younger than 10', { birth_date: `01/01/${new Date().getFullYear() - 5}` }, 'birth_date', 'Le candidat doit avoir au moins 10 ans.'],
		['birth date before 1900', { birth_date: '01/01/1850' }, 'birth_date', 'La date de naissance doit être postérieure à 1900.'],
		['country missing', { birth_country: '' }, 'birth_country', 'Veuillez choisir le pays de naissance.'],
		['country unknown', { birth_country: 'XX' }, 'birth_country', 'Pays inconnu : choisissez dans la liste.'],
		['born in France without postal code', { birth_postal_code: '' }, 'birth_postal_code', 'Veuillez indiquer le code postal.'],
		['postal code not 5 digits', { birth_postal_code: '4200' }, 'birth_postal_code', 'Le code postal doit comporter 5 chiffres.'],
		['postal code that does not exist', { birth_postal_code: '99999' }, 'birth_postal_code', 'Ce code postal n\'existe pas.'],
		['born in France without commune', { birth_city: '' }, 'birth_city', 'Veuillez indiquer la commune.'],
		['born abroad without city', { birth_country: 'BE', birth_postal_code: '', birth_city: '' }, 'birth_city', 'Veuillez indiquer la ville de naissance.'],
	];
	for (const [name, fields, field, msg] of identityCases) {
		test(`identity: ${name} -> « ${msg} » next to the field, values kept`, async () => {
			const base = IDENTITY();
			const { r, id } = await startCandidate(c, { ...base, ...fields });
			assert.equal(id, null, 'nothing stored');
			assert.equal(r.status, 422);
			assert.equal(errorOf(r.text, field), msg);
			if (field !== 'first_name') assert.equal(inputValue(r.text, 'first_name'), fields.first_name ?? base.first_name);
			if (field !== 'email') assert.equal(inputValue(r.text, 'email'), base.email);
		});
	}

	test('a commune that is not one of the postal code\'s communes is refused, listing them', async () => {
		const { r } = await startCandidate(c, { birth_postal_code: '75001', birth_city: 'Lyon' });
		assert.equal(r.status, 422);
		const e = errorOf(r.text, 'birth_city');
		assert.ok(e && e.startsWith('Cette commune ne correspond pas au code postal 75001'), e);
		assert.ok(e.includes('Paris 1er Arrondissement'), e);
		assert.equal(inputValue(r.text, 'birth_city'), 'Lyon');
	});

	test('communes match without case, accents, hyphens or « St », and the official name is stored', async () => {
		const cases = [
			['42000', 'st etienne', 'FR', 'Saint-Étienne'],
			['42000', 'SAINT-ÉTIENNE', 'FR', 'Saint-Étienne'],
			['75001', 'paris', 'FR', 'Paris 1er Arrondissement'],
			['97400', 'saint denis', 'RE', 'Saint-Denis'],
			['69001', 'Lyon 1er arrondissement', 'FR', 'Lyon 1er Arrondissement'],
		];
		for (const [cp, city, country, official] of cases) {
			const { r, id } = await startCandidate(c, { birth_postal_code: cp, birth_city: city, birth_country: country });
			assert.equal(r.status, 303, `${cp} ${city}: ${errorOf(r.text, 'birth_city')}`);
			const p = await c.get(`/candidats/${id}/etape/1`);
			assert.equal(inputValue(p.text, 'birth_city'), official);
		}
	});

	test('born abroad: country and city required, postal code not', async () => {
		const { r, id } = await startCandidate(c, { birth_country: 'BE', birth_postal_code: '', birth_city: 'Bruxelles' });
		assert.equal(r.status, 303);
		const p = await c.get(`/candidats/${id}`);
		const t = textOf(p.text);
		assert.ok(t.includes('Bruxelles') && t.includes('Belgique'), 'city and country shown');
	});

	test('the candidate is stored « En création » from the first valid step and can be resumed', async () => {
		const ident = IDENTITY();
		const { r, id } = await startCandidate(c, { ...ident, last_name: 'Brouillon', first_name: 'Zoé' });
		assert.equal(r.status, 303);
		const l = await c.get('/candidats?q=brouillon');
		assert.ok(textOf(l.text).includes('BROUILLON Zoé'), 'in the list');
		assert.ok(textOf(l.text).includes('En création'), 'status « En création »');
		const p = await c.get(`/candidats/${id}`);
		assert.ok(textOf(p.text).includes('Reprendre la création'));
		assert.ok(p.text.includes(`/candidats/${id}/etape/2`), 'resume at the first missing step');
		// « Enregistrer » is not offered before the three required steps are valid
		const s2 = await c.get(`/candidats/${id}/etape/2`);
		assert.ok(!/<button type="submit" name="action" value="save"/.test(s2.text), 'no active Enregistrer yet');
		// asking to save early keeps it a draft
		const s = await c.post(`/candidats/${id}/etape/5`, { education: 'bac', csp: '5', french_native: 'oui', action: 'save' });
		assert.equal(s.status, 303);
		assert.equal(s.headers.get('location'), `/candidats/${id}/etape/2`);
		const p2 = await c.get(`/candidats/${id}`);
		assert.ok(textOf(p2.text).includes('En création'));
	});

	test('e-mail unique among the organisation\'s candidates, allowed in another organisation', async () => {
		const email = uniqueEmail('dup');
		assert.ok((await startCandidate(c, { email })).id);
		const again = await startCandidate(c, { email: email.toUpperCase() });
		assert.equal(again.r.status, 422);
		assert.equal(errorOf(again.r.text, 'email'), 'Un candidat de votre organisation utilise déjà cette adresse de courriel.');
		const elsewhere = await startCandidate(o, { email });
		assert.equal(elsewhere.r.status, 303, 'another organisation may register the same person');
	});

	const passwordCases = [
		['too short', { password: '12345', password_confirm: '12345', send_credentials: 'non' }, 'password', 'Le mot de passe doit contenir au minimum 6 caractères.'],
		['missing', { password: '', password_confirm: '', send_credentials: 'non' }, 'password', 'Veuillez choisir un mot de passe.'],
		['confirmation differs', { password: 'secret1', password_confirm: 'secret2', send_credentials: 'non' }, 'password_confirm', 'Les deux mots de passe ne correspondent pas.'],
		['send choice missing', { password: 'secret1', password_confirm: 'secret1' }, 'send_credentials', 'Indiquez si l\'identifiant et le mot de passe doivent être envoyés par courriel.'],
	];
	for (const [name, fields, field, msg] of passwordCases) {
		test(`password: ${name} -> « ${msg} »`, async () => {
			const { id } = await startCandidate(c);
			const r = await c.post(`/candidats/${id}/etape/2`, { ...fields, action: 'next' });
			assert.equal(r.status, 422);
			assert.equal(errorOf(r.text, field), msg);
			assert.equal(inputValue(r.text, 'password'), '', 'the password is not echoed');
		});
	}

	test('information: « Statut » and « Financement » are required and must be from the list', async () => {
		const { id } = await startCandidate(c);
		let r = await c.post(`/candidats/${id}/etape/3`, { employment: '', funding: '', action: 'next' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'employment'), 'Veuillez choisir le statut.');
		assert.equal(errorOf(r.text, 'funding'), 'Veuillez choisir le financement.');
		r = await c.post(`/candidats/${id}/etape/3`, { employment: 'astronaute', funding: 'cpf', action: 'next' });
		assert.equal(errorOf(r.text, 'employment'), 'Valeur invalide : choisissez dans la liste.');
		assert.ok(/<option value="cpf" selected>/.test(r.text), 'the valid choice is kept');
		const ok = await c.get(`/candidats/${id}/etape/3`);
		for (const s of ['Salarié', "Demandeur d'emploi", 'Étudiant', 'Indépendant', 'Agent public', 'Autre',
			'Compte personnel de formation (CPF)', 'Employeur', 'OPCO', 'France Travail', 'Personnel'])
			assert.ok(unescapeHtml(ok.text).includes(`>${s}</option>`), s);
	});

	test('contact details and misc are optional but checked', async () => {
		const id = await createCandidate(c);
		let r = await c.post(`/candidats/${id}/etape/4`, { phone: 'abc', address: '', postal_code: '75001', city: 'Lyon', country: 'FR' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'phone'), 'Numéro de téléphone invalide.');
		assert.ok(errorOf(r.text, 'city').startsWith('Cette commune ne correspond pas'));
		r = await c.post(`/candidats/${id}/etape/4`, { phone: '06 12 34 56 78', address: '3 rue de la Paix', postal_code: '75001', city: 'paris', country: 'FR' });
		assert.equal(r.status, 303);
		r = await c.post(`/candidats/${id}/etape/4`, { phone: '', address: '', postal_code: '', city: '', country: '' });
		assert.equal(r.status, 303, 'everything may be empty');
		r = await c.post(`/candidats/${id}/etape/5`, { education: 'bac', csp: '42', french_native: 'peut-être' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'csp'), 'Valeur invalide : choisissez dans la liste.');
		assert.equal(errorOf(r.text, 'french_native'), 'Valeur invalide : choisissez dans la liste.');
		const m = await c.get(`/candidats/${id}/etape/5`);
		assert.ok(unescapeHtml(m.text).includes('Cadres et professions intellectuelles supérieures'), 'INSEE categories');
		r = await c.post(`/candidats/${id}/etape/5`, { education: 'bac', csp: '3', french_native: 'non' });
		assert.equal(r.status, 303);
		const p = await c.get(`/candidats/${id}`);
		const t = textOf(p.text);
		assert.ok(t.includes('Cadres et professions intellectuelles supérieures') && t.includes('Baccalauréat'));
	});

	test('« Enregistrer » makes the candidate « À attribuer »; « Oui » queues the credentials e-mail', async () => {
		const id = await createCandidate(c, { last_name: 'Mailé' }, { send: 'oui' });
		const p = await c.get(`/candidats/${id}`);
		const t = textOf(p.text);
		assert.ok(t.includes('À attribuer'), 'status');
		assert.ok(t.includes('Le candidat a été enregistré.'), 'flash');
		assert.ok(t.includes('Vos identifiants pour la Certification Le Robert'), 'the credentials e-mail is listed');
		const id2 = await createCandidate(c, {}, { send: 'non' });
		const p2 = await c.get(`/candidats/${id2}`);
		assert.ok(textOf(p2.text).includes('Aucun courriel'), 'no e-mail with « Non »');
	});

	test('editing a step of a created candidate uses the same validation and keeps the password', async () => {
		const id = await createCandidate(c);
		let r = await c.post(`/candidats/${id}/etape/1`, { ...IDENTITY(), last_name: '', action: 'save' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'last_name'), 'Veuillez indiquer le nom.');
		r = await c.post(`/candidats/${id}/etape/2`, { password: '', password_confirm: '', send_credentials: 'non', action: 'save' });
		assert.equal(r.status, 303, 'empty password keeps the current one');
		r = await c.post(`/candidats/${id}/etape/1`, { ...IDENTITY(), last_name: 'Nouveau-Nom', action: 'save' });
		assert.equal(r.status, 303);
		const p = await c.get(`/candidats/${id}`);
		assert.ok(textOf(p.text).includes('NOUVEAU-NOM Hélène'));
		assert.ok(textOf(p.text).includes('À attribuer'));
	});

	test('the list: columns, search without accents or case, status filter, sort, count', async () => {
		const tag = letters();
		await createCandidate(c, { last_name: `Çaglar${tag}`, first_name: 'Françoise' });
		await startCandidate(c, { last_name: `Bélanger${tag}`, first_name: 'Noël', email: `noel.${tag}@exemple.fr` });
		const r = await c.get('/candidats');
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		for (const s of ['Nom', 'Courriel', 'Statut', 'Date de passage', 'Rechercher un nom, un courriel', 'Tous les statuts',
			'Réinitialiser les filtres', 'Créer un candidat'])
			assert.ok(t.includes(s) || r.text.includes(s), `« ${s} »`);
		let s = await c.get(`/candidats?q=${encodeURIComponent('caglar' + tag)}`);
		assert.ok(textOf(s.text).includes(`ÇAGLAR${tag.toUpperCase()} Françoise`), 'found without the cedilla');
		assert.ok(textOf(s.text).includes('1 candidat'), 'count');
		s = await c.get(`/candidats?q=${encodeURIComponent('LANGER' + tag.toUpperCase())}`);
		assert.ok(textOf(s.text).includes('Noël'), 'any part, any case, accent on the stored side');
		s = await c.get(`/candidats?q=${encodeURIComponent('noel belanger' + tag)}`);
		assert.ok(textOf(s.text).includes('Noël'), 'first name then last name');
		s = await c.get(`/candidats?q=${encodeURIComponent('el.' + tag + '@exem')}`);
		assert.ok(textOf(s.text).includes('Noël'), 'part of the e-mail');
		s = await c.get(`/candidats?q=${encodeURIComponent('é')}`);
		assert.equal(s.status, 200, 'a one-letter search works');
		s = await c.get(`/candidats?q=${encodeURIComponent(tag)}&statut=en-creation`);
		assert.ok(textOf(s.text).includes('Noël') && !textOf(s.text).includes('Françoise'), 'status filter');
		assert.ok(/<option value="en-creation" selected>/.test(s.text), 'filter kept in the form');
		s = await c.get(`/candidats?q=${encodeURIComponent(tag)}&statut=a-attribuer`);
		assert.ok(!textOf(s.text).includes('Noël') && textOf(s.text).includes('Françoise'));
		s = await c.get(`/candidats?q=${encodeURIComponent(tag)}&tri=nom&ordre=desc`);
		const tt = textOf(s.text);
		assert.ok(tt.indexOf('Françoise') < tt.indexOf('Noël'), 'sorted by name descending');
		s = await c.get(`/candidats?q=${encodeURIComponent(tag)}`);
		assert.ok(textOf(s.text).indexOf('Noël') < textOf(s.text).indexOf('Françoise'), 'sorted by name ascending');
		s = await c.get(`/candidats?q=zzzz-nobody-${tag}`);
		assert.ok(textOf(s.text).includes('Aucun candidat ne correspond à ces critères.'));
		// odd input never breaks the page
		for (const q of ['"', '%', '_', '\\', "' OR 1=1 --", 'a"b"c', 'NEAR(', '*'])
			assert.equal((await c.get(`/candidats?q=${encodeURIComponent(q)}&tri=x&ordre=y&page=-3&statut=zz`)).status, 200, q);
	});

	test('the live fragment and pagination with the number of results', async () => {
		const tag = letters();
		for (let i = 0; i < 51; i++)
			assert.ok((await startCandidate(c, { last_name: `Page${tag}`, first_name: `Élève${String.fromCharCode(97 + (i % 26))}`, email: `p${i}.${tag}@exemple.fr` })).id);
		let s = await c.get(`/candidats?q=page${tag}`);
		assert.ok(textOf(s.text).includes('51 candidats'), 'count');
		assert.ok(textOf(s.text).includes('page 1 sur 2'));
		assert.equal((s.text.match(/<tr><td><a href="\/candidats\/\d+">/g) || []).length, 50);
		s = await c.get(`/candidats?q=page${tag}&page=2`);
		assert.equal((s.text.match(/<tr><td><a href="\/candidats\/\d+">/g) || []).length, 1);
		const f = await c.get(`/candidats?q=page${tag}&partiel=1`);
		assert.equal(f.status, 200);
		assert.ok(!/<html/i.test(f.text) && f.text.includes('51'), 'a fragment');
	});

	test('the communes of a postal code as JSON', async () => {
		const r = await c.get('/candidats/communes?cp=01000');
		assert.equal(r.status, 200);
		assert.match(r.headers.get('content-type'), /application\/json/);
		assert.deepEqual(JSON.parse(r.text), ['Bourg-en-Bresse', 'Saint-Denis-lès-Bourg']);
		assert.deepEqual(JSON.parse((await c.get('/candidats/communes?cp=abc')).text), []);
		assert.deepEqual(JSON.parse((await c.get('/candidats/communes')).text), []);
	});

	test('delete with a confirmation page', async () => {
		const id = await createCandidate(c, { last_name: 'Supprimé' });
		const conf = await c.get(`/candidats/${id}/supprimer`);
		assert.equal(conf.status, 200);
		assert.ok(textOf(conf.text).includes('Voulez-vous vraiment supprimer le candidat SUPPRIMÉ Hélène'));
		const r = await c.post(`/candidats/${id}/supprimer`, {});
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), '/candidats');
		assert.equal((await c.get(`/candidats/${id}`)).status, 404);
	});

	test('CSRF: posts without the token are refused and change nothing', async () => {
		const id = await createCandidate(c);
		let r = await c.post('/candidats/nouveau', { ...IDENTITY(), csrf: 'forged' });
		assert.equal(r.status, 403);
		r = await c.post(`/candidats/${id}/supprimer`, { csrf: '' });
		assert.equal(r.status, 403);
		r = await c.post(`/candidats/${id}/etape/1`, { ...IDENTITY(), last_name: 'Pirate', csrf: 'x' });
		assert.equal(r.status, 403);
		const p = await c.get(`/candidats/${id}`);
		assert.equal(p.status, 200);
		assert.ok(!textOf(p.text).includes('PIRATE'));
	});

	test('another organisation\'s candidate is a 404 through every route', async () => {
		const id = await createCandidate(c, { last_name: 'Confidentiel' });
		const gets = [`/candidats/${id}`, `/candidats/${id}/supprimer`];
		for (let s = 1; s <= 5; s++) gets.push(`/candidats/${id}/etape/${s}`);
		for (const path of gets) assert.equal((await o.get(path)).status, 404, `GET ${path}`);
		const posts = [
			[`/candidats/${id}/supprimer`, {}],
			[`/candidats/${id}/etape/1`, { ...IDENTITY(), action: 'save' }],
			[`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'non' }],
			[`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf' }],
			[`/candidats/${id}/etape/4`, { phone: '' }],
			[`/candidats/${id}/etape/5`, { csp: '1' }],
		];
		for (const [path, body] of posts) {
			await o.get('/candidats');
			assert.equal((await o.post(path, body)).status, 404, `POST ${path}`);
		}
		const l = await o.get('/candidats?q=confidentiel');
		assert.ok(!textOf(l.text).includes('CONFIDENTIEL'), 'not in the other organisation\'s list');
		const p = await c.get(`/candidats/${id}`);
		assert.equal(p.status, 200, 'still there for its organisation');
		assert.ok(textOf(p.text).includes('CONFIDENTIEL Hélène'));
		// unknown ids and steps
		for (const path of ['/candidats/999999999', '/candidats/abc', `/candidats/${id}/etape/6`, `/candidats/${id}/etape/0`, `/candidats/${id}/etape/x`])
			assert.equal((await c.get(path)).status, 404, path);
	});

	test('anonymous visitors are sent to the login page', async () => {
		const { Client } = await import('../lib/server.mjs');
		const anon = new Client(srv.url);
		for (const path of ['/candidats', '/candidats/nouveau', '/candidats/communes?cp=75001']) {
			const r = await anon.get(path);
			assert.ok([302, 303].includes(r.status), `${path}: ${r.status}`);
		}
	});

	test('« Accueil » shows the « Candidats » tile with counts', async () => {
		const r = await c.get('/accueil');
		assert.equal(r.status, 200);
		const t = textOf(r.text);
		assert.ok(t.includes('Candidats') && t.includes('Certification(s) à attribuer') && t.includes('Certification(s) en attente')
			&& t.includes('Certification(s) passée(s)') && t.includes('Candidat(s) en création') && t.includes('Créer un candidat'));
		assert.ok(/id="candidates-total">[1-9]/.test(r.text), 'a non-zero total');
	});
});
