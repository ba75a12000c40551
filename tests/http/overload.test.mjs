// Overload: more connections than the server holds (issue « Survive
// overload, abuse and faults », « no cliff past the connection limit »).
//
// Seen: past libmicrohttpd's connection limit (512) the server stopped
// serving the connections it held: their requests sat unread in the socket
// buffers while the server slept in epoll_wait() (9 requests/s with 1 000
// wrk connections).  Here, with bare keep-alive sockets (tests/lib/rawhttp.mjs):
//   - 600 connections, each sending requests at once, are all answered;
//   - with CLR_MAX_CONNS=8, 8 connections are held and keep being served
//     while the others wait in the listen backlog, the server using next to
//     no CPU meanwhile (measured in /proc/PID/stat, not by the clock), and
//     the waiting ones are served once held ones close;
//   - with CLR_MAX_CONNS_PER_IP=4, a fifth connection from one address is
//     answered 503 at once, with Retry-After and the French page, and
//     closed; a trusted proxy's connections are not counted that way.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, textOf } from '../lib/server.mjs';
import { RawConn, cpuSeconds } from '../lib/rawhttp.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* startServer() asks /healthz with fetch(), whose pool keeps that
 * connection open 4 s: the counting tests wait for it to go. */
const harnessConnGone = () => sleep(4500);

async function openAll(port, n) {
	const conns = Array.from({ length: n }, () => new RawConn(port));
	await Promise.all(conns.map((c) => c.connected));
	return conns;
}

