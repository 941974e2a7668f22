/**
 * The browser suite's world, in one process on loopback: a fresh SQLite store, `buildApp` (admin
 * API, events, console), the device runtime behind the link route, and the demo fleet of the
 * simulator polling it over real HTTP with its control API on its own port — what
 * `simnav serve --demo` runs, with faster simulated hardware so the suite stays short.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { realClock } from '../../../src/lib/clock.ts';
import { createTestStore, type TestStore } from '../../../src/store/testing.ts';
import { buildApp } from '../../../src/http/app.ts';
import { createDeviceRuntime, type DeviceRuntime } from '../../../src/devices/runtime.ts';
import { linkRoutes } from '../../../src/http/link/route.ts';
import { createUser } from '../../../src/domain/users/users.ts';
import { createAggregator } from '../../../src/domain/aggregators/aggregators.ts';
import { createCard } from '../../../src/domain/inventory/cards.ts';
import { getModel } from '../../../src/models/index.ts';
import { demoFleet } from '../../../src/sim/demo-fleet.ts';
import { Simulator } from '../../../src/sim/simulator.ts';
import { buildControlApi } from '../../../src/sim/control-api.ts';
import type { AdminCtx } from '../../../src/domain/auth/outcome.ts';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'browser');
export const PASSWORD = 'browser-suite-password';

export interface World {
  url: string;
  controlUrl: string;
  store: TestStore;
  app: FastifyInstance;
  /** The runtime the suite started (null when buildApp runs its own). */
  runtime: DeviceRuntime | null;
  sim: Simulator;
  /** Demo device id → aggregator id. */
  aggregators: Map<string, number>;
  /** Simulated SIMs: number, device, place. */
  sims: Array<{ number: string; device: string; place: string }>;
  stop(): Promise<void>;
}

const CSPN_TO_NAME: Record<string, string> = { mts: 'MTS RUS', beeline: 'Beeline', megafon: 'MegaFon', tele2: 'TELE2' };

export async function createWorld(): Promise<World> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const clock = realClock();
  const store = await createTestStore('sqlite');
  const ctx: AdminCtx = { db: store.db, clock };
  for (const [login, role] of [['admin', 'admin'], ['viewer', 'viewer']] as const) {
    const u = await createUser(ctx, { login, role, password: PASSWORD, lang: 'en' });
    if (!u.ok) throw new Error(`user ${login}: ${u.error.message}`);
  }
  // `deviceRuntime: true` is what `simnav serve` passes once buildApp owns the link route and the
  // runtime; until then (older buildApp) the suite wires the runtime itself, as serve would.
  const app = await buildApp({ store, clock, logLevel: false, ...({ deviceRuntime: true } as object) });
  let runtime: DeviceRuntime | null = null;
  if (!app.hasRoute({ method: 'GET', url: '/link.php' })) {
    runtime = createDeviceRuntime({
      store, clock, outbox: app.simnav.pools.outbox,
      timings: { rereadMs: 300, smsPollMs: 2000, regCheckMs: 5000, regRetryMs: 1000, seatTimeoutMs: 20_000, commandTimeoutMs: 10_000, sendTimeoutMs: 10_000 },
    });
    await app.register(linkRoutes, { hub: runtime.hub });
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' });

  const fleet = demoFleet();
  const fast = {
    ...fleet,
    timings: {
      device: { pollMs: 250, jitterMs: 50, rebootMs: 200, activationTimeoutMs: 10_000 },
      modem: { bootMs: 200, searchMs: 100, registerMs: 300, replyMs: 30, ussdMs: 300 },
      mechanics: { nanoSeatMs: 200, nanoStepMs: 5, trainRowMs: 50, bankSwitchMs: 100, organizerSwitchMs: 100 },
    },
  };
  const sim = new Simulator({ fleet: fast, panelUrl: `${url}/`, clock });
  const aggregators = new Map<string, number>();
  const tokens: Record<string, { token: string }> = {};
  for (const d of fast.devices) {
    const title = getModel(d.model)?.title ?? d.model;
    const a = await createAggregator(ctx, { model: title, title: `Demo ${title}` });
    if (!a.ok) throw new Error(`aggregator ${d.id}: ${a.error.message}`);
    aggregators.set(d.id, a.value.aggregator.id);
    tokens[d.id] = { token: a.value.token };
  }
  sim.setLinks(tokens);
  const sims: World['sims'] = [];
  for (const s of sim.sims()) {
    if (typeof s.device !== 'string' || typeof s.place !== 'string' || typeof s.number !== 'string') continue;
    const aggregatorId = aggregators.get(s.device);
    if (aggregatorId === undefined) continue;
    const c = await createCard(ctx, {
      aggregatorId, place: s.place, number: s.number, iccid: typeof s.iccid === 'string' ? s.iccid : null,
      operator: CSPN_TO_NAME[String(s.operator)] ?? null, balance: typeof s.balance === 'number' ? s.balance : null,
    });
    if (c.ok) sims.push({ number: s.number, device: s.device, place: s.place });
  }
  const control = buildControlApi(sim);
  const controlUrl = await control.listen({ port: 0, host: '127.0.0.1' });
  await runtime?.start();
  sim.start();
  void (app.server.address() as AddressInfo);
  return {
    url, controlUrl, store, app, runtime, sim, aggregators, sims,
    async stop() {
      await sim.stop();
      await runtime?.stop();
      await control.close();
      await app.close();
      await store.close();
    },
  };
}
