// Files that clr writes (the SQLite database with its -wal and -shm, the
// .eml files of the outbox, their folders) are the owner's alone: 0600 for
// files, 0700 for folders, whatever the umask of the shell that started it.
// SQLite only: these are SQLite's files, whatever backend the run is for.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, chmodSync, statSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, startServer, sanitizerReport } from '../lib/server.mjs';

const mode = (p) => (statSync(p).mode & 0o777).toString(8).padStart(3, '0');

/** Runs clr ARGS in CWD with ENV added; resolves {code, stdout, stderr}. */
function clrIn(cwd, args, env = {}) {
	return new Promise((ok) => {
		execFile(BIN, args, { cwd, env: { ...process.env, ...env }, timeout: 120000 }, (err, stdout, stderr) => {
			const rep = sanitizerReport(String(stderr));
			if (rep) throw new Error(`sanitizer report from clr ${args.join(' ')}:\n${rep}`);
			ok({ code: err ? err.code : 0, stdout: String(stdout), stderr: String(stderr) });
		});
	});
}

describe('files written by clr', () => {
	let dir, old;
	before(() => {
		old = process.umask(0o022); // the usual shell umask: without care, files 0644 and folders 0755
		dir = mkdtempSync(join(tmpdir(), 'clr-files-'));
		chmodSync(dir, 0o755);
	});
	after(() => {
		process.umask(old);
		rmSync(dir, { recursive: true, force: true });
	});

	test('the default database var/clr.db and its folder', async () => {
		const cwd = join(dir, 'default');
		mkdirSync(cwd, { mode: 0o755 });
		const r = await clrIn(cwd, ['migrate'], { CLR_DB: '' });
		assert.equal(r.code, 0, r.stderr);
		assert.equal(mode(join(cwd, 'var')), '700', 'var/');
		assert.equal(mode(join(cwd, 'var', 'clr.db')), '600', 'var/clr.db');
	});

	test('a database, its -wal and -shm while served, and the .eml files with their folders', async () => {
		const url = `sqlite:${join(dir, 'clr.db')}`;
		assert.equal((await clrIn(dir, ['migrate', '--db', url])).code, 0);
		assert.equal(mode(join(dir, 'clr.db')), '600', 'clr.db');
		const mailDir = join(dir, 'mail', 'sortant');
		const q = await clrIn(dir, ['mail', 'test', '--to', 'destinataire@example.test', '--db', url]);
		assert.equal(q.code, 0, q.stderr);
		const srv = await startServer({ db: url, env: { CLR_MAIL_DIR: mailDir } });
		try {
			for (const f of ['clr.db-wal', 'clr.db-shm'])
				assert.equal(mode(join(dir, f)), '600', f);
			for (let i = 0; i < 100 && !(existsSync(mailDir) && readdirSync(mailDir).some((f) => f.endsWith('.eml'))); i++)
				await new Promise((ok) => setTimeout(ok, 100));
			const emls = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
			assert.equal(emls.length, 1, 'the test message was delivered as a file');
			assert.equal(mode(join(dir, 'mail')), '700', 'mail/');
			assert.equal(mode(mailDir), '700', 'mail/sortant/');
			assert.equal(mode(join(mailDir, emls[0])), '600', emls[0]);
		} finally {
			await srv.stop();
		}
	});
});
