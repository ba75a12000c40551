// « Mes commandes » (issue 4): catalogue, order form and totals, idempotent
// submission, bad input, tenant isolation, the back office (quote, validate
// once, cancel, stock correction, prices), the stock ledger under
// contention (200 `clr stock consume` processes; 200 HTTP corrections over
// two `clr serve` processes on one database), and the CLI.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
	startServer, newAdmin, newStaff, loggedIn, textOf, inputValue, inputTag, attr, forms, clr, run, BIN, PG_URL,
} from '../lib/server.mjs';

const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const page = (r) => norm(textOf(r.text));
const TRANSMITTED = 'Votre commande a été transmise à notre service commercial, qui vous enverra un devis.';

/** Run SQL against the test database (sqlite3 or psql); rows as arrays of strings. */
async function sql(dbUrl, query) {
	const r = dbUrl.startsWith('sqlite:')
		? await run('sqlite3', ['-separator', '\t', dbUrl.slice(7), query])
		: await run('psql', ['-X', '-q', '-t', '-A', '-F', '\t', '-d', dbUrl, '-c', query]);
	if (r.code !== 0) throw new Error(`sql failed: ${query}\n${r.stderr}`);
	return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}
const count = async (dbUrl, q) => +(await sql(dbUrl, q))[0][0];

/** The order form's product ids by reference, and its hidden token. */
async function orderForm(c) {
	const r = await c.get('/commandes/nouvelle');
	assert.equal(r.status, 200);
	const ids = {};
	for (const m of r.text.matchAll(/<input\b[^>]*>/gi)) {
		const name = attr(m[0], 'name') || '';
		if (name.startsWith('qty_')) ids[attr(m[0], 'aria-label')] = name;
	}
	return { r, ids, idem: inputValue(r.text, 'idem') };
}

const CLR = 'Quantité Partenaire / centre agréé';
const LAPOSTE = 'Quantité Partenaire / La Poste';

/** Places an order of (a, b) credits; returns {status, id, location}. */
async function placeOrder(c, a, b, extra = {}) {
	const f = await orderForm(c);
	const fields = { idem: f.idem, [f.ids[CLR]]: String(a), [f.ids[LAPOSTE]]: String(b), ...extra };
	const r = await c.post('/commandes/nouvelle', fields);
	const loc = r.headers.get('location') || '';
	const m = /^\/commandes\/(\d+)$/.exec(loc);
	return { r, status: r.status, id: m ? +m[1] : null, location: loc, form: f, fields };
}

async function stockOf(c) {
	const t = page(await c.get('/accueil'));
	const m = /Certifications restantes (\d+) (\d+) Partenaire \/ centre agréé (\d+) Partenaire \/ La Poste/.exec(t);
	assert.ok(m, `stock tile in: ${t.slice(0, 400)}`);
	return { total: +m[1], clr: +m[2], laposte: +m[3] };
}

