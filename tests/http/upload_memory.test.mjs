// Upload bodies and memory (issue « Survive overload, abuse and faults »,
// « Anonymous memory »).
//
// Seen: any request with Content-Type: multipart/form-data got the 10 MiB
// upload limit and was buffered in memory before routing and
// authentication: 30 idle anonymous uploads held 300 MB.  Now the route and
// the session are checked on the headers: only an upload route, for a
// logged-in user of its role, gets the upload limit; anyone else is answered
// at once (403 on an upload route, 413 past the 1 MiB form limit) without
// the body being read; and a large body is spooled to an unlinked temporary
// file, not held in memory.  Memory is measured as the server's VmRSS
// (/proc/PID/status), not by the clock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newAdmin, newStaff, loggedIn, textOf } from '../lib/server.mjs';
import { RawConn, rssMiB } from '../lib/rawhttp.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

/** Headers of a 10 MiB multipart upload to PATH, then `sent` bytes of its body (the rest never comes). */
function halfUpload(port, path, sent, cookie = '') {
	const c = new RawConn(port);
	const head =
		`POST ${path} HTTP/1.1\r\nHost: t\r\n${cookie ? `Cookie: ${cookie}\r\n` : ''}` +
		`Content-Type: multipart/form-data; boundary=XXbound\r\nContent-Length: ${10 * MiB}\r\n\r\n` +
		`--XXbound\r\nContent-Disposition: form-data; name="fichier"; filename="a.csv"\r\n` +
		`Content-Type: text/csv\r\n\r\n`;
	// the headers, then the body unless an answer came first (a server that
	// answers early closes the connection: the rest would reset it, and the
	// answer with it)
	c.connected.then(async () => {
		c.send(head);
		for (let i = 0; i < 10 && !c.data.length && !c.closed; i++) await sleep(50);
		if (c.data.length || c.closed) return;
		const chunk = Buffer.alloc(256 * 1024, 'a');
		for (let n = 0; n < sent; n += chunk.length) c.send(chunk);
	}, () => {});
	return c;
}

async function settledRss(pid) {
	await sleep(1500);
	return rssMiB(pid);
}

describe('upload bodies and memory', () => {
	let srv, admin, staff;
	before(async () => {
		srv = await startServer({ env: { CLR_MAX_CONNS_PER_IP: '0' } });
		admin = await loggedIn(srv, await newAdmin(srv));
		staff = await loggedIn(srv, await newStaff(srv));
		// warm-up: the pages and allocator pools the measure should not count
		for (let i = 0; i < 3; i++) await admin.get('/candidats/import');
	});
	after(async () => {
		await srv.stop();
	});

	test('30 anonymous half-sent 10 MiB uploads: answered at once, not read, memory flat', async () => {
		const base = await settledRss(srv.proc.pid);
		const conns = [];
		for (let i = 0; i < 15; i++) conns.push(halfUpload(srv.port, '/candidats/import', 5 * MiB)); // an upload route
		for (let i = 0; i < 15; i++) conns.push(halfUpload(srv.port, '/connexion', 5 * MiB)); // a form route
		try {
			const rs = await Promise.all(conns.map((c) => c.response(5000)));
			const grown = rssMiB(srv.proc.pid) - base;
			assert.ok(grown < 40, `the server's RSS grew by ${grown.toFixed(0)} MiB with 30 half-sent anonymous uploads`);
			const statuses = rs.map((r) => r && r.status);
			assert.deepEqual(statuses.slice(0, 15), Array(15).fill(403), 'an anonymous upload is refused before its body');
			assert.deepEqual(statuses.slice(15), Array(15).fill(413), 'a form route keeps the 1 MiB limit, multipart or not');
		} finally {
			for (const c of conns) c.close();
		}
	});

	test('a staff session on an administrator\'s upload route is refused before its body', async () => {
		const c = halfUpload(srv.port, '/candidats/import', 2 * MiB, staff.cookieHeader());
		try {
			const r = await c.response(5000);
			assert.equal(r && r.status, 403);
		} finally {
			c.close();
		}
	});

	test('10 logged-in half-sent 8 MiB uploads are spooled to disk, not held in memory', async () => {
		const base = await settledRss(srv.proc.pid);
		const conns = [];
		for (let i = 0; i < 10; i++) conns.push(halfUpload(srv.port, '/candidats/import', 8 * MiB, admin.cookieHeader()));
		try {
			await sleep(2000);
			assert.ok(conns.every((c) => c.take() === null && !c.closed), 'a logged-in upload was answered before its end');
			const grown = (await settledRss(srv.proc.pid)) - base;
			assert.ok(grown < 40, `the server's RSS grew by ${grown.toFixed(0)} MiB with 80 MiB of uploads in flight`);
		} finally {
			for (const c of conns) c.close();
		}
		// the server goes on
		assert.equal((await admin.get('/candidats/import')).status, 200);
	});

	test('a logged-in 3 MiB upload goes through whole (the import report)', async () => {
		const header = 'Civilité;Nom;Nom de naissance;Prénom;Courriel;Date de naissance;Code postal de naissance;' +
			'Commune de naissance;Pays de naissance;Statut;Financement';
		// a 3 MiB cell: refused in the report, cut to 80 characters, which proves the whole body arrived
		const big = `${header}\r\n${'X'.repeat(3 * MiB)};Durand;;Zoé;zoe.durand@exemple.fr;14/07/1990;42000;St Etienne;France;Salarié;Compte personnel de formation (CPF)\r\n`;
		const fd = new FormData();
		fd.append('csrf', await admin.ensureCsrf('/candidats/import'));
		fd.append('fichier', new Blob([big], { type: 'text/csv' }), 'grand.csv');
		const r = await admin.request('POST', '/candidats/import', { body: fd });
		assert.equal(r.status, 200);
		assert.match(textOf(r.text), /Civilité\s*:\s*valeur\s*«\s*X{80}…\s*»/, 'the 3 MiB cell reached the parser');
	});
});
