/**
 * Pool API benchmark (issue #3): a panel on a temporary SQLite database (or PostgreSQL with
 * `--db postgres://…`) holding 100 000 cards on 200 SR-Nano-500 aggregators, all in one pool.
 * The server runs in a child process; this process is the load client (HTTP/1.1 keep-alive,
 * a fixed number of workers, each request waits for its answer). Measured at concurrency 1 and 32:
 * a trivial fastify route in the same server process (the machine's floor), getPoolStatus,
 * getNumbers (filtered to 100 numbers), getSms (one number), and an openNumber→closeNumber cycle.
 * Each action is measured in slices alternating with the floor route (the shared machine's load
 * drifts within seconds), and its ratio is to the floor measured in those same slices.
 * Prints req/s, p50/p99 latency, the ratio to the floor and the server's RSS. Not a test.
 *
 *   npm run bench -- pool-api              (SECONDS=3 per measurement by default)
 *   NOWATCH=1 npm run bench -- pool-api    (without the console's store watch, to see its cost)
 *   SERVER_FLAGS='--max-semi-space-size=32' npm run bench -- pool-api   (V8 flags for the server)
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const AGGREGATORS = 200;
const PER_AGGREGATOR = 500;
const OPERATORS = ['MTS RUS', 'BEE', 'MEGAFON', 'TELE2', 'YOTA'];
const SECONDS = Number(process.env.SECONDS ?? 3);

// ── server side (child process) ───────────────────────────────────────────────────────────────
async function serve(dbUrl: string): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { openMigratedStore } = await import('../src/store/open-store.ts');
  const { buildApp } = await import('../src/http/app.ts');
  const { getModel, allPlaces, resolveSettings, placeKey } = await import('../src/models/index.ts');
  const store = await openMigratedStore(dbUrl);
  // NOWATCH=1: without the console's store watch (to see what it costs the pool API).
  const app = await buildApp({ store, logLevel: false, timeZone: 'UTC', ...(process.env.NOWATCH ? { events: { watch: false } } : {}) });
  const now = Date.now();
  const model = getModel('SR-Nano-500')!;
  const s = resolveSettings({});
  if (!s.ok) throw new Error('settings');
  const places = allPlaces(model, s.value).slice(0, PER_AGGREGATOR);
  const cardIds: number[] = [];
  let n = 0;
  for (let a = 0; a < AGGREGATORS; a++) {
    const agg = await store.db.insertInto('aggregators').values({
      model: 'SR-Nano-500', title: `bench ${a}`, link_token_hash: `bench-${a}`, link_token_hint: '', last_heard_at: now, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < places.length; i += 250) {
      const rows = places.slice(i, i + 250).map((p, j) => ({
        aggregator_id: agg.id, place: model.formatPlace(p), place_sort: placeKey(p), number: `79${String(++n).padStart(9, '0')}`,
        operator: OPERATORS[(i + j) % OPERATORS.length]!, created_at: now, updated_at: now,
      }));
      cardIds.push(...(await store.db.insertInto('cards').values(rows).returning('id').execute()).map((r) => r.id));
    }
  }
  const pool = await app.simnav.pools.create({ title: 'bench', cardIds });
  if (!pool.ok) throw new Error(pool.error.message);
  const smsCard = cardIds[12345]!;
  const smsNumber = `79${String(12346).padStart(9, '0')}`;
  for (let i = 0; i < 5; i++) {
    await store.db.insertInto('sms').values({ card_id: smsCard, number: smsNumber, sender: 'Bench', text: `Code ${1000 + i}`, received_at: now - i * 1000, read: 1 }).execute();
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const floor = Fastify({ logger: false });
  floor.get('/floor', async () => 'ok');
  floor.get('/rss', async () => ({ rss: process.memoryUsage().rss }));
  const floorUrl = await floor.listen({ host: '127.0.0.1', port: 0 });
  const firstAgg = (await store.db.selectFrom('aggregators').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  process.stdout.write(JSON.stringify({ url, floorUrl, key: pool.value.key, smsNumber, device: firstAgg + 7 }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => { void app.close().then(() => floor.close()).then(() => store.close()).then(() => process.exit(0)); });
}

// ── client side ───────────────────────────────────────────────────────────────────────────────
interface Result { name: string; conc: number; rps: number; p50: number; p99: number; errors: number }

function get(agent: http.Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/** Runs `op` with `conc` workers for `seconds` after `warmMs` of warm-up; raw latencies in ms. */
async function run(conc: number, op: (agent: http.Agent) => Promise<boolean>, seconds: number, warmMs: number): Promise<{ lat: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  const warmEnd = performance.now() + warmMs;
  const end = warmEnd + seconds * 1000;
  const lat: number[] = [];
  let errors = 0;
  const worker = async (): Promise<void> => {
    for (let i = 0; i < 1_000_000; i++) {
      const t = performance.now();
      if (t >= end) return;
      const ok = await op(agent);
      const done = performance.now();
      if (t >= warmEnd) { lat.push(done - t); if (!ok) errors++; }
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  agent.destroy();
  return { lat, errors };
}

/**
 * Measures `op` and the floor route in alternating slices (SLICES of each, SECONDS in all per
 * side), so that load from other processes on a shared machine hits both alike: the ratio
 * compares the two totals. The first slice of `op` starts with 500 ms of warm-up.
 */
const SLICES = Number(process.env.SLICES ?? 6);
async function measure(name: string, conc: number, op: (agent: http.Agent) => Promise<boolean>, floorOp: (agent: http.Agent) => Promise<boolean>): Promise<Result & { floorRps: number }> {
  const lat: number[] = [];
  let errors = 0; let floorCount = 0;
  for (let i = 0; i < SLICES; i++) {
    const f = await run(conc, floorOp, SECONDS / SLICES, i === 0 ? 200 : 0);
    floorCount += f.lat.length;
    const r = await run(conc, op, SECONDS / SLICES, i === 0 ? 500 : 0);
    lat.push(...r.lat); errors += r.errors;
  }
  lat.sort((a, b) => a - b);
  const q = (f: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * f))] ?? NaN;
  return { name, conc, rps: lat.length / SECONDS, p50: q(0.5), p99: q(0.99), errors, floorRps: floorCount / SECONDS };
}

