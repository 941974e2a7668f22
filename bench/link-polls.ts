/**
 * Link poll throughput (issue #5): how many device polls one panel process answers per second.
 * The server (a child process: fastify + the link route + the LinkHub, 1 000 aggregators on a
 * temporary SQLite database) answers classic idle polls (`step=0&data=REQUEST`) over HTTP/1.1
 * keep-alive; this process is the load client (64 connections, each waiting for its answer, like
 * devices). The client writes prebuilt requests on raw sockets and only counts the answers: a
 * node `http.Agent` client costs more CPU than the server it measures, and on a 2-core machine
 * it was the bottleneck (the floor it measured was its own limit, with the server half idle).
 * Each figure is printed with the server's CPU use over the run (100 % = one core), so a
 * client-bound figure shows. Also measured: the trivial-route floor of the same server (in
 * slices alternating with the link route, so machine load drifts hit both alike), and the
 * endpoint logic alone (`LinkHub.handle`, no HTTP) in this process. Not a test.
 *
 *   npm run bench -- link-polls            (SECONDS=3 per measurement by default)
 *   PROFILE=dir npm run bench -- link-polls   (the server writes a V8 CPU profile into dir)
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const DEVICES = 1000;
const SECONDS = Number(process.env.SECONDS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const SLICES = Number(process.env.SLICES ?? 6);
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
  app.get('/cpu', async () => { const u = process.cpuUsage(); return String(u.user + u.system); });
  await app.register(linkRoutes, { hub: runtime.hub });
  const addr = await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('SIGTERM', () => { void app.close().finally(() => process.exit(0)); }); // exit cleanly: --cpu-prof writes on exit
  process.stdout.write(`READY ${addr}\n`);
}

/** Server CPU time so far, µs (its `/cpu` route). */
async function serverCpu(base: string): Promise<number> {
  return Number(await (await fetch(`${base}/cpu`)).text());
}

/**
 * `CONCURRENCY` keep-alive connections for `ms`, each sending its next GET when the previous
 * answer is complete (Content-Length framing). Returns answers and the server's CPU share.
 */
async function load(base: string, path: (i: number) => string, ms: number): Promise<{ n: number; wallMs: number; cpuUs: number; clientUs: number }> {
  const { hostname, port } = new URL(base);
  const cpu0 = await serverCpu(base);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + ms;
  let n = 0;
  let i = 0;
  const conn = (): Promise<void> => new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    sock.setNoDelay(true);
    let buf = '';
    const send = (): void => { sock.write(`GET ${path(i++)} HTTP/1.1\r\nHost: bench\r\n\r\n`); };
    sock.on('connect', send);
    sock.on('error', reject);
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const head = buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, head))?.[1] ?? 0);
        if (buf.length < head + 4 + len) return;
        buf = buf.slice(head + 4 + len);
        n++;
        if (performance.now() >= end) { sock.destroy(); resolve(); return; }
        send();
      }
    });
  });
  await Promise.all(Array.from({ length: CONCURRENCY }, conn));
  const wallMs = performance.now() - t0;
  const own = process.cpuUsage(own0);
  return { n, wallMs, cpuUs: (await serverCpu(base)) - cpu0, clientUs: own.user + own.system };
}

/** Alternates `slices` slices of the floor route and the link route; totals of each. */
async function alternate(base: string, poll: (i: number) => string) {
  const sliceMs = (SECONDS * 1000) / SLICES;
  const sum = { floor: { n: 0, wallMs: 0, cpuUs: 0, clientUs: 0 }, polls: { n: 0, wallMs: 0, cpuUs: 0, clientUs: 0 } };
  for (let k = 0; k < SLICES; k++) {
    for (const [key, path] of [['floor', () => '/floor'], ['polls', poll]] as const) {
      const r = await load(base, path, sliceMs);
      sum[key].n += r.n; sum[key].wallMs += r.wallMs; sum[key].cpuUs += r.cpuUs; sum[key].clientUs += r.clientUs;
    }
  }
  const rate = (x: { n: number; wallMs: number }) => x.n / (x.wallMs / 1000);
  const cpu = (x: { wallMs: number; cpuUs: number }) => Math.round((x.cpuUs / 1000 / x.wallMs) * 100);
  const client = (x: { wallMs: number; clientUs: number }) => Math.round((x.clientUs / 1000 / x.wallMs) * 100);
  return { floor: rate(sum.floor), floorCpu: cpu(sum.floor), polls: rate(sum.polls), pollsCpu: cpu(sum.polls), clientCpu: client(sum.polls),
    perCpuSecond: sum.polls.n / (sum.polls.cpuUs / 1e6) };
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

    const prof = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', fileURLToPath(import.meta.url), 'serve', dbUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    const base = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => { out += b.toString(); const m = /READY (\S+)/.exec(out); if (m) resolve(m[1]!); });
    });
    const poll = (i: number) => `/sr/link.php?token=${token(i % DEVICES)}&step=0&data=REQUEST`;
    await load(base, poll, 1000); // warm-up: every token looked up once, JIT
    const r = await alternate(base, poll);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const f = (x: number) => Math.round(x).toLocaleString('en');
    console.log(`link polls, ${DEVICES} aggregators, ${CONCURRENCY} keep-alive connections, ${SECONDS} s each (in ${SLICES} alternating slices), raw-socket client`);
    console.log(`  endpoint logic in process (LinkHub.handle, no HTTP): ${f(inProcess)} polls/s`);
    console.log(`  HTTP, trivial route (machine floor):                 ${f(r.floor)} req/s   (server CPU ${r.floorCpu} % of a core)`);
    console.log(`  HTTP, GET /sr/link.php idle polls:                    ${f(r.polls)} polls/s (server CPU ${r.pollsCpu} % of a core) = ${Math.round((r.polls / r.floor) * 100)} % of the floor`);
    console.log(`  load client (this process) CPU during the link run: ${r.clientCpu} % of a core; server capacity ${f(r.perCpuSecond)} polls per CPU-second`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]!);
else await main();
