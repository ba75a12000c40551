// rawhttp.mjs - keep-alive HTTP/1.1 connections over bare sockets, for the
// tests that count connections (tests/http/overload.test.mjs): fetch() pools
// and hides them.  One request at a time per connection; responses are read
// by their Content-Length (libmicrohttpd sends one for every page).
import net from 'node:net';
import { readFileSync } from 'node:fs';

export class RawConn {
	constructor(port, host = '127.0.0.1') {
		this.sock = net.connect({ port, host });
		this.sock.setNoDelay(true);
		this.data = Buffer.alloc(0);
		this.closed = false;
		this.waiter = null;
		this.connected = new Promise((ok, ko) => {
			this.sock.once('connect', ok);
			this.sock.once('error', ko);
		});
		this.sock.on('data', (d) => {
			this.data = Buffer.concat([this.data, d]);
			this.wake();
		});
		this.sock.on('error', () => {});
		this.sock.on('close', () => {
			this.closed = true;
			this.wake();
		});
	}

	wake() {
		const w = this.waiter;
		this.waiter = null;
		if (w) w();
	}

	/** One parsed response {status, headers, body} if complete, else null. */
	take() {
		const end = this.data.indexOf('\r\n\r\n');
		if (end < 0) return null;
		const head = this.data.subarray(0, end).toString('latin1').split('\r\n');
		const status = Number(head[0].split(' ')[1]);
		const headers = {};
		for (const l of head.slice(1)) {
			const i = l.indexOf(':');
			headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
		}
		const len = Number(headers['content-length'] || 0);
		if (this.data.length < end + 4 + len) return null;
		const body = this.data.subarray(end + 4, end + 4 + len).toString('utf8');
		this.data = this.data.subarray(end + 4 + len);
		return { status, headers, body };
	}

	/** Sends the request (a string or a Buffer) without waiting for its answer. */
	send(raw) {
		this.sock.write(raw);
	}

	/** The next response, or null when the connection closes or TIMEOUT ms pass first. */
	async response(timeout = 10000) {
		const deadline = Date.now() + timeout;
		for (;;) {
			const r = this.take();
			if (r) return r;
			if (this.closed) return null;
			const left = deadline - Date.now();
			if (left <= 0) return null;
			await new Promise((ok) => {
				this.waiter = ok;
				setTimeout(ok, left).unref();
			});
		}
	}

	async get(path, { timeout = 10000, headers = '' } = {}) {
		this.send(`GET ${path} HTTP/1.1\r\nHost: t\r\n${headers}\r\n`);
		return this.response(timeout);
	}

	close() {
		this.sock.destroy();
	}
}

/** User + system CPU time of process PID so far, in seconds (/proc/PID/stat). */
export function cpuSeconds(pid) {
	const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
	return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Resident memory of process PID in MiB (VmRSS of /proc/PID/status). */
export function rssMiB(pid) {
	const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
	return m ? Number(m[1]) / 1024 : 0;
}