/**
 * V8 flags for the server process, from SERVER_FLAGS (e.g. '--max-semi-space-size=32'), to try
 * heap settings; none by default, as `npm start` runs it. Measured 2026-11-27 (SQLite, cycle only):
 * semi-space 32 or 64 MB did not cut the cycle's p99 at c1 (3.3–4.0 ms without, 4.3 / 10.5 ms with)
 * and raised RSS 237–249 → 270 / 313 MB, so the server keeps V8's defaults.
 */
function serverV8Flags(): string[] {
  return (process.env.SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
}

async function main(): Promise<void> {
  const dbArg = process.argv.indexOf('--db');
  const dir = mkdtempSync(join(tmpdir(), 'simnav-bench-'));
  const dbUrl = dbArg > 0 ? process.argv[dbArg + 1]! : `sqlite:${join(dir, 'bench.db')}`;
  const self = fileURLToPath(import.meta.url);
  // PROF=dir writes a CPU profile of the server there; ONLY=<substring> runs matching lines only.
  const prof = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [];
  const child = spawn(process.execPath, [...serverV8Flags(), ...prof, '--import', 'tsx', self, '--serve', dbUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise<{ url: string; floorUrl: string; key: string; smsNumber: string; device: number }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const api = `${info.url}/api/handler.php?pool_key=${info.key}`;
  const isJson = (b: string) => b.startsWith('[') || b.startsWith('{');
  const ops: Array<[string, (agent: http.Agent) => Promise<boolean>]> = [
    ['floor (trivial fastify route)', async (a) => (await get(a, `${info.floorUrl}/floor`)).body === 'ok'],
    ['getPoolStatus', async (a) => isJson((await get(a, `${api}&action=getPoolStatus`)).body)],
    ['getNumbers (100 of 100 000)', async (a) => isJson((await get(a, `${api}&action=getNumbers&device_id=${info.device}&operator=BEE`)).body)],
    ['getSms (one number)', async (a) => isJson((await get(a, `${api}&action=getSms&number=${info.smsNumber}&period=86400`)).body)],
    ['openNumber→closeNumber', async (a) => {
      const n = (await get(a, `${api}&action=openNumber`)).body;
      if (!/^\d+$/.test(n)) return false;
      return (await get(a, `${api}&action=closeNumber&number=${n}`)).body === 'DONE';
    }],
  ];
  const results: Array<Result & { floorRps: number }> = [];
  // Sanity: the filtered getNumbers really returns 100 numbers.
  const sample = JSON.parse((await get(new http.Agent(), `${api}&action=getNumbers&device_id=${info.device}&operator=BEE`)).body) as unknown[];
  const only = process.env.ONLY;
  for (const conc of [1, 32]) {
    for (const [name, op] of ops) if (!only || name.startsWith('floor') || name.includes(only)) results.push(await measure(name, conc, op, ops[0]![1]));
  }
  const rss = JSON.parse((await get(new http.Agent(), `${info.floorUrl}/rss`)).body) as { rss: number };
  child.stdin!.end();
  await new Promise((r) => child.on('exit', r));
  rmSync(dir, { recursive: true, force: true });

  console.log(`pool API benchmark: ${AGGREGATORS * PER_AGGREGATOR} cards on ${AGGREGATORS} SR-Nano-500 in one pool, ${dbUrl.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL'}, ${SECONDS} s per line in ${SLICES} slices alternating with the floor; getNumbers sample = ${sample.length} numbers`);
  console.log('action                          conc     req/s   p50 ms   p99 ms  floor/s  ratio  errors');
  for (const r of results) {
    console.log(`${r.name.padEnd(30)} ${String(r.conc).padStart(5)} ${r.rps.toFixed(0).padStart(9)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.floorRps.toFixed(0).padStart(8)} ${(r.rps / r.floorRps * 100).toFixed(0).padStart(5)}% ${String(r.errors).padStart(7)}`);
  }
  console.log(`server V8 flags: ${serverV8Flags().join(' ') || '(none)'}`);
  console.log(`server RSS after the run: ${(rss.rss / 1024 / 1024).toFixed(0)} MB`);
}

if (process.argv.includes('--serve')) await serve(process.argv[process.argv.indexOf('--serve') + 1]!);
else await main();
