/**
 * Link poll throughput (issue #5): how many device polls one panel process answers per second.
 * The server (a child process: fastify + the link route + the LinkHub, 1 000 aggregators on a
 * temporary SQLite database) answers classic idle polls (`step=0&data=REQUEST`) over HTTP/1.1
 * keep-alive; this process is the load client (64 connections, each waiting for its answer).
 * Also measured: the trivial-route floor of the same server, and the endpoint logic alone
 * (`LinkHub.handle`, no HTTP) in this process. Prints polls/s. Not a test.
 *
 *   npm run bench -- link-polls            (SECONDS=3 per measurement by default)
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const DEVICES = 1000;
const SECONDS = Number(process.env.SECONDS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const token = (i: number): string => String(7_000_000_000 + i);

async function setup(dbUrl: string) {
  const { openMigratedStore } = await import('../src/store/open-store.ts');
  const store = await openMigratedStore(dbUrl);
  const now = Date.now();
  const rows = Array.from({ length: DEVICES }, (_, i) => ({
    model: 'SR-Board', title: `bench ${i}`, link_token_hash: createHash('sha256').update(token(i)).digest('hex'), link_token_hint: '000',
    created_at: now, updated_at: now,
  }));
  for (let i = 0; i < rows.length; i += 200) await store.db.insertInto('aggregators').values(rows.slice(i, i + 200)).execute();
  return store;
}

async function serve(dbUrl: string): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { createDeviceRuntime } = await import('../src/devices/runtime.ts');
  const { linkRoutes } = await import('../src/http/link/route.ts');
  const { realClock } = await import('../src/lib/clock.ts');
  const { openMigratedStore } = await import('../src/store/open-store.ts');
  const store = await openMigratedStore(dbUrl);
  const runtime = createDeviceRuntime({ store, clock: realClock() });
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
  app.get('/floor', async () => 'ok');
  await app.register(linkRoutes, { hub: runtime.hub });
  const addr = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`READY ${addr}\n`);
}

async function load(base: string, path: (i: number) => string): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const end = Date.now() + SECONDS * 1000;
  let n = 0;
  let i = 0;
  const one = (): Promise<void> => new Promise((resolve, reject) => {
    http.get(base + path(i++), { agent }, (res) => { res.resume(); res.on('end', () => resolve()); }).on('error', reject);
  });
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (Date.now() < end) { await one(); n++; } }));
  agent.destroy();
  return n / SECONDS;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'simnav-bench-link-'));
  const dbUrl = `sqlite:${join(dir, 'bench.db')}`;
  try {
    const store = await setup(dbUrl);
    // In-process: the endpoint logic alone.
    const { LinkHub } = await import('../src/devices/link/link-hub.ts');
    const { createDeviceStateRepo } = await import('../src/domain/device-state/repo.ts');
    const { realClock } = await import('../src/lib/clock.ts');
    const hub = new LinkHub({ repo: createDeviceStateRepo(store, realClock()), clock: realClock() });
    for (let i = 0; i < DEVICES; i++) await hub.handle({ token: token(i), step: '0', data: 'REQUEST' });
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      for (let k = 0; k < 1000; k++) await hub.handle({ token: token((calls + k) % DEVICES), step: '0', data: 'REQUEST' });
      calls += 1000;
    }
    const inProcess = calls / ((performance.now() - t0) / 1000);
    hub.close();
    await store.close();

    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', dbUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    const base = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => { out += b.toString(); const m = /READY (\S+)/.exec(out); if (m) resolve(m[1]!); });
    });
    const poll = (i: number) => `/sr/link.php?token=${token(i % DEVICES)}&step=0&data=REQUEST`;
    await load(base, poll); // warm-up: every token looked up once
    const floor = await load(base, () => '/floor');
    const polls = await load(base, poll);
    child.kill('SIGTERM');
    console.log(`link polls, ${DEVICES} aggregators, ${CONCURRENCY} keep-alive connections, ${SECONDS} s each`);
    console.log(`  endpoint logic in process (LinkHub.handle, no HTTP): ${Math.round(inProcess).toLocaleString('en')} polls/s`);
    console.log(`  HTTP, trivial route (machine floor):                 ${Math.round(floor).toLocaleString('en')} req/s`);
    console.log(`  HTTP, GET /sr/link.php idle polls:                    ${Math.round(polls).toLocaleString('en')} polls/s (${Math.round((polls / floor) * 100)} % of the floor)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]!);
else await main();
