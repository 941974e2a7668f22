/**
 * Live events, registered by `buildApp` with one line:
 *
 *     await app.register(eventsPlugin, { store: deps.store, clock });
 *
 * It creates the panel's event bus (src/domain/events/bus.ts) and exposes it as `app.events`, so
 * any surface or service built after it can `app.events.publish({ type: 'sms.received', … })`;
 * publishes the pool service's changes (./writer-events.ts); starts the store watch
 * (./store-watch.ts) that publishes changes written by code that does not publish itself; and serves `GET /api/v1/events` (./events-route.ts) behind the admin API's
 * authentication (session cookie or bearer token). Not encapsulated (so `app.events` is visible to
 * siblings); the route and its hook live in an encapsulated child under `/api/v1`.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/open-store.ts';
import { realClock, type Clock } from '../../lib/clock.ts';
import { createEventBus, type EventBus } from '../../domain/events/bus.ts';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { authHook } from '../auth/authenticate.ts';
import { classifyError, sendError } from '../errors.ts';
import { registerEventsRoute } from './events-route.ts';
import { startStoreWatch } from './store-watch.ts';
import { publishWriterEvents } from './writer-events.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The panel's event bus (src/domain/events/README.md). */
    events: EventBus;
  }
}

export interface EventsPluginOptions {
  store: Store;
  clock?: Clock;
  /** A bus built elsewhere (tests, cluster relay); default: a new one. */
  bus?: EventBus;
  /** Publish store changes (default true; interval 1 s). */
  watch?: boolean | { intervalMs: number };
  heartbeatMs?: number;
  maxStreamsPerPrincipal?: number;
}

async function eventsPluginImpl(app: FastifyInstance, o: EventsPluginOptions): Promise<void> {
  const clock = o.clock ?? realClock();
  const ctx: AdminCtx = { db: o.store.db, clock };
  const bus = o.bus ?? createEventBus({ clock, onError: (err) => app.log.warn({ err }, 'events: a subscriber failed') });
  app.decorate('events', bus);
  // buildApp decorates `simnav` (with the pool service) before registering this plugin.
  const pools = app.simnav?.pools;
  if (pools) {
    const stop = publishWriterEvents({ bus, clock, pools });
    app.addHook('onClose', async () => { stop(); });
  }
  if (o.watch !== false) {
    const intervalMs = typeof o.watch === 'object' ? o.watch.intervalMs : 1000;
    let watch: Awaited<ReturnType<typeof startStoreWatch>> | null = null;
    app.addHook('onReady', async () => {
      watch = await startStoreWatch({ store: o.store, clock, bus, intervalMs, onError: (err) => app.log.warn({ err }, 'events: store watch failed') });
    });
    app.addHook('onClose', async () => { watch?.stop(); });
  }
  await app.register(async (child) => {
    child.addHook('onRequest', authHook(ctx));
    child.setErrorHandler((err, req, reply) => {
      const { code, message } = classifyError(err as Parameters<typeof classifyError>[0]);
      req.log.warn({ err }, 'events: request failed');
      return sendError(reply, code, message);
    });
    registerEventsRoute(child, { ctx, bus, ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}), ...(o.maxStreamsPerPrincipal !== undefined ? { maxStreamsPerPrincipal: o.maxStreamsPerPrincipal } : {}) });
  }, { prefix: '/api/v1' });
}

/** Not encapsulated (fastify's skip-override), so `app.events` reaches sibling plugins. */
export const eventsPlugin = Object.assign(eventsPluginImpl, { [Symbol.for('skip-override')]: true });
