/**
 * Pool API throughput with one node and with three nodes on PostgreSQL, beside one node on SQLite
 * (issue #7). Each configuration runs real `simnav serve` processes on a fresh database (50 × SR-Box-8
 * with 8 SIMs, one pool), behind the round-robin balancer of the cluster test; CLIENTS concurrent
 * clients (each on its own aggregator, `device_id`) loop openNumber(mode=repeat) → getSimStatus → getSms →
 * closeNumber for SECONDS seconds.
 * Not a test: it prints its figures. `npm run bench -- cluster` (env BENCH_SECONDS, BENCH_CLIENTS).
 * On a 2-core machine three nodes share the same cores as one: the figure shows the cost of the
 * cluster machinery more than its scaling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStore, type TestStore } from '../src/store/testing.ts';
import { openMigratedStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/open-store.ts';
import { createPoolService } from '../src/domain/pools/service.ts';
import { realClock } from '../src/lib/clock.ts';
import { addAggregator, addCard } from '../test/e2e/support/world.ts';
import { startRoundRobin } from '../test/cluster/support/round-robin.ts';
import { startServeNode, type ServeNode } from '../test/cluster/support/nodes.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const BOXES = 50;
const PLACES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

async function seed(store: Store): Promise<{ key: string; aggregators: number[] }> {
  const cards: number[] = [];
  const aggregators: number[] = [];
  for (let b = 0; b < BOXES; b++) {
    const id = await addAggregator(store, 'SR-Box-8', `80000${String(b).padStart(5, '0')}`);
    aggregators.push(id);
    for (let i = 0; i < PLACES.length; i++) cards.push(await addCard(store, id, 'sr-box-8', PLACES[i]!, { number: `7927${String(b).padStart(3, '0')}${String(i).padStart(4, '0')}`, operator: 'MTS RUS' }));
  }
  const pool = await createPoolService({ store, clock: realClock() }).create({ title: 'bench', cardIds: cards });
  if (!pool.ok) throw new Error(pool.error.message);
  return { key: pool.value.key, aggregators };
}

interface Figures { requests: number; opens: number; errors: number; p50: number; p99: number }

async function load(base: string, key: string, aggregators: readonly number[]): Promise<Figures> {
  const lat: number[] = [];
  let requests = 0, opens = 0, errors = 0;
  const end = Date.now() + SECONDS * 1000;
  const call = async (params: Record<string, string>): Promise<string | null> => {
    const t = performance.now();
    try {
      const r = await fetch(`${base}/api/handler.php?${new URLSearchParams({ pool_key: key, ...params })}`);
      const body = await r.text();
      requests++;
      lat.push(performance.now() - t);
      return r.status === 200 ? body : null;
    } catch { errors++; return null; }
  };
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    // each client works on its own aggregator (device_id), as farms split clients by device
    const device = String(aggregators[c % aggregators.length]);
    while (Date.now() < end) {
      const number = await call({ action: 'openNumber', mode: 'repeat', device_id: device });
      if (number === null || !/^\d+$/.test(number)) { errors++; continue; }
      opens++;
      await call({ action: 'getSimStatus', number });
      await call({ action: 'getSms', number });
      await call({ action: 'closeNumber', number });
    }
  }));
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return { requests: requests / SECONDS, opens: opens / SECONDS, errors, p50: q(0.5), p99: q(0.99) };
}

async function run(label: string, nodesWanted: number, open: () => Promise<{ url: string; store: Store; close(): Promise<void> }>): Promise<[string, Figures]> {
  const db = await open();
  const { key, aggregators } = await seed(db.store);
  const nodes: ServeNode[] = [];
  try {
    for (const r of await Promise.allSettled(Array.from({ length: nodesWanted }, (_, i) => startServeNode(`bench-${i + 1}`, db.url)))) {
      if (r.status === 'fulfilled') nodes.push(r.value); else throw r.reason;
    }
    const lb = await startRoundRobin(nodes.map((n) => n.url));
    try {
      await load(lb.url, key, aggregators); // warm-up (JIT, caches, connections) — not counted
      return [label, await load(lb.url, key, aggregators)];
    } finally { await lb.close(); }
  } finally {
    for (const n of nodes) { n.child.kill('SIGTERM'); await n.exited; }
    await db.close();
  }
}

async function main(): Promise<void> {
  const results: Array<[string, Figures]> = [];
  results.push(await run('SQLite, 1 node', 1, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simnav-bench-'));
    const url = `sqlite:${join(dir, 'bench.db')}`;
    const store = await openMigratedStore(url);
    return { url, store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }));
  for (const n of [1, 3]) {
    results.push(await run(`PostgreSQL, ${n} node${n > 1 ? 's' : ''}`, n, async () => {
      const s: TestStore = await createTestStore('postgres');
      return { url: s.url, store: s, close: () => s.close() };
    }));
  }
  console.log(`pool API throughput, ${CLIENTS} clients, ${SECONDS} s per run, loop openNumber→getSimStatus→getSms→closeNumber`);
  console.log(`${'configuration'.padEnd(20)} ${'req/s'.padStart(8)} ${'opens/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`);
  for (const [label, f] of results) {
    console.log(`${label.padEnd(20)} ${f.requests.toFixed(0).padStart(8)} ${f.opens.toFixed(0).padStart(8)} ${f.p50.toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(8)} ${String(f.errors).padStart(7)}`);
  }
}

await main();
