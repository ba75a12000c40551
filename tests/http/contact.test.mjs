// « Compte Administrateur », « Contact » tab and the back office's
// « Demandes »: a request is stored, e-mailed to support with Reply-To the
// administrator and acknowledged; staff answer (e-mailed, kept) and close;
// limits, rate limit, CSRF, roles and organisations.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startServer, newAdmin, newStaff, loggedIn, fieldByLabel, attr, forms, inputValue, textOf, errorOf, sqlRows, Client, run,
} from '../lib/server.mjs';

const SUPPORT = 'aide-partenaires@lerobert.test';
const n = async (srv, q) => +(await sqlRows(srv, q))[0][0];
const flat = (s) => s.replace(/[\u00a0\u202f]/g, ' ');
const ids = (html) => [...html.matchAll(/<tr data-id="(\d+)"/g)].map((m) => +m[1]);

async function send(c, fields) {
	return c.post('/compte/contact', { topic: 'order', subject: '', message: 'Bonjour', ...fields });
}
/** The stored MIME message of the outbox row picked by WHERE. */
async function mimeOf(srv, where) {
	const q = `SELECT message FROM outbox WHERE ${where} ORDER BY id DESC LIMIT 1`;
	const r = srv.dbUrl.startsWith('sqlite:')
		? await run('sqlite3', [srv.dbUrl.slice(7), q])
		: await run('psql', ['-X', '-q', '-At', '-d', srv.dbUrl, '-c', q]);
	if (r.code !== 0) throw new Error(r.stderr);
	return r.stdout;
}
/** The header NAME of a stored MIME message (unfolded), or null. */
function header(msg, name) {
	const m = new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(msg);
	return m ? m[1].replace(/\r?\n[ \t]/g, ' ') : null;
}

