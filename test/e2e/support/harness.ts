/**
 * End-to-end world: a real store, the device runtime behind a real fastify link route on loopback
 * (port 0), the pool service for desired state, and the simulator as hardware polling over HTTP —
 * all on one FakeClock, driven in simulated time. Between clock steps the harness lets the real
 * HTTP requests and database work finish, so a minute of device time takes well under a second.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../../src/lib/clock.ts';
import { createTestStore, type TestStore } from '../../../src/store/testing.ts';
import { createDeviceRuntime, type DeviceRuntime } from '../../../src/devices/runtime.ts';
import { buildApp } from '../../../src/http/app.ts';
import { linkRoutes } from '../../../src/http/link/route.ts';
import { createPoolService, type PoolService } from '../../../src/domain/pools/service.ts';
import { NO_FILTERS } from '../../../src/domain/pools/filters.ts';
import { simStatus } from '../../../src/domain/pools/status.ts';
import { getModel } from '../../../src/models/index.ts';
import { listSms, listCalls } from '../../../src/domain/inbox/inbox.ts';
import { parseFleet, type FleetDevice } from '../../../src/sim/fleet.ts';
import { Simulator } from '../../../src/sim/simulator.ts';
import { ServerModeClient } from '../../../src/devices/link/server-mode.ts';
import type { SessionTimings } from '../../../src/devices/session/online-session.ts';
import { addAggregator, addCard } from './world.ts';

export interface WorldDevice {
  readonly id: string;
  /** simnav model title (`SR-Nano-500`). */
  readonly model: string;
  /** simulator model id (`sr-nano-500`). */
  readonly simModel: FleetDevice['model'];
  readonly token: string;
  /** Cards: place and number (the same SIMs exist in the simulator). */
  readonly sims: ReadonlyArray<{ place: string; number: string; registration?: 'ok' | 'denied' | 'searching' | 'none' | 'roaming' }>;
  /** `server`: the panel calls the simulated device at its loopback address (device-link.md §2.5). */
  readonly link?: 'client' | 'server';
  /** Server mode: the device's local token (default `tok{n}`). */
  readonly serverToken?: string;
}

export interface World {
  readonly clock: FakeClock;
  readonly store: TestStore;
  readonly runtime: DeviceRuntime;
  readonly pools: PoolService;
  readonly sim: Simulator;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly aggregators: Map<string, number>;
  readonly cards: Map<string, number>;
  poolId: number;
  /** The pool key (clear text) of the world's pool. */
  readonly poolKey: string;
  /** Calls the pool API over HTTP while simulated time runs (`api: true` worlds only). */
  api(params: Record<string, string>): Promise<string>;
  drive(ms: number): Promise<void>;
  until(cond: () => boolean | Promise<boolean>, maxMs?: number): Promise<boolean>;
  status(number: string): Promise<string>;
  smsOf(number: string): Promise<Array<{ sender: string; text: string }>>;
  callsOf(number: string): Promise<Array<{ caller: string }>>;
  open(number: string): Promise<boolean>;
  close(number: string): Promise<void>;
  stop(): Promise<void>;
  /** The online session of the (first) aggregator. */
  session(id?: string): import('../../../src/devices/session/online-session.ts').OnlineSession;
}

async function settle(sim: Simulator): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    // Devices polling the panel, and the panel calling server-mode devices (less the requests a silent device holds).
    if (![...sim.devices.values()].some((d) => d.state === 'polling') && ServerModeClient.requestsInFlight <= sim.parkedRequests) break;
    await new Promise((r) => setTimeout(r, 1));
  }
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}

