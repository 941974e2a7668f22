/**
 * `simnav serve --demo` as a newcomer runs it (issue #4, README "Try it without hardware"): a real
 * process on a fresh SQLite file prints `demo pool key: …` and `simulator control: …` each on a
 * line of its own; the key opens a number of the simulated fleet through the pool API, an SMS sent
 * through `<control url>/sms` reaches getLastSms; a restart over the same database prints a key
 * that works again (pool keys are stored hashed, so the demo pool's key is rotated).
 * Real time, real cadence (3 s polls): each wait is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/simnav.mjs', import.meta.url));

interface Served { child: ChildProcess; panel: string; key: string; control: string; out: () => string }

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function serveDemo(db: string): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--demo', '--port', '0', '--db', `sqlite:${db}`, '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const lines = await until('the demo lines', 60_000, () => {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${out}`);
    const panel = /^simnav: listening on (http:\/\/\S+) /m.exec(out)?.[1];
    // Each on a line of its own, nothing else on it.
    const key = /^demo pool key: (\S+)$/m.exec(out)?.[1];
    const control = /^simulator control: (http:\/\/\S+)$/m.exec(out)?.[1];
    return panel && key && control ? { panel, key, control } : undefined;
  });
  return { child, ...lines, out: () => out };
}

async function stop(s: Served): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exit = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
  s.child.kill('SIGINT');
  const code = await Promise.race([exit, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref())]);
  if (code === 'hung') s.child.kill('SIGKILL');
  assert.equal(code, 0, `serve stops cleanly on SIGINT: ${s.out().slice(-2000)}`);
}

const text = async (url: string, init?: RequestInit): Promise<string> => (await fetch(url, init)).text();

test('simnav serve --demo / prints a working pool key and the control URL; openNumber, an SMS through <control>/sms, getLastSms; a restart prints a key that works', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simnav-demo-'));
  const db = join(dir, 'simnav.db');
  let s: Served | undefined;
  try {
    s = await serveDemo(db);
    const api = `${s.panel}/api/handler.php?pool_key=${encodeURIComponent(s.key)}`;
    // Cards come online once the demo aggregators have seated and registered them.
    const number = await until('openNumber to give a number', 120_000, async () => {
      const r = await text(`${api}&action=openNumber`);
      return /^7\d{10}$/.test(r) ? r : undefined;
    });
    // As the README writes it: `<simulator control>/sms` (the printed URL ends in /).
    const sent = await fetch(`${s.control}/sms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: number, from: 'Bank', text: 'Your code 482913' }) });
    assert.equal(sent.status, 200, await sent.clone().text());
    assert.equal(((await sent.json()) as { ok: boolean }).ok, true);
    const code = await until('getLastSms to give the code', 120_000, async () => {
      const r = await text(`${api}&action=getLastSms&number=${number}&code=6`);
      return r === 'NOT_FOUND' || r === 'WAIT_SMS' ? undefined : r;
    });
    assert.equal(code, '482913');
    await stop(s);

    s = await serveDemo(db);
    const status = await text(`${s.panel}/api/handler.php?pool_key=${encodeURIComponent(s.key)}&action=getPoolStatus`);
    assert.match(status, /"total":\s*[1-9]\d*/, `the key printed by the second start works: ${status}`);
    const devices = (await (await fetch(`${s.control}devices`)).json()) as { devices: unknown[] };
    assert.equal(devices.devices.length, 11, 'one aggregator of each model');
    await stop(s);
  } finally {
    if (s && s.child.exitCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
