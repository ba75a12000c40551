// The back office's « Tableau de bord »: the figures staff act on.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newAdmin, newStaff, loggedIn, attr, inputValue, textOf } from '../lib/server.mjs';

/** The number shown on the dashboard tile titled `title`. */
function tile(html, title) {
	const t = textOf(html);
	const m = new RegExp(`${title} (\\d+)`).exec(t);
	assert.ok(m, `tile « ${title} » in: ${t.slice(0, 400)}`);
	return +m[1];
}

async function order(c) {
	const f = await c.get('/commandes/nouvelle');
	const fields = { idem: inputValue(f.text, 'idem') };
	for (const m of f.text.matchAll(/<input\b[^>]*>/gi))
		if ((attr(m[0], 'name') || '').startsWith('qty_')) fields[attr(m[0], 'name')] = '3';
	const r = await c.post('/commandes/nouvelle', fields);
	assert.equal(r.status, 303, 'order placed');
}

describe('back-office dashboard', () => {
	let srv, admin, staff;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Lycée Condorcet' });
		staff = await newStaff(srv);
	});
	after(async () => srv && srv.stop());

	test('counts the orders awaiting a quote and the organisations', async () => {
		const s = await loggedIn(srv, staff);
		let r = await s.get('/backoffice');
		assert.equal(r.status, 200);
		assert.equal(tile(r.text, 'Devis à envoyer'), 0);
		assert.equal(tile(r.text, 'Organisations partenaires'), 1);
		const a = await loggedIn(srv, admin);
		await order(a);
		await order(a);
		r = await s.get('/backoffice');
		assert.equal(tile(r.text, 'Devis à envoyer'), 2);
		assert.equal(tile(r.text, 'Commandes à valider'), 0);
		assert.ok(r.text.includes('href="/backoffice/commandes?statut=requested"'), 'the tile links to the filtered orders');
	});

	test('an administrator cannot see it', async () => {
		const a = await loggedIn(srv, admin);
		const r = await a.get('/backoffice');
		assert.equal(r.status, 403);
	});
});
