/**
 * Crash safety (issue #5): `simnav serve` is killed with SIGKILL while SMS are flowing, then
 * started again on the same database; every SMS the network delivered must be in the store
 * exactly once. Real processes, real clock (fast device timings), real HTTP on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createTestStore } from '../../src/store/testing.ts';
import { createPoolService } from '../../src/domain/pools/service.ts';
import { realClock } from '../../src/lib/clock.ts';
import { parseFleet } from '../../src/sim/fleet.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import { addAggregator, addCard } from './support/world.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SIMS = [{ place: 'A1', number: '79266000001' }, { place: 'C2', number: '79266000002' }];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

function serve(db: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [`${ROOT}bin/simnav.mjs`, 'serve', '--db', db, '--port', String(port), '--log-level', 'silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('listening on')) { clearTimeout(t); resolve(child); } });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`serve exited ${code}: ${out}`)); });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await cond().catch(() => false)) return true; await sleep(200); }
  return cond().catch(() => false);
}

test('e2e / crash safety: SIGKILL simnav serve while SMS flow, restart → every SMS stored exactly once', { timeout: 240_000 }, async () => {
  const store = await createTestStore('sqlite');
  const agg = await addAggregator(store, 'SR-Board', '6000000001');
  const cards = [];
  for (const s of SIMS) cards.push(await addCard(store, agg, 'sr-board', s.place, { number: s.number }));
  const pool = await createPoolService({ store, clock: realClock() }).create({ title: 'crash', cardIds: cards });
  assert.ok(pool.ok);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let panel = await serve(store.url, port);
  const fleet = parseFleet({
    seed: 3,
    timings: { device: { pollMs: 300, jitterMs: 50, rebootMs: 500 }, modem: { bootMs: 300, searchMs: 100, registerMs: 300, replyMs: 50, ussdMs: 300 }, mechanics: { bankSwitchMs: 100, contactMs: 50 } },
    devices: [{ id: 'b', model: 'sr-board', token: '6000000001', sims: SIMS.map((s) => ({ place: s.place, operator: 'mts', msisdn: s.number })) }],
  });
  assert.ok(fleet.ok);
  const sim = new Simulator({ fleet: fleet.value, panelUrl: `${base}/sr/` });
  sim.start();
  const api = async (p: Record<string, string>) => (await fetch(`${base}/api/handler.php?${new URLSearchParams({ pool_key: pool.value.key, ...p })}`)).text();
  const texts: string[] = [];
  const send = (i: number) => {
    const text = `crash test message ${i}`;
    assert.ok(sim.sendSms({ to: SIMS[i % 2]!.number, from: `+7999111${String(i).padStart(4, '0')}`, text }).ok);
    texts.push(text);
  };
  try {
    const opened = JSON.parse(await api({ action: 'openNumbers', channels: 'max' })) as { total: number; numbers: string };
    assert.equal(opened.total, 2);
    assert.ok(await until(async () => (JSON.parse(await api({ action: 'getSimStatus', number: opened.numbers })) as Array<{ status: string }>).every((s) => s.status.startsWith('WAIT_SMS')), 60_000), 'registered');
    for (let i = 0; i < 15; i++) { send(i); await sleep(60 + (i % 4) * 40); }
    panel.kill('SIGKILL');
    await new Promise((r) => panel.once('exit', r));
    for (let i = 15; i < 25; i++) { send(i); await sleep(50); }
    panel = await serve(store.url, port);
    for (let i = 25; i < 40; i++) { send(i); await sleep(60 + (i % 3) * 50); }
    const count = async () => Number((await store.db.selectFrom('sms').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    assert.ok(await until(async () => (await count()) >= 40, 90_000), `stored ${await count()} of 40`);
    await sleep(3000);
    const rows = await store.db.selectFrom('sms').select('text').execute();
    assert.deepEqual(rows.map((r) => r.text).sort(), [...texts].sort(), 'every SMS exactly once');
    const parts = await store.db.selectFrom('sms_parts').select('dedup_key').execute();
    assert.equal(new Set(parts.map((p) => p.dedup_key)).size, parts.length);
  } finally {
    await sim.stop();
    panel.kill('SIGTERM');
    await new Promise((r) => { if (panel.exitCode !== null) r(null); else panel.once('exit', r); });
    await store.close();
  }
});