describe('orders', () => {
	let srv, admin, other, staff;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv, { org: 'Lycée Victor-Hugo' });
		other = await newAdmin(srv, { org: 'Institut Pasteur de formation' });
		staff = await newStaff(srv);
	});
	after(async () => srv && srv.stop());

	test('the order form has the seed table, per-product labels, a hidden token and csrf', async () => {
		const c = await loggedIn(srv, admin);
		const { r, ids, idem } = await orderForm(c);
		const t = page(r);
		for (const h of ['Nom', 'Type', 'Référence', 'Prix unit. (H.T.)', 'Quantité', 'Montant', 'Sous-total (H.T.)', 'T.V.A.', 'Total (T.T.C.)'])
			assert.ok(t.includes(h), `header « ${h} »`);
		for (const s of ['Certification Le Robert', 'PART-CLR-EXAMEN', 'PART-LAPOSTE-EXAMEN', '71,00 €', '100,00 €', 'Retour', 'Commander'])
			assert.ok(t.includes(s), `text « ${s} »`);
		assert.ok(ids[CLR] && ids[LAPOSTE], 'a quantity field per product, labelled');
		assert.equal(attr(inputTag(r.text, ids[CLR]), 'type'), 'number');
		assert.ok(idem && idem.length >= 32, 'hidden idempotency token');
		const f = forms(r.text).find((x) => x.action === '/commandes/nouvelle');
		assert.ok(f && inputValue(f.body, 'csrf'), 'csrf in the order form');
		assert.ok(/data-qty-step="-1"/.test(r.text) && /data-qty-step="1"/.test(r.text), '− and + buttons');
		const { idem: idem2 } = await orderForm(c);
		assert.notEqual(idem, idem2, 'a fresh token per form');
	});

	let orderId;
	test('ordering 10 + 10: stored with server-computed totals, e-mails queued, message shown', async () => {
		const c = await loggedIn(srv, admin);
		const before = await count(srv.dbUrl, "SELECT COUNT(*) FROM outbox WHERE kind LIKE 'order.%'");
		const o = await placeOrder(c, 10, 10, { total: '1', subtotal: '1' });
		assert.equal(o.status, 303, page(o.r).slice(0, 300));
		assert.ok(o.id, `redirect to the order: ${o.location}`);
		orderId = o.id;
		const p = await c.get(o.location);
		assert.equal(p.status, 200);
		const t = page(p);
		assert.ok(t.includes(TRANSMITTED), 'confirmation message');
		for (const s of ['710,00 €', '1 000,00 €', '1 710,00 €', '342,00 €', '2 052,00 €', 'Demandée', 'Annuler la commande'])
			assert.ok(t.includes(s), `« ${s} » on the order page`);
		assert.match(t, /Commande CMD-\d{4}-\d{6}/);
		const [row] = await sql(srv.dbUrl, `SELECT subtotal_cents, vat_cents, total_cents, vat_bp, status FROM orders WHERE id = ${o.id}`);
		assert.deepEqual(row, ['171000', '34200', '205200', '2000', 'requested']);
		const lines = await sql(srv.dbUrl, `SELECT reference, unit_price_cents, quantity, amount_cents FROM order_lines WHERE order_id = ${o.id} ORDER BY reference`);
		assert.deepEqual(lines, [['PART-CLR-EXAMEN', '7100', '10', '71000'], ['PART-LAPOSTE-EXAMEN', '10000', '10', '100000']]);
		const mails = await sql(srv.dbUrl, `SELECT kind, recipient FROM outbox WHERE kind LIKE 'order.%' ORDER BY id`);
		assert.equal(mails.length - before, 2, 'two e-mails');
		const last = mails.slice(-2);
		assert.deepEqual(last[0], ['order.sales', 'ventes@certification-lerobert.test']);
		assert.deepEqual(last[1], ['order.confirmation', admin.email]);
		const [[subject]] = await sql(srv.dbUrl, `SELECT subject FROM outbox WHERE kind = 'order.sales' ORDER BY id DESC LIMIT 1`);
		assert.match(subject, /^Nouvelle commande CMD-\d{4}-\d{6} — Lycée Victor-Hugo$/, 'the sales mail names the order and the organisation');
		const [[len]] = await sql(srv.dbUrl, `SELECT LENGTH(message) FROM outbox WHERE kind = 'order.sales' ORDER BY id DESC LIMIT 1`);
		assert.ok(+len > 500, 'with a body');
		const list = page(await c.get('/commandes'));
		assert.ok(list.includes('2 052,00 €') && list.includes('Demandée'), 'the list shows total and status');
		assert.match(list, /\d{2}\/\d{2}\/\d{4}/, 'date jj/mm/aaaa');
		assert.ok(list.includes('10 × Partenaire / centre agréé'), 'lines summary');
	});

	test('a resent or double-clicked form never makes two orders', async () => {
		const c = await loggedIn(srv, admin);
		const o = await placeOrder(c, 1, 0);
		assert.equal(o.status, 303);
		const n1 = await count(srv.dbUrl, 'SELECT COUNT(*) FROM orders');
		const again = await c.post('/commandes/nouvelle', o.fields);
		assert.equal(again.status, 303);
		assert.equal(again.headers.get('location'), o.location, 'the same order');
		// two at the same moment
		const f = await orderForm(c);
		const fields = { idem: f.idem, [f.ids[CLR]]: '2', [f.ids[LAPOSTE]]: '0' };
		const rs = await Promise.all([1, 2, 3].map(() => c.post('/commandes/nouvelle', fields)));
		for (const r of rs) assert.equal(r.status, 303);
		assert.equal(new Set(rs.map((r) => r.headers.get('location'))).size, 1, 'one order for three posts');
		assert.equal(await count(srv.dbUrl, 'SELECT COUNT(*) FROM orders'), n1 + 1);
	});

	const bad = [
		['decimal quantity', { clr: '1.5', laposte: '0' }, 'La quantité doit être un nombre entier.'],
		['text quantity', { clr: 'dix', laposte: '0' }, 'La quantité doit être un nombre entier.'],
		['negative quantity', { clr: '-3', laposte: '1' }, 'La quantité ne peut pas être négative.'],
		['all zero', { clr: '0', laposte: '0' }, 'Indiquez une quantité d’au moins une certification.'],
		['above 10 000', { clr: '10001', laposte: '0' }, 'La quantité ne peut dépasser 10 000 par ligne.'],
		['huge number', { clr: '99999999999999999999999', laposte: '0' }, 'La quantité ne peut dépasser 10 000 par ligne.'],
		['unknown product', { clr: '1', laposte: '0', extra: { qty_999999: '5' } }, 'Produit inconnu'],
		['missing token', { clr: '1', laposte: '0', extra: { idem: '' } }, 'Ce formulaire a expiré'],
	];
	for (const [what, q, msg] of bad) {
		test(`bad input (${what}): 422, French message, values kept, nothing stored`, async () => {
			const c = await loggedIn(srv, admin);
			const n = await count(srv.dbUrl, 'SELECT COUNT(*) FROM orders');
			const m = await count(srv.dbUrl, 'SELECT COUNT(*) FROM outbox');
			const f = await orderForm(c);
			const fields = { idem: f.idem, [f.ids[CLR]]: q.clr, [f.ids[LAPOSTE]]: q.laposte, ...(q.extra || {}) };
			const r = await c.post('/commandes/nouvelle', fields);
			assert.equal(r.status, 422, page(r).slice(0, 300));
			assert.ok(norm(page(r)).includes(norm(msg)), `message « ${msg} » in ${page(r).slice(0, 600)}`);
			if (!q.extra) assert.equal(inputValue(r.text, f.ids[CLR]), q.clr, 'typed value kept');
			assert.equal(await count(srv.dbUrl, 'SELECT COUNT(*) FROM orders'), n);
			assert.equal(await count(srv.dbUrl, 'SELECT COUNT(*) FROM outbox'), m);
		});
	}

	test('a POST without the CSRF token is refused (403) and stores nothing', async () => {
		const c = await loggedIn(srv, admin);
		const n = await count(srv.dbUrl, 'SELECT COUNT(*) FROM orders');
		const f = await orderForm(c);
		const r = await c.post('/commandes/nouvelle', { idem: f.idem, [f.ids[CLR]]: '1' }, { csrf: false });
		assert.equal(r.status, 403);
		const r2 = await c.post(`/commandes/${orderId}/annuler`, {}, { csrf: false });
		assert.equal(r2.status, 403);
		assert.equal(await count(srv.dbUrl, 'SELECT COUNT(*) FROM orders'), n);
		assert.equal((await sql(srv.dbUrl, `SELECT status FROM orders WHERE id = ${orderId}`))[0][0], 'requested');
	});

	test('another organisation’s order is a 404 and cannot be cancelled', async () => {
		const c = await loggedIn(srv, other);
		assert.equal((await c.get(`/commandes/${orderId}`)).status, 404);
		assert.equal((await c.post(`/commandes/${orderId}/annuler`, {})).status, 404);
		assert.equal((await c.get('/commandes/999999')).status, 404);
		assert.equal((await c.get('/commandes/abc')).status, 404);
		assert.ok(!page(await c.get('/commandes')).includes('2 052,00 €'), 'not in their list');
		assert.equal((await sql(srv.dbUrl, `SELECT status FROM orders WHERE id = ${orderId}`))[0][0], 'requested');
	});

	test('roles: administrators stay out of the back office, staff out of « Mes commandes »', async () => {
		const a = await loggedIn(srv, admin);
		for (const p of ['/backoffice/commandes', '/backoffice/organisations', '/backoffice/produits'])
			assert.equal((await a.get(p)).status, 403, p);
		assert.equal((await a.post(`/backoffice/commandes/${orderId}/valider`, {})).status, 403);
		const s = await loggedIn(srv, staff);
		assert.equal((await s.get('/commandes')).status, 403);
	});

	test('the administrator cancels a pending order, not a validated one', async () => {
		const c = await loggedIn(srv, admin);
		const o = await placeOrder(c, 3, 0);
		let r = await c.post(`/commandes/${o.id}/annuler`, {});
		assert.equal(r.status, 303);
		let t = page(await c.get(`/commandes/${o.id}`));
		assert.ok(t.includes('Annulée') && t.includes('La commande a été annulée.'));
		assert.ok(!t.includes('Annuler la commande'), 'no cancel button any more');
		r = await c.post(`/commandes/${o.id}/annuler`, {});
		assert.equal(r.status, 303);
		t = page(await c.get(`/commandes/${o.id}`));
		assert.ok(t.includes('Cette commande ne peut plus être annulée.'));
		// staff cannot validate a cancelled order
		const s = await loggedIn(srv, staff);
		await s.post(`/backoffice/commandes/${o.id}/valider`, {});
		assert.equal((await sql(srv.dbUrl, `SELECT status FROM orders WHERE id = ${o.id}`))[0][0], 'cancelled');
		assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM stock_movements WHERE order_id = ${o.id}`), 0);
	});

	test('back office: list and filters, quote, validate credits the stock exactly once', async () => {
		const s = await loggedIn(srv, staff);
		const a = await loggedIn(srv, admin);
		const before = await stockOf(a);
		let t = page(await s.get('/backoffice/commandes'));
		assert.ok(t.includes('Lycée Victor-Hugo') && t.includes('2 052,00 €'));
		const orgId = (await sql(srv.dbUrl, "SELECT id FROM organisations WHERE name = 'Institut Pasteur de formation'"))[0][0];
		t = page(await s.get(`/backoffice/commandes?organisation=${orgId}`));
		assert.ok(!t.includes('2 052,00 €'), 'filtered by organisation');
		t = page(await s.get('/backoffice/commandes?statut=cancelled'));
		assert.ok(!t.includes('2 052,00 €') && t.includes('Annulée'), 'filtered by status');
		t = page(await s.get('/backoffice/commandes?statut=requested'));
		assert.ok(t.includes('2 052,00 €'));

		let r = await s.post(`/backoffice/commandes/${orderId}/devis`, { quote_ref: 'DEV-2026-0099' });
		assert.equal(r.status, 303);
		t = page(await s.get(`/backoffice/commandes/${orderId}`));
		assert.ok(t.includes('Devis envoyé') && t.includes('DEV-2026-0099'));
		assert.ok(page(await a.get(`/commandes/${orderId}`)).includes('Devis envoyé'), 'the administrator sees it');

		r = await s.post(`/backoffice/commandes/${orderId}/valider`, {});
		assert.equal(r.status, 303);
		t = page(await s.get(`/backoffice/commandes/${orderId}`));
		assert.ok(t.includes('Validée') && t.includes('le stock de l’organisation a été crédité'));
		let after = await stockOf(a);
		assert.deepEqual(after, { total: before.total + 20, clr: before.clr + 10, laposte: before.laposte + 10 });
		// clicked again, and twice at once: nothing more
		await s.post(`/backoffice/commandes/${orderId}/valider`, {});
		await Promise.all([s.post(`/backoffice/commandes/${orderId}/valider`, {}), s.post(`/backoffice/commandes/${orderId}/valider`, {})]);
		after = await stockOf(a);
		assert.equal(after.total, before.total + 20, 'credited once');
		assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM stock_movements WHERE order_id = ${orderId}`), 2);
		// validated orders cannot be cancelled
		await s.post(`/backoffice/commandes/${orderId}/annuler`, {});
		await a.post(`/commandes/${orderId}/annuler`, {});
		assert.equal((await sql(srv.dbUrl, `SELECT status FROM orders WHERE id = ${orderId}`))[0][0], 'validated');
		// the ledger page
		t = page(await a.get('/commandes/stock'));
		assert.match(t, /Commande CMD-\d{4}-\d{6} validée/);
		assert.ok(t.includes('+10'));
	});

	test('two staff validating the same order at the same moment credit it once', async () => {
		const a = await loggedIn(srv, admin);
		const o = await placeOrder(a, 4, 6);
		const before = await stockOf(a);
		const staff2 = await newStaff(srv);
		const s1 = await loggedIn(srv, staff);
		const s2 = await loggedIn(srv, staff2);
		await s1.get(`/backoffice/commandes/${o.id}`);
		await s2.get(`/backoffice/commandes/${o.id}`);
		const rs = await Promise.all([...Array(6)].map((_, i) => (i % 2 ? s1 : s2).post(`/backoffice/commandes/${o.id}/valider`, {})));
		for (const r of rs) assert.equal(r.status, 303);
		const after = await stockOf(a);
		assert.deepEqual(after, { total: before.total + 10, clr: before.clr + 4, laposte: before.laposte + 6 });
		assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM stock_movements WHERE order_id = ${o.id}`), 2);
		assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM audit_log WHERE action = 'order.validate' AND object_id = ${o.id}`), 1);
	});

	test('staff: organisations with their stock, manual correction with a mandatory reason', async () => {
		const s = await loggedIn(srv, staff);
		const orgId = (await sql(srv.dbUrl, "SELECT id FROM organisations WHERE name = 'Institut Pasteur de formation'"))[0][0];
		let t = page(await s.get('/backoffice/organisations'));
		assert.ok(t.includes('Institut Pasteur de formation') && t.includes('Lycée Victor-Hugo'));
		await s.get(`/backoffice/organisations/${orgId}`);
		let r = await s.post(`/backoffice/organisations/${orgId}/stock`, { product: 'PART-CLR-EXAMEN', delta: '5', reason: '' });
		assert.equal(r.status, 422);
		assert.ok(page(r).includes('Le motif est obligatoire.'));
		r = await s.post(`/backoffice/organisations/${orgId}/stock`, { product: 'PART-CLR-EXAMEN', delta: '1,5', reason: 'x' });
		assert.equal(r.status, 422);
		r = await s.post(`/backoffice/organisations/${orgId}/stock`, { product: 'NOPE', delta: '1', reason: 'x' });
		assert.equal(r.status, 422);
		assert.ok(page(r).includes('Produit inconnu.'));
		r = await s.post(`/backoffice/organisations/${orgId}/stock`, { product: 'PART-CLR-EXAMEN', delta: '-1', reason: 'Erreur' });
		assert.equal(r.status, 422, 'cannot go negative');
		assert.ok(page(r).includes('Le stock ne peut pas devenir négatif'));
		assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM stock_movements WHERE org_id = ${orgId}`), 0);
		r = await s.post(`/backoffice/organisations/${orgId}/stock`, { product: 'PART-LAPOSTE-EXAMEN', delta: '+7', reason: 'Geste commercial' });
		assert.equal(r.status, 303);
		r = await s.post(`/backoffice/organisations/${orgId}/stock`, { product: 'PART-LAPOSTE-EXAMEN', delta: '-2', reason: 'Doublon' });
		assert.equal(r.status, 303);
		t = page(await s.get(`/backoffice/organisations/${orgId}`));
		assert.ok(t.includes('Le stock a été corrigé.') && t.includes('Geste commercial') && t.includes('Doublon'));
		const o = await loggedIn(srv, other);
		assert.deepEqual(await stockOf(o), { total: 5, clr: 0, laposte: 5 });
		assert.equal((await s.get('/backoffice/organisations/999999')).status, 404);
	});

	test('staff change a price: new orders use it, existing orders keep theirs', async () => {
		const s = await loggedIn(srv, staff);
		const pid = (await sql(srv.dbUrl, "SELECT id FROM products WHERE reference = 'PART-CLR-EXAMEN'"))[0][0];
		await s.get('/backoffice/produits');
		let r = await s.post(`/backoffice/produits/${pid}`, { name: 'Certification Le Robert', type_label: 'Partenaire / centre agréé', price: 'abc', proctoring: 'partner', active: '1' });
		assert.equal(r.status, 422);
		r = await s.post(`/backoffice/produits/${pid}`, { name: 'Certification Le Robert', type_label: 'Partenaire / centre agréé', price: '75,50', proctoring: 'partner', active: '1' });
		assert.equal(r.status, 303);
		const a = await loggedIn(srv, admin);
		assert.ok(page(await a.get('/commandes/nouvelle')).includes('75,50 €'));
		const o = await placeOrder(a, 2, 0);
		assert.ok(page(await a.get(`/commandes/${o.id}`)).includes('151,00 €'));
		assert.ok(page(await a.get(`/commandes/${orderId}`)).includes('1 710,00 €'), 'the old order keeps 71,00 €');
		// add a product
		r = await s.post('/backoffice/produits', { reference: 'PART-TEST', name: 'Certification Le Robert', type_label: 'Essai', price: '10', proctoring: 'partner' });
		assert.equal(r.status, 303);
		r = await s.post('/backoffice/produits', { reference: 'PART-TEST', name: 'X', type_label: 'Y', price: '10', proctoring: 'partner' });
		assert.equal(r.status, 422);
		assert.ok(page(r).includes('Cette référence existe déjà.'));
		// put things back for the other tests
		await s.post(`/backoffice/produits/${pid}`, { name: 'Certification Le Robert', type_label: 'Partenaire / centre agréé', price: '71,00', proctoring: 'partner', active: '1' });
		const tid = (await sql(srv.dbUrl, "SELECT id FROM products WHERE reference = 'PART-TEST'"))[0][0];
		await s.post(`/backoffice/produits/${tid}`, { name: 'Certification Le Robert', type_label: 'Essai', price: '10', proctoring: 'partner' });
		assert.ok(!page(await a.get('/commandes/nouvelle')).includes('Essai'), 'retired product not offered');
	});

	test('CLI: order list, order validate (once), stock show, stock credit', async () => {
		const a = await loggedIn(srv, admin);
		const o = await placeOrder(a, 1, 1);
		let r = await clr(['order', 'list', '--db', srv.dbUrl, '--status', 'requested']);
		assert.match(r.stdout, new RegExp(`^${o.id}\\tCMD-`, 'm'));
		r = await clr(['order', 'validate', String(o.id), '--db', srv.dbUrl]);
		assert.match(r.stdout, /validated/);
		r = await clr(['order', 'validate', String(o.id), '--db', srv.dbUrl]);
		assert.match(r.stdout, /already validated/);
		assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM stock_movements WHERE order_id = ${o.id}`), 2);
		r = await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', 'Lycée Victor-Hugo', '--product', 'PART-CLR-EXAMEN', '--qty', '3', '--reason', 'Avoir']);
		r = await clr(['stock', 'show', '--db', srv.dbUrl, '--org', 'Lycée Victor-Hugo']);
		const st = await stockOf(a);
		assert.match(r.stdout, new RegExp(`^PART-CLR-EXAMEN\\t[^\\t]*\\t${st.clr}$`, 'm'));
		assert.match(r.stdout, /Avoir/);
		for (const args of [['order', '--help'], ['stock', '--help']]) assert.equal((await clr(args)).code, 0);
		r = await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', 'Lycée Victor-Hugo', '--product', 'PART-CLR-EXAMEN', '--qty', '-3', '--reason', 'x'], { allowFail: true });
		assert.equal(r.code, 2);
		r = await clr(['stock', 'show', '--db', srv.dbUrl, '--org', 'Personne'], { allowFail: true });
		assert.equal(r.code, 1);
		r = await clr(['order', 'validate', '999999', '--db', srv.dbUrl], { allowFail: true });
		assert.equal(r.code, 1);
	});
});

