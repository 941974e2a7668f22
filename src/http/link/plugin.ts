/**
 * The device side of the app: the link route (./route.ts) and the device runtime behind it
 * (src/devices/runtime.ts). The hub always answers polls (liveness, tokens); sessions — which
 * drive the hardware — start with the app only when `start` is true (`simnav serve`), so tests
 * that build the app for other surfaces do not get sessions writing card state.
 * The runtime is reachable as `app.deviceRuntime`.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/open-store.ts';
import type { Clock } from '../../lib/clock.ts';
import type { PoolService } from '../../domain/pools/service.ts';
import { createDeviceRuntime, type DeviceRuntime } from '../../devices/runtime.ts';
import { linkRoutes, type PollHandler } from './route.ts';

/** What a cluster node (src/cluster) sets: the runtime's identity and leases, and what serves polls. */
export interface LinkClusterOptions {
  readonly runtime?: { readonly nodeId?: string; readonly leaseTtlMs?: number; readonly backgroundJobs?: boolean };
  readonly route?: (runtime: DeviceRuntime) => PollHandler;
}

declare module 'fastify' {
  interface FastifyInstance { deviceRuntime: DeviceRuntime }
}

export interface LinkPluginOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly pools: PoolService;
  /** Start the online sessions when the app is ready (default false). */
  readonly start?: boolean;
  readonly cluster?: LinkClusterOptions;
}

async function plugin(app: FastifyInstance, opts: LinkPluginOptions): Promise<void> {
  const runtime = createDeviceRuntime({ store: opts.store, clock: opts.clock, outbox: opts.pools.outbox, log: app.log, ...opts.cluster?.runtime });
  app.decorate('deviceRuntime', runtime);
  // Numbers opened or closed through the pool API here wake their sessions at once. Changes made
  // elsewhere, and those announced without card ids (pool edits, a pool restart), reach the
  // sessions through the runtime's desired-state watch within a second.
  const unChanged = opts.pools.onChanged((ids) => {
    if (ids) runtime.wakeCards(ids).catch((err: unknown) => app.log.warn({ err }, 'waking sessions failed'));
  });
  // A task unit may have written a card's number, ICCID, operator or balance behind the pool
  // service's back: its caches (numbers → cards) are dropped, and the console hears cards.changed.
  const unProgress = runtime.tasks.onProgress(() => { opts.pools.invalidate(); });
  await app.register(linkRoutes, { hub: opts.cluster?.route?.(runtime) ?? runtime.hub });
  if (opts.start) app.addHook('onReady', async () => { await runtime.start(); });
  app.addHook('onClose', async () => { unChanged(); unProgress(); await runtime.stop(); });
}

/** Registered at the root (not encapsulated) so `app.deviceRuntime` is visible everywhere. */
export const linkPlugin = Object.assign(plugin, { [Symbol.for('skip-override')]: true });