describe('« Contact » tab', () => {
	let srv, admin, other, staff;
	before(async () => {
		srv = await startServer({ env: { CLR_SUPPORT_EMAIL: SUPPORT } });
		admin = await newAdmin(srv);
		other = await newAdmin(srv);
		staff = await newStaff(srv);
	});
	after(async () => srv && srv.stop());

	test('the form has the seed\'s labels, a select of subjects and the csrf field', async () => {
		const c = await loggedIn(srv, admin);
		const r = await c.get('/compte/contact');
		assert.equal(r.status, 200);
		const t = flat(textOf(r.text));
		for (const s of ['Formulaire de contact', 'Utilisez le formulaire ci-dessous afin de nous contacter.', 'Envoyer la demande', 'Vos demandes'])
			assert.ok(t.includes(s), s);
		const topic = fieldByLabel(r.text, 'Objet de la demande');
		assert.ok(topic && topic.startsWith('<select'), 'a select labelled « Objet de la demande »');
		assert.equal(attr(topic, 'name'), 'topic');
		for (const [v, l] of [['order', 'Commande'], ['candidates', 'Candidats'], ['certifications', 'Certifications'], ['technical', 'Technique'], ['other', 'Autre']])
			assert.ok(r.text.includes(`<option value="${v}">${l}</option>`), l);
		assert.equal(attr(fieldByLabel(r.text, 'Objet (en quelques mots)'), 'name'), 'subject');
		const m = fieldByLabel(r.text, 'Merci de préciser votre demande');
		assert.ok(m && m.startsWith('<textarea'), 'a textarea');
		const f = forms(r.text).find((x) => x.action === '/compte/contact');
		assert.equal(f.method, 'post');
		assert.ok(inputValue(f.body, 'csrf'));
		// the four tabs
		for (const [href, label] of [['/compte', 'Profil'], ['/compte/mot-de-passe', 'Mot de passe'], ['/compte/documentation', 'Documentation'], ['/compte/contact', 'Contact']])
			assert.ok(r.text.includes(`<a href="${href}"`) && t.includes(label), label);
		assert.ok(/href="\/compte\/contact" aria-current="page"/.test(r.text), 'the « Contact » tab is current');
	});

	test('a request is stored, e-mailed to support (Reply-To the administrator) and acknowledged', async () => {
		const c = await loggedIn(srv, admin);
		const before = await n(srv, 'SELECT COUNT(*) FROM outbox');
		const message = 'Bonjour,\nnous souhaitons un devis pour 30 certifications.\n\n<b>Merci</b> & à bientôt';
		const r = await send(c, { topic: 'order', subject: 'Devis pour la rentrée', message });
		assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
		assert.equal(r.headers.get('location'), '/compte/contact');
		const [[id, topic, subject, stored, status]] = await sqlRows(srv,
			`SELECT q.id, topic, subject, SUBSTR(message, 1, 8), status FROM support_requests q JOIN users u ON u.id = q.user_id WHERE u.email = '${admin.email}'`);
		assert.deepEqual([topic, subject, status], ['order', 'Devis pour la rentrée', 'open']);
		assert.ok(stored.startsWith('Bonjour,'), 'the message is stored');
		const p = await c.get('/compte/contact');
		const t = flat(textOf(p.text));
		assert.ok(t.includes(`Votre demande n° ${id} a bien été envoyée`), t.slice(0, 500));
		assert.ok(ids(p.text).includes(+id), 'listed under « Vos demandes »');
		assert.ok(t.includes('Commande — Devis pour la rentrée') && t.includes('Ouverte'));
		// its page: the message as text, line breaks kept
		const q = await c.get(`/compte/contact/${id}`);
		assert.equal(q.status, 200);
		assert.ok(q.text.includes('&lt;b&gt;Merci&lt;/b&gt; &amp; à bientôt'), 'escaped');
		assert.ok(flat(textOf(q.text)).includes('Pas encore de réponse.'));
		// two e-mails
		assert.equal(await n(srv, 'SELECT COUNT(*) FROM outbox'), before + 2);
		const mails = await sqlRows(srv, "SELECT kind, recipient, subject FROM outbox WHERE kind LIKE 'support.%' ORDER BY id");
		const sup = [...mails.find((m) => m[0] === 'support.request'), await mimeOf(srv, "kind = 'support.request'")];
		const ack = [...mails.find((m) => m[0] === 'support.ack'), await mimeOf(srv, "kind = 'support.ack'")];
		assert.equal(sup[1], SUPPORT, 'to CLR_SUPPORT_EMAIL');
		assert.match(sup[2], new RegExp(`^Demande n° ${id} — Devis pour la rentrée — ${admin.org}$`));
		assert.ok(header(sup[3], 'Reply-To').includes(admin.email), 'Reply-To: the administrator');
		assert.equal(ack[1], admin.email);
		assert.equal(ack[2], `Votre demande n° ${id} a bien été reçue`);
		assert.ok(header(ack[3], 'Reply-To').includes(SUPPORT), 'the acknowledgement answers to support');
		// audited
		assert.equal(await n(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'support.create' AND object_id = ${id}`), 1);
	});

	const invalid = [
		['empty message', { message: '' }, 'message', 'Merci de préciser votre demande : le message est vide.'],
		['blank message', { message: ' \n\t \r\n ' }, 'message', 'Merci de préciser votre demande : le message est vide.'],
		['5 001 characters', { message: 'é'.repeat(5001) }, 'message', 'Le texte ne peut dépasser 5 000 caractères : il en compte 5 001. Raccourcissez-le.'],
		['no subject chosen', { topic: '' }, 'topic', 'Choisissez l\'objet de la demande dans la liste.'],
		['unknown subject', { topic: 'refund' }, 'topic', 'Choisissez l\'objet de la demande dans la liste.'],
		['subject line too long', { subject: 'x'.repeat(151) }, 'subject', 'L\'objet ne peut dépasser 150 caractères : le détail a sa place dans le message.'],
	];
	for (const [what, fields, field, msg] of invalid) {
		test(`refused: ${what} (422, message, nothing stored or sent)`, async () => {
			const c = await loggedIn(srv, other);
			const [rq, ob] = [await n(srv, 'SELECT COUNT(*) FROM support_requests'), await n(srv, 'SELECT COUNT(*) FROM outbox')];
			const r = await send(c, fields);
			assert.equal(r.status, 422);
			assert.equal(errorOf(r.text, field), msg.replace(/[\u00a0\u202f]/g, ' '));
			assert.ok(flat(textOf(r.text)).includes('Votre demande n’a pas été envoyée'));
			assert.equal(await n(srv, 'SELECT COUNT(*) FROM support_requests'), rq);
			assert.equal(await n(srv, 'SELECT COUNT(*) FROM outbox'), ob);
			if (fields.message && fields.message.length > 100)
				assert.ok(r.text.includes(fields.message), 'the text typed is kept');
		});
	}

	test('5 000 characters exactly are accepted', async () => {
		const a = await newAdmin(srv);
		const c = await loggedIn(srv, a);
		const r = await send(c, { message: 'à'.repeat(5000) });
		assert.equal(r.status, 303);
		const [[len]] = await sqlRows(srv, `SELECT LENGTH(message) FROM support_requests q JOIN users u ON u.id = q.user_id WHERE u.email = '${a.email}'`);
		assert.equal(+len, 5000);
	});

	test('rate limit: 5 requests per account and per hour, the sixth refused with a French message', async () => {
		const a = await newAdmin(srv);
		const c = await loggedIn(srv, a);
		for (let i = 1; i <= 5; i++) assert.equal((await send(c, { message: `Demande ${i}` })).status, 303, `request ${i}`);
		const ob = await n(srv, 'SELECT COUNT(*) FROM outbox');
		const r = await send(c, { message: 'Demande 6' });
		assert.equal(r.status, 429);
		const t = flat(textOf(r.text));
		assert.ok(t.includes('Vous avez déjà envoyé 5 demandes au cours de la dernière heure : merci de patienter'), t.slice(0, 600));
		assert.ok(t.includes(SUPPORT), 'the support address for an emergency');
		assert.ok(r.text.includes('Demande 6'), 'the message is kept in the form');
		assert.equal(await n(srv, `SELECT COUNT(*) FROM support_requests q JOIN users u ON u.id = q.user_id WHERE u.email = '${a.email}'`), 5);
		assert.equal(await n(srv, 'SELECT COUNT(*) FROM outbox'), ob);
		// an hour later, it is open again
		await sqlRows(srv, `UPDATE support_requests SET created_at = created_at - 3601 WHERE user_id = (SELECT id FROM users WHERE email = '${a.email}')`);
		assert.equal((await send(c, { message: 'Demande 7' })).status, 303);
		// another account is not limited by this one
		assert.equal((await send(await loggedIn(srv, other), { message: 'Autre compte' })).status, 303);
	});

	test('CSRF: a POST without or with a wrong token is refused and changes nothing', async () => {
		const c = await loggedIn(srv, admin);
		const before = await n(srv, 'SELECT COUNT(*) FROM support_requests');
		let r = await c.post('/compte/contact', { topic: 'order', message: 'sans jeton' }, { csrf: false });
		assert.equal(r.status, 403);
		r = await c.post('/compte/contact', { topic: 'order', message: 'mauvais jeton', csrf: 'x'.repeat(43) });
		assert.equal(r.status, 403);
		assert.equal(await n(srv, 'SELECT COUNT(*) FROM support_requests'), before);
		const s = await loggedIn(srv, staff);
		const [[id]] = await sqlRows(srv, 'SELECT MIN(id) FROM support_requests');
		r = await s.post(`/backoffice/demandes/${id}/repondre`, { answer: 'sans jeton' }, { csrf: false });
		assert.equal(r.status, 403);
		r = await s.post(`/backoffice/demandes/${id}/clore`, {}, { csrf: false });
		assert.equal(r.status, 403);
		assert.equal(await n(srv, `SELECT COUNT(*) FROM support_answers WHERE request_id = ${id}`), 0);
		assert.equal((await sqlRows(srv, `SELECT status FROM support_requests WHERE id = ${id}`))[0][0], 'open');
	});

	test('another organisation\'s request is unreachable, and not listed', async () => {
		const [[id]] = await sqlRows(srv, `SELECT q.id FROM support_requests q JOIN users u ON u.id = q.user_id WHERE u.email = '${admin.email}' ORDER BY q.id LIMIT 1`);
		const c = await loggedIn(srv, other);
		const r = await c.get(`/compte/contact/${id}`);
		assert.equal(r.status, 404);
		assert.ok(!r.text.includes('Devis pour la rentrée'));
		const l = await c.get('/compte/contact');
		assert.ok(!ids(l.text).includes(+id));
		for (const bad of ['0', '-1', 'abc', '99999999']) assert.equal((await c.get(`/compte/contact/${bad}`)).status, 404, bad);
	});

	test('roles: the back office is staff only; the tab is administrators only; anonymous go to /connexion', async () => {
		const a = await loggedIn(srv, admin);
		for (const p of ['/backoffice/demandes', '/backoffice/demandes/1']) assert.equal((await a.get(p)).status, 403, p);
		assert.equal((await a.post('/backoffice/demandes/1/repondre', { answer: 'x' })).status, 403);
		assert.equal((await a.post('/backoffice/demandes/1/clore', {})).status, 403);
		const s = await loggedIn(srv, staff);
		for (const p of ['/compte/contact', '/compte/documentation']) assert.equal((await s.get(p)).status, 403, p);
		const anon = new Client(srv.url);
		for (const p of ['/compte/contact', '/backoffice/demandes']) {
			const r = await anon.get(p);
			assert.equal(r.status, 303, p);
			assert.match(r.headers.get('location'), /^\/connexion/);
		}
	});
});

describe('back office « Demandes »', () => {
	let srv, admin, staff, id;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv);
		staff = await newStaff(srv);
		const c = await loggedIn(srv, admin);
		await send(c, { topic: 'technical', subject: 'Codes refusés', message: 'Le code de Léa ne fonctionne pas.' });
		await send(c, { topic: 'candidates', message: 'Comment supprimer un candidat ?' });
		[[id]] = await sqlRows(srv, "SELECT id FROM support_requests WHERE subject = 'Codes refusés'");
		id = +id;
	});
	after(async () => srv && srv.stop());

	test('the list, with the nav entry and status filters', async () => {
		const s = await loggedIn(srv, staff);
		const r = await s.get('/backoffice/demandes');
		assert.equal(r.status, 200);
		assert.ok(/href="\/backoffice\/demandes" aria-current="page">Demandes</.test(r.text), 'nav entry « Demandes »');
		const t = flat(textOf(r.text));
		assert.ok(t.includes(admin.org) && t.includes('Technique — Codes refusés') && t.includes('Candidats'));
		assert.equal(ids(r.text).length, 2);
		for (const [label, v] of [['Ouverte', 'open'], ['Répondue', 'answered'], ['Close', 'closed']])
			assert.ok(r.text.includes(`href="/backoffice/demandes?statut=${v}"`) && t.includes(label), label);
		assert.equal(ids((await s.get('/backoffice/demandes?statut=open')).text).length, 2);
		assert.equal(ids((await s.get('/backoffice/demandes?statut=closed')).text).length, 0);
		assert.equal((await s.get('/backoffice/demandes?statut=nimporte')).status, 200, 'an unknown status shows all');
		assert.equal((await s.get('/backoffice/demandes/99999999')).status, 404);
		// the dashboard's tile
		const h = flat(textOf((await s.get('/backoffice')).text));
		assert.ok(h.includes('Demandes à traiter 2 demandes ouvertes'), h.slice(0, 800));
	});

	test('an empty or too long answer is refused; a closed request takes no answer', async () => {
		const s = await loggedIn(srv, staff);
		let r = await s.post(`/backoffice/demandes/${id}/repondre`, { answer: '   ' });
		assert.equal(r.status, 422);
		assert.equal(errorOf(r.text, 'answer'), 'Écrivez la réponse avant de l\'envoyer.');
		r = await s.post(`/backoffice/demandes/${id}/repondre`, { answer: 'a'.repeat(5001) });
		assert.equal(r.status, 422);
		assert.ok(errorOf(r.text, 'answer').startsWith('Le texte ne peut dépasser 5 000 caractères'));
		assert.equal(await n(srv, 'SELECT COUNT(*) FROM support_answers'), 0);
	});

	test('staff answer: kept, e-mailed to the administrator, status « Répondue »; the administrator sees it', async () => {
		const s = await loggedIn(srv, staff);
		const p = await s.get(`/backoffice/demandes/${id}`);
		assert.equal(p.status, 200);
		assert.ok(flat(textOf(p.text)).includes('Le code de Léa ne fonctionne pas.'));
		assert.equal(attr(fieldByLabel(p.text, 'Réponse'), 'name'), 'answer');
		const answer = 'Bonjour,\nun nouveau code a été généré pour Léa.\nCordialement';
		const r = await s.post(`/backoffice/demandes/${id}/repondre`, { answer });
		assert.equal(r.status, 303);
		assert.equal(r.headers.get('location'), `/backoffice/demandes/${id}`);
		assert.equal((await sqlRows(srv, `SELECT status FROM support_requests WHERE id = ${id}`))[0][0], 'answered');
		const [[kind, to, subject]] = await sqlRows(srv, "SELECT kind, recipient, subject FROM outbox WHERE kind = 'support.answer'");
		const msg = await mimeOf(srv, "kind = 'support.answer'");
		assert.equal(kind, 'support.answer');
		assert.equal(to, admin.email);
		assert.equal(subject, `Réponse à votre demande n° ${id} — Codes refusés`);
		assert.ok(header(msg, 'Reply-To').includes('support@certification-lerobert.test'), 'answers go to support (default address)');
		assert.equal(await n(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'support.answer' AND object_id = ${id}`), 1);
		const a = await loggedIn(srv, admin);
		const q = await a.get(`/compte/contact/${id}`);
		const t = flat(textOf(q.text));
		assert.ok(t.includes('un nouveau code a été généré pour Léa.'), t);
		assert.ok(t.includes('Répondue'));
		assert.ok(flat(textOf((await a.get('/compte/contact')).text)).includes('Répondue 1 réponse'));
	});

	test('close: « Close », no more answers, listed under the filter', async () => {
		const s = await loggedIn(srv, staff);
		let r = await s.post(`/backoffice/demandes/${id}/clore`, {});
		assert.equal(r.status, 303);
		assert.equal((await sqlRows(srv, `SELECT status FROM support_requests WHERE id = ${id}`))[0][0], 'closed');
		const p = await s.get(`/backoffice/demandes/${id}`);
		assert.ok(flat(textOf(p.text)).includes('La demande est close.'));
		assert.ok(!p.text.includes('/repondre'), 'no answer form on a closed request');
		r = await s.post(`/backoffice/demandes/${id}/repondre`, { answer: 'encore' });
		assert.equal(r.status, 422);
		assert.ok(flat(textOf(r.text)).includes('Cette demande est close : elle ne peut plus recevoir de réponse.'));
		r = await s.post(`/backoffice/demandes/${id}/clore`, {});
		assert.equal(r.status, 303);
		assert.ok(flat(textOf((await s.get(r.headers.get('location'))).text)).includes('Cette demande était déjà close.'));
		assert.deepEqual(ids((await s.get('/backoffice/demandes?statut=closed')).text), [id]);
		assert.equal(await n(srv, `SELECT COUNT(*) FROM audit_log WHERE action = 'support.close' AND object_id = ${id}`), 1);
		const a = await loggedIn(srv, admin);
		assert.ok(flat(textOf((await a.get(`/compte/contact/${id}`)).text)).includes('Close le'));
	});
});