/** Runs `clr ARGS` n times at once; resolves to the exit codes. */
function parallel(n, args) {
	return Promise.all([...Array(n)].map(() => new Promise((ok) => {
		const p = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		p.stderr.on('data', (d) => (err += d));
		p.on('exit', (code) => ok({ code, err }));
	})));
}

describe('stock under contention', () => {
	let srv;
	before(async () => {
		srv = await startServer();
	});
	after(async () => srv && srv.stop());

	test('200 concurrent `clr stock consume` processes for 10 credits: exactly 10 succeed', async () => {
		const org = 'Course aux crédits';
		await newAdmin(srv, { org });
		await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', org, '--product', 'PART-CLR-EXAMEN', '--qty', '10', '--reason', 'Course']);
		const res = await parallel(200, ['stock', 'consume', '--db', srv.dbUrl, '--org', org, '--product', 'PART-CLR-EXAMEN', '--qty', '1']);
		const codes = res.map((r) => r.code);
		const weird = res.filter((r) => r.code !== 0 && r.code !== 3);
		assert.equal(weird.length, 0, `unexpected failures: ${weird.slice(0, 3).map((r) => r.err).join('\n')}`);
		assert.equal(codes.filter((c) => c === 0).length, 10);
		assert.equal(codes.filter((c) => c === 3).length, 190);
		const orgId = (await sql(srv.dbUrl, `SELECT id FROM organisations WHERE name = '${org}'`))[0][0];
		assert.equal(await count(srv.dbUrl, `SELECT COALESCE(SUM(qty), 0) FROM stock_balances WHERE org_id = ${orgId}`), 0);
		assert.equal(await count(srv.dbUrl, `SELECT COALESCE(SUM(qty), 0) FROM stock_movements WHERE org_id = ${orgId}`), 0);
		assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM stock_movements WHERE org_id = ${orgId} AND qty < 0`), 10);
	});

	test('200 concurrent HTTP withdrawals of 1 credit over two `clr serve` processes on one database: exactly 10 succeed', async () => {
		// The consume path over HTTP is the back office's manual correction
		// (a negative quantity goes through stock_consume).
		const srv2 = await startServer({ db: srv.dbUrl });
		try {
			const org = 'Course HTTP';
			await newAdmin(srv, { org });
			const orgId = (await sql(srv.dbUrl, `SELECT id FROM organisations WHERE name = '${org}'`))[0][0];
			await clr(['stock', 'credit', '--db', srv.dbUrl, '--org', org, '--product', 'PART-LAPOSTE-EXAMEN', '--qty', '10', '--reason', 'Course']);
			const staff = await newStaff(srv);
			const clients = [];
			for (const s of [srv, srv2, srv, srv2]) {
				const c = await loggedIn(s, staff);
				await c.get(`/backoffice/organisations/${orgId}`);
				clients.push(c);
			}
			const rs = await Promise.all([...Array(200)].map((_, i) =>
				clients[i % 4].post(`/backoffice/organisations/${orgId}/stock`, { product: 'PART-LAPOSTE-EXAMEN', delta: '-1', reason: `Retrait ${i}` })));
			const st = rs.map((r) => r.status);
			assert.equal(st.filter((x) => x === 303).length, 10, `statuses: ${[...new Set(st)]}`);
			assert.equal(st.filter((x) => x === 422).length, 190);
			assert.equal(await count(srv.dbUrl, `SELECT COALESCE(SUM(qty), 0) FROM stock_balances WHERE org_id = ${orgId}`), 0);
			assert.equal(await count(srv.dbUrl, `SELECT COUNT(*) FROM stock_movements WHERE org_id = ${orgId} AND qty < 0`), 10);
		} finally {
			await srv2.stop();
		}
	});
});
