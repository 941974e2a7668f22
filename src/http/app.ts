/**
 * The fastify application, built separately from `listen` (tests and `simnav serve` both use it).
 *
 *   const app = await buildApp({ store });      // app.simnav.pools, app.simnav.metrics, …
 *   await app.listen({ host: '127.0.0.1', port: 0 });
 *
 * Each surface is one plugin registered below (STYLE.md §8). To add yours, add ONE
 * `await app.register(...)` line in the "Plugins" block.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Store } from '../store/open-store.ts';
import { realClock } from '../lib/clock.ts';
import type { Clock } from '../lib/clock.ts';
import { createPoolService } from '../domain/pools/service.ts';
import type { PoolService } from '../domain/pools/service.ts';
import { hostTimeZone } from '../config/config.ts';
import { createMetrics, metricsRoutes } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { healthRoutes } from './health/health.ts';
import { eventsPlugin } from './events/plugin.ts';
import { consoleApiPlugin } from './console-api/plugin.ts';
import { consolePlugin } from './console/plugin.ts';
import { poolApiRoutes } from './pool-api/plugin.ts';
import { timeFormatter } from './pool-api/time.ts';
import type { BadKeyLimiterOptions } from './pool-api/bad-key-limiter.ts';
import { adminApi } from './admin/plugin.ts';
import { apiRouteCatalogue } from './admin/api-routes.ts';
import { linkPlugin, type LinkClusterOptions } from './link/plugin.ts';
import { deviceActionsPlugin } from './device-actions/plugin.ts';
import { tasksPlugin } from './tasks/plugin.ts';
import type { EventBus } from '../domain/events/bus.ts';

export interface AppDeps {
  store: Store;
  /** Default: the real clock. */
  clock?: Clock;
  /** IANA zone for the pool API's `time` fields. Default: the host's zone. */
  timeZone?: string;
  /** How long sendSms waits for the modem's verdict. Default 60 s. */
  sendSmsTimeoutMs?: number;
  /** pino level, or false for no logs. Default 'info'. */
  logLevel?: string | false;
  /** Shared services; built here when absent. */
  pools?: PoolService;
  metrics?: Metrics;
  /** BAD_KEY limiter tuning (tests). */
  badKey?: BadKeyLimiterOptions;
  /** Largest request body, bytes (413 above). Default 1 MiB. */
  bodyLimit?: number;
  /** Start the device runtime's online sessions with the app (`simnav serve`). Default false: link polls are answered, nothing is driven. */
  deviceRuntime?: boolean;
  /** Cluster (src/cluster): the bus to relay, and whether this node runs the store watch (a cluster runs one). */
  events?: { bus?: EventBus; watch?: boolean };
  /** Cluster (src/cluster): the runtime's node id and lease options, and the router that serves polls. */
  link?: LinkClusterOptions;
}

/** What the plugins share; reachable as `app.simnav`. */
export interface SimnavContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly pools: PoolService;
  readonly metrics: Metrics;
  readonly timeZone: string;
}

declare module 'fastify' {
  interface FastifyInstance { simnav: SimnavContext }
}

/** Request log lines carry the path only: query strings hold pool keys and SMS text. */
function loggerOptions(level: string | false): FastifyServerOptions['logger'] {
  if (level === false) return false;
  return {
    level,
    serializers: {
      req(req: { method: string; url: string; ip?: string }) {
        return { method: req.method, path: req.url.split('?')[0], remoteAddress: req.ip };
      },
    },
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? realClock();
  const timeZone = deps.timeZone ?? hostTimeZone();
  const pools = deps.pools ?? createPoolService({ store: deps.store, clock });
  const metrics = deps.metrics ?? createMetrics(deps.store);
  const app = Fastify({
    logger: loggerOptions(deps.logLevel ?? 'info'),
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
  });
  const simnav: SimnavContext = { store: deps.store, clock, pools, metrics, timeZone };
  app.decorate('simnav', simnav);

  // ── Plugins (one line each) ──────────────────────────────────────────────────────────────
  await app.register(apiRouteCatalogue, { under: '/api/v1' });
  await app.register(healthRoutes, { store: deps.store });
  await app.register(metricsRoutes, { metrics });
  await app.register(poolApiRoutes, {
    deps: { store: deps.store, clock, pools, formatTime: timeFormatter(timeZone), sendSmsTimeoutMs: deps.sendSmsTimeoutMs ?? 60_000 },
    metrics, ...(deps.badKey ? { badKey: deps.badKey } : {}),
  });
  await app.register(adminApi, { prefix: '/api/v1', store: deps.store, pools, clock });
  await app.register(eventsPlugin, { store: deps.store, clock, ...deps.events });
  await app.register(consoleApiPlugin, { prefix: '/api/v1', store: deps.store, clock });
  await app.register(consolePlugin, {});
  await app.register(linkPlugin, { store: deps.store, clock, pools, start: deps.deviceRuntime === true, ...(deps.link ? { cluster: deps.link } : {}) });
  await app.register(deviceActionsPlugin, { prefix: '/api/v1', store: deps.store, clock });
  await app.register(tasksPlugin, { prefix: '/api/v1', store: deps.store, clock });
  // ─────────────────────────────────────────────────────────────────────────────────────────

  return app;
}