export async function createWorld(devices: readonly WorldDevice[], opts: { timings?: Partial<SessionTimings>; seed?: number; api?: boolean } = {}): Promise<World> {
  const clock = new FakeClock();
  const store = await createTestStore('sqlite');
  let pools: PoolService;
  let runtime: DeviceRuntime;
  let app: FastifyInstance;
  if (opts.api) {
    pools = createPoolService({ store, clock });
    app = await buildApp({ store, clock, pools, logLevel: false, deviceRuntime: true, sendSmsTimeoutMs: 90_000 });
    runtime = app.deviceRuntime;
  } else {
    pools = createPoolService({ store, clock });
    runtime = createDeviceRuntime({ store, clock, outbox: pools.outbox, ...(opts.timings ? { timings: opts.timings } : {}) });
    app = Fastify();
    await app.register(linkRoutes, { hub: runtime.hub });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/sr/`;
  const aggregators = new Map<string, number>();
  const cards = new Map<string, number>();
  const byNumber = new Map<string, number>();
  for (const d of devices) {
    const id = await addAggregator(store, d.model, d.token);
    aggregators.set(d.id, id);
    const model = getModel(d.model)!;
    for (const s of d.sims) {
      const c = await addCard(store, id, model.id, s.place, { number: s.number, operator: 'MTS RUS' });
      cards.set(`${d.id}:${s.place}`, c);
      byNumber.set(s.number, c);
    }
  }
  const created = await pools.create({ title: 'e2e', cardIds: [...cards.values()] });
  if (!created.ok) throw new Error(created.error.message);
  const fleet = parseFleet({
    seed: opts.seed ?? 7,
    devices: devices.map((d, i) => ({
      id: d.id, model: d.simModel, token: d.token, sims: d.sims.map((s) => ({ place: s.place, operator: 'mts', msisdn: s.number, ...(s.registration ? { registration: s.registration } : {}) })),
      ...(d.link === 'server' ? { link: 'server', serverToken: d.serverToken ?? `tok${i}` } : {}),
    })),
  });
  if (!fleet.ok) throw new Error(`${fleet.error.path}: ${fleet.error.message}`);
  const sim = new Simulator({ fleet: fleet.value, panelUrl: url, clock });
  if (devices.some((d) => d.link === 'server')) {
    // Server mode: the device listens first, then its aggregator learns where to call it (an
    // `api` world's runtime is already running: it takes the aggregator over now).
    await sim.listen();
    for (const d of devices) {
      const link = sim.serverLink(d.id);
      if (!link) continue;
      await store.db.updateTable('aggregators').set({ link_mode: 'server', server_ip: link.address, server_token: link.token }).where('id', '=', aggregators.get(d.id)!).execute();
      if (opts.api) await runtime.claim(aggregators.get(d.id)!);
    }
  }
  if (!opts.api) await runtime.start();
  sim.start();
  const base = url.replace(/\/sr\/$/, '');

  const w: World = {
    clock, store, runtime, pools, sim, app, url, aggregators, cards, poolId: created.value.pool.id, poolKey: created.value.key,
    async api(params) {
      const q = new URLSearchParams({ pool_key: created.value.key, ...params });
      let done = false;
      const p = fetch(`${base}/api/handler.php?${q}`).then((r) => r.text()).finally(() => { done = true; });
      for (let i = 0; i < 4000 && !done; i++) { await settle(sim); if (!done) await clock.advance(250); }
      return p;
    },
    async drive(ms) {
      const end = clock.now() + ms;
      while (clock.now() < end) { await settle(sim); await clock.advance(Math.min(250, end - clock.now())); }
      await settle(sim);
    },
    async until(cond, maxMs = 180_000) {
      const end = clock.now() + maxMs;
      while (clock.now() < end) {
        if (await cond()) return true;
        await settle(sim);
        await clock.advance(250);
      }
      await settle(sim);
      return cond();
    },
    async status(number) {
      const card = byNumber.get(number)!;
      const row = await store.db.selectFrom('card_online as co').innerJoin('aggregators as a', 'a.id', 'co.aggregator_id')
        .select(['co.desired', 'co.status_code', 'co.ring_caller', 'co.ring_at', 'a.last_heard_at', 'a.model']).where('co.card_id', '=', card).executeTakeFirst();
      if (!row) return 'INACTIVE';
      return simStatus({ desired: row.desired, statusCode: row.status_code, ringCaller: row.ring_caller, ringAt: row.ring_at, lastHeardAt: row.last_heard_at, reportsCalls: getModel(row.model)?.reportsCalls ?? false }, clock.now());
    },
    async smsOf(number) {
      return (await listSms(store.db, { cardIds: [byNumber.get(number)!] })).map((s) => ({ sender: s.sender, text: s.text }));
    },
    async callsOf(number) {
      return (await listCalls(store.db, { cardIds: [byNumber.get(number)!] })).map((c) => ({ caller: c.caller }));
    },
    async open(number) {
      const r = await pools.openNumber(w.poolId, { numbers: [number], filters: NO_FILTERS, repeat: true });
      runtime.wake();
      return r.ok;
    },
    async close(number) {
      await pools.closeNumbers(w.poolId, [number]);
      runtime.wake();
    },
    session(id) {
      const aggId = id === undefined ? [...aggregators.values()][0]! : aggregators.get(id)!;
      return runtime.session(aggId)!;
    },
    async stop() {
      await sim.stop();
      await runtime.stop();
      await app.close();
      await store.close();
    },
  };
  return w;
}
