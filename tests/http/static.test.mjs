// Static assets: fingerprinted links, long cache, ETag / 304, no escape from static/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, newAdmin, loggedIn } from '../lib/server.mjs';

describe('static files', () => {
	let srv, admin;
	before(async () => {
		srv = await startServer();
		admin = await newAdmin(srv);
	});
	after(async () => srv && srv.stop());

	const cssHref = (html) => {
		const m = /<link\b[^>]*href="(\/static\/app\.css\?v=[^"]+)"/i.exec(html);
		return m ? m[1].replace(/&amp;/g, '&') : null;
	};

	test('pages link /static/app.css?v=<hash>', async () => {
		const anon = await new Client(srv.url).get('/connexion');
		const href = cssHref(anon.text);
		assert.ok(href, 'login page links the stylesheet with a version');
		assert.match(href, /\?v=[0-9A-Za-z_-]{6,}$/);
		const c = await loggedIn(srv, admin);
		assert.equal(cssHref((await c.get('/accueil')).text), href, 'same version on every page');
	});

	test('the stylesheet is served with a long cache, an ETag and 304', async () => {
		const anon = await new Client(srv.url).get('/connexion');
		const href = cssHref(anon.text);
		for (const path of [href, '/static/app.css']) {
			const r = await fetch(srv.url + path);
			assert.equal(r.status, 200, path);
			assert.match(r.headers.get('content-type') || '', /^text\/css/, `${path}: text/css`);
			const cc = r.headers.get('cache-control') || '';
			assert.match(cc, /max-age=31536000/, `${path}: ${cc}`);
			assert.match(cc, /immutable/, `${path}: ${cc}`);
			assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
			const etag = r.headers.get('etag');
			assert.ok(etag, `${path}: ETag`);
			const body = await r.text();
			assert.ok(body.length > 0, 'a non-empty stylesheet');
			assert.equal(r.headers.get('content-length'), String(Buffer.byteLength(body)));
			const again = await fetch(srv.url + path, { headers: { 'if-none-match': etag } });
			assert.equal(again.status, 304, `${path}: If-None-Match -> 304`);
			assert.equal(await again.text(), '');
			const other = await fetch(srv.url + path, { headers: { 'if-none-match': '"autre-chose"' } });
			assert.equal(other.status, 200, `${path}: another ETag -> 200`);
			await other.text();
		}
	});

	test('unknown static files and escapes from static/: 404', async () => {
		for (const p of ['/static/nope.css', '/static/app.css.bak', '/static/', '/static/../Makefile',
			'/static/%2e%2e/Makefile', '/static/..%2fMakefile', '/static/%2e%2e%2fmigrations', '/static/app.css%00.png']) {
			const r = await new Client(srv.url).get(p);
			assert.ok([400, 404].includes(r.status), `GET ${p}: ${r.status}`);
			assert.doesNotMatch(r.text, /CREATE TABLE|^CC\s*\?=/m, `${p}: no file from outside static/`);
		}
		const r = await fetch(`${srv.url}/static/nope.css`);
		assert.equal(r.status, 404);
	});
});
