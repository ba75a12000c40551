// team.mjs - helpers of the team tests (issue 15): the messages a server
// wrote as .eml files (its CLR_MAIL_DIR), the links they carry, a
// self-proctored exam session with candidates made over HTTP.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { parseMail } from './mail.mjs';
import { clr, sqlRows, textOf, uniqueEmail, unescapeHtml } from './server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seen = new WeakMap();

/** Messages to TO delivered as .eml into srv.mailDir (at least `wait` of
 * them, up to 15 s), parsed; oldest first. */
export async function mailsTo(srv, to, { wait = 1, subject } = {}) {
	const deadline = Date.now() + 15000;
	for (;;) {
		const cache = seen.get(srv) || new Map();
		seen.set(srv, cache);
		const out = [];
		for (const f of readdirSync(srv.mailDir).filter((x) => x.endsWith('.eml')).sort()) {
			if (!cache.has(f)) cache.set(f, await parseMail(join(srv.mailDir, f)));
			const m = cache.get(f);
			if ((m.headers.To || '').includes(to) && (!subject || (m.headers.Subject || '').includes(subject))) out.push(m);
		}
		if (out.length >= wait || Date.now() > deadline) return out;
		await sleep(100);
	}
}

/** The plain-text body of a parsed message. */
export function plainOf(m) {
	return m.parts.find((p) => p.type === 'text/plain').content;
}

/** The path of the first link to PREFIX (/invitation/, /mot-de-passe-oublie/) in m. */
export function linkIn(m, prefix) {
	const re = new RegExp(`https?://[^\\s/]+(${prefix.replace(/\//g, '\\/')}[A-Za-z0-9_-]{43})`);
	const hit = re.exec(plainOf(m));
	assert.ok(hit, `a link ${prefix}… in: ${plainOf(m).slice(0, 500)}`);
	return hit[1];
}

/** The last invitation link e-mailed to `to`. */
export async function invitationLink(srv, to, n = 1) {
	const ms = await mailsTo(srv, to, { wait: n, subject: 'Invitation' });
	assert.ok(ms.length >= n, `${n} invitation(s) to ${to}`);
	return linkIn(ms[ms.length - 1], '/invitation/');
}

function letters() {
	return Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

/** Today + days in Europe/Paris: « jj/mm/aaaa ». */
export function frDate(days) {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: '2-digit', month: '2-digit', year: 'numeric' })
		.format(new Date(Date.now() + days * 86400000));
}

/** A complete candidate (« À attribuer ») over HTTP, as client c. */
export async function candidate(c, { last = 'Durand' + letters(), first = 'Élise', birth = '14/07/1990' } = {}) {
	const email = uniqueEmail('cand');
	let r = await c.post('/candidats/nouveau', {
		civility: 'madame', last_name: last, birth_name: '', first_name: first, email,
		birth_date: birth, birth_postal_code: '75001', birth_city: 'Paris', birth_country: 'FR', action: 'next',
	});
	const m = /^\/candidats\/(\d+)\/etape\/2$/.exec(r.headers.get('location') || '');
	assert.ok(m, `candidate created: ${r.status} ${textOf(r.text).slice(0, 300)}`);
	const id = +m[1];
	r = await c.post(`/candidats/${id}/etape/2`, { password: 'secret1', password_confirm: 'secret1', send_credentials: 'non', action: 'next' });
	assert.equal(r.status, 303);
	r = await c.post(`/candidats/${id}/etape/3`, { employment: 'salarie', funding: 'cpf', action: 'save' });
	assert.equal(r.status, 303);
	return { id, email, last, first, birth };
}

/** A self-proctored session in 10 days for `people` (candidates of c's
 * organisation), with activation codes: its id. */
export async function examSession(srv, c, org, people, { place = 'Salle 12' } = {}) {
	await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', org, '--product', 'PART-CLR-EXAMEN', '--qty', String(people.length + 2), '--reason', 'test']);
	const [[pid]] = await sqlRows(srv, "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'");
	const page = await c.get('/certifications/surveillance?' + new URLSearchParams({ produit: pid, date: frDate(10), heure: '09:30', lieu: place }));
	const f = /<form id="assign-form"[^>]*>([\s\S]*?)<\/form>/.exec(page.text);
	assert.ok(f, 'the assignment form');
	const p = new URLSearchParams();
	for (const m of f[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) p.append(m[1], unescapeHtml(m[2]));
	for (const x of people) p.append('ids', String(x.id));
	const r = await c.post('/certifications/surveillance', p.toString());
	assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
	const rows = await sqlRows(srv, `SELECT DISTINCT c.session_id FROM certifications c WHERE c.candidate_id = ${people[0].id}`);
	const sid = +rows[0][0];
	const g = await c.post(`/certifications/sessions/${sid}/codes`, {});
	assert.equal(g.status, 303, textOf(g.text).slice(0, 300));
	return sid;
}
