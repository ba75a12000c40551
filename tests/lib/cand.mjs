// cand.mjs - helpers for the tests of the candidate's space (issue 16): a
// complete candidate created over HTTP, the stored message of the outbox,
// and the one-time link it carries.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clr, sqlRows, textOf, uniqueEmail, Client, unescapeHtml, inputValue } from './server.mjs';

const one = async (srv, q) => (await sqlRows(srv, q))[0]?.[0];

export function letters(n = 6) {
	return Array.from(randomBytes(n), (x) => String.fromCharCode(97 + (x % 26))).join('');
}

/** Decodes a quoted-printable text (enough to find links in a stored message). */
export function qpDecode(s) {
	return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** The stored MIME text of outbox message ID (`clr mail show`). */
export async function storedMessage(srv, id) {
	return (await clr(['mail', 'show', String(id), '--db', srv.dbUrl])).stdout;
}

/** The one-time link (path and query) of the last message of KIND to EMAIL, read from the outbox. */
export async function linkFor(srv, email, kind = 'candidate.credentials') {
	const id = await one(srv, `SELECT id FROM outbox WHERE recipient = '${email}' AND kind = '${kind}' ORDER BY id DESC LIMIT 1`);
	assert.ok(id, `a ${kind} message to ${email}`);
	const msg = await storedMessage(srv, id);
	const m = /\/candidat\/acces\?jeton=([A-Za-z0-9_-]{43})/.exec(qpDecode(msg));
	assert.ok(m, 'a one-time link in the message');
	return { path: m[0], token: m[1], message: qpDecode(msg) };
}

/** A complete candidate over HTTP; password typed by the administrator, sent or not. */
export async function newCandidate(c, { password = 'Choisi-Admin-' + letters(), send = 'oui', first = 'Zoé' } = {}) {
	const email = uniqueEmail('cand');
	const last = 'Espace' + letters();
	let r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: last, birth_name: '', first_name: first, email,
		birth_date: '14/07/1990', birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
	});
	const m = /^\/candidats\/(\d+)\/etape\/2$/.exec(r.headers.get('location') || '');
	assert.ok(m, `candidate created: ${r.status} ${textOf(r.text).slice(0, 300)}`);
	const id = +m[1];
	r = await c.post(`/candidats/${id}/etape/2`, { password, password_confirm: password, send_credentials: send, action: 'next' });
	assert.equal(r.status, 303);
	r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
	assert.equal(r.status, 303);
	return { id, email, last, first, password };
}


/** A Client logged in the candidate's space (asserts the redirect). */
export async function candLogin(srv, email, password) {
	const k = new Client(srv.url);
	await k.get('/candidat/connexion');
	const r = await k.post('/candidat/connexion', { email, password });
	assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
	assert.equal(r.headers.get('location'), '/candidat');
	return k;
}

/** « jj/mm/aaaa » in Europe/Paris, today + days. */
export function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

/** « Valider l'attribution » of a self-proctored session (administrator client c) for candidate ids. */
export async function assignSession(c, srv, ids, { days = 0, place = 'Salle 4' } = {}) {
	const product = await one(srv, "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'");
	const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: product, date: frDate(days), lieu: place }));
	const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(page.text);
	assert.ok(f, 'the assignment form');
	const p = new URLSearchParams();
	for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) p.append(m[1], unescapeHtml(m[2]));
	for (const id of ids) p.append('ids', String(id));
	const r = await c.post('/certifications/surveillance', p.toString());
	assert.equal(r.status, 303, textOf(r.text).slice(0, 400));
}

/** A results API key created by a staff client s. */
export async function apiKey(s) {
	const k = await s.post('/backoffice/cles-api', { name: 'Plateforme de test ' + letters() });
	return inputValue(k.text, 'api-key');
}

/** POST /api/v1/results {certification_id, score}: the status. */
export async function postResult(srv, key, certificationId, score) {
	const r = await fetch(`${srv.url}/api/v1/results`, {
		method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify({ certification_id: +certificationId, score }),
	});
	await r.text();
	return r.status;
}