describe('connections past the limit', () => {
	const servers = [];
	after(async () => {
		for (const s of servers) await s.stop();
	});

	test('600 connections sending at once are all answered, three times each', async () => {
		// one address here: the per-address limit (default 128) is lifted
		const s = await startServer({ env: { CLR_MAX_CONNS_PER_IP: '0' } });
		servers.push(s);
		const conns = await openAll(s.port, 600);
		try {
			for (let round = 0; round < 3; round++) {
				const t0 = Date.now();
				const rs = await Promise.all(conns.map((c) => c.get('/healthz', { timeout: 15000 })));
				const missing = rs.filter((r) => !r || r.status !== 200).length;
				assert.equal(missing, 0, `round ${round + 1}: ${missing} of 600 connections got no answer in 15 s`);
				assert.ok(Date.now() - t0 < 15000);
			}
		} finally {
			for (const c of conns) c.close();
		}
	});

	test('CLR_MAX_CONNS=8: 8 held connections are served, the others wait without spinning, then are served', async () => {
		const s = await startServer({ env: { CLR_MAX_CONNS: '8', CLR_MAX_CONNS_PER_IP: '0' } });
		servers.push(s);
		await harnessConnGone();
		const conns = await openAll(s.port, 20);
		try {
			for (const c of conns) c.send('GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
			await sleep(1500);
			const answered = conns.filter((c) => c.take() !== null);
			const waiting = conns.filter((c) => !answered.includes(c));
			assert.equal(answered.length, 8, `${answered.length} connections answered, 8 expected (CLR_MAX_CONNS=8)`);
			assert.ok(waiting.every((c) => !c.closed), 'a waiting connection was closed: it should wait in the backlog');

			// the held ones keep being served while the others wait, and
			// the waiting costs no CPU (no accept-and-close loop, no spin)
			const cpu0 = cpuSeconds(s.proc.pid);
			const t0 = Date.now();
			for (let i = 0; i < 20; i++) {
				const rs = await Promise.all(answered.map((c) => c.get('/healthz', { timeout: 5000 })));
				assert.ok(rs.every((r) => r && r.status === 200), 'a held connection was not served');
			}
			await sleep(1500);
			const cpu = cpuSeconds(s.proc.pid) - cpu0;
			const wall = (Date.now() - t0) / 1000;
			assert.ok(cpu < 0.5, `server used ${cpu.toFixed(2)} s of CPU in ${wall.toFixed(1)} s while 12 connections waited`);
			assert.ok(waiting.every((c) => c.take() === null && !c.closed), 'a connection past the limit was answered');

			// held connections close: the waiting ones are accepted and
			// served, 8 at a time
			for (const c of answered) c.close();
			let left = waiting;
			for (let turn = 0; turn < 2 && left.length; turn++) {
				const rs = await Promise.all(left.map((c) => c.response(3000).then((r) => [c, r])));
				const served = rs.filter(([, r]) => r && r.status === 200).map(([c]) => c);
				assert.equal(served.length, Math.min(8, left.length), `turn ${turn + 1}: ${served.length} waiting connections served`);
				for (const c of served) c.close();
				left = left.filter((c) => !served.includes(c));
			}
			assert.equal(left.length, 0, `${left.length} connections never served`);
		} finally {
			for (const c of conns) c.close();
		}
	});

	test('CLR_MAX_CONNS_PER_IP=4: the fifth connection from one address gets a fast 503 with Retry-After', async () => {
		const s = await startServer({ env: { CLR_MAX_CONNS_PER_IP: '4' } });
		servers.push(s);
		await harnessConnGone();
		const conns = await openAll(s.port, 6);
		try {
			await sleep(300); // all six accepted
			const rs = await Promise.all(conns.map((c) => c.get('/connexion', { timeout: 5000 })));
			const ok = rs.filter((r) => r && r.status === 200);
			const busy = rs.filter((r) => r && r.status === 503);
			assert.equal(ok.length, 4, `${ok.length} answered 200, 4 expected`);
			assert.equal(busy.length, 2, `${busy.length} answered 503, 2 expected`);
			for (const r of busy) {
				assert.ok(Number(r.headers['retry-after']) > 0, 'Retry-After missing');
				assert.equal(r.headers.connection, 'close');
				assert.match(r.headers['content-type'], /text\/html/);
				assert.match(textOf(r.body), /Trop de connexions/);
			}
			await sleep(200);
			const closed = conns.filter((c) => c.closed).length;
			assert.equal(closed, 2, 'the refused connections are closed');
			// the refusal page's stylesheet is served all the same (then closed)
			const css = /href="(\/static\/[^"]+\.css[^"]*)"/.exec(busy[0].body);
			assert.ok(css, 'the refusal page links its stylesheet');
			const extra = new RawConn(s.port);
			await extra.connected;
			await sleep(100);
			const sheet = await extra.get(css[1].replace(/&amp;/g, '&'), { timeout: 5000 });
			assert.equal(sheet?.status, 200, 'the stylesheet over the limit');
			assert.match(sheet.headers['content-type'], /text\/css/);
			assert.equal(sheet.headers.connection, 'close');
			const other = new RawConn(s.port);
			await other.connected;
			await sleep(100);
			assert.equal((await other.get('/connexion', { timeout: 5000 }))?.status, 503, 'a page over the limit is still refused');
			extra.close();
			other.close();
			// a held connection is still served, and a new one once others closed
			assert.equal((await conns.find((c) => !c.closed).get('/healthz')).status, 200);
			for (const c of conns) c.close();
			await sleep(300);
			const again = new RawConn(s.port);
			await again.connected;
			assert.equal((await again.get('/healthz')).status, 200);
			again.close();
		} finally {
			for (const c of conns) c.close();
		}
	});

	test('the connections of a trusted proxy are not limited per address', async () => {
		const s = await startServer({ env: { CLR_MAX_CONNS_PER_IP: '2', CLR_TRUSTED_PROXIES: '127.0.0.1' } });
		servers.push(s);
		const conns = await openAll(s.port, 5);
		try {
			const rs = await Promise.all(conns.map((c) => c.get('/healthz', { timeout: 5000 })));
			assert.deepEqual(rs.map((r) => r && r.status), [200, 200, 200, 200, 200]);
		} finally {
			for (const c of conns) c.close();
		}
	});

	test('the file-descriptor limit is raised to its hard limit and the connection limit logged', async () => {
		const s = await startServer();
		servers.push(s);
		const limits = readFileSync(`/proc/${s.proc.pid}/limits`, 'utf8').match(/Max open files\s+(\d+)\s+(\d+)/);
		assert.ok(limits, 'no « Max open files » line');
		assert.equal(limits[1], limits[2], 'soft limit of open files not raised to the hard limit');
		assert.match(s.stderr(), /max_conns=\d+ max_conns_per_ip=\d+/);
	});
});
