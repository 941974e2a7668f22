/**
 * The admin API plugin, registered by buildApp under `/api/v1` (issue #3 items 5–6):
 *
 *   await app.register(adminApi, { prefix: '/api/v1', store, pools });
 *
 * Encapsulated: its error handler, body parsers and hooks apply to `/api/v1` only. Hooks: the
 * auth check (../auth/authenticate.ts) on every request; on the way out every successful
 * state-changing request writes one audit row, and every answer is `no-store` (secrets are shown
 * once and must not sit in caches).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/open-store.ts';
import type { PoolService } from '../../domain/pools/service.ts';
import { type Clock, realClock } from '../../lib/clock.ts';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { createRateLimiter } from '../../domain/auth/rate-limit.ts';
import { writeAudit } from '../../domain/audit/audit.ts';
import { installErrorHandlers } from '../errors.ts';
import { authHook, isSafeMethod } from '../auth/authenticate.ts';
import { sessionRoutes } from '../auth/session-routes.ts';
import { createRouter, type AdminDeps } from './route.ts';
import { buildOpenApi, type DocRoute } from './openapi.ts';
import type {} from './api-routes.ts'; // `app.apiRoutes`
import { aggregatorRoutes } from './aggregators.ts';
import { cardRoutes } from './cards.ts';
import { poolRoutes } from './pools.ts';
import { messageRoutes } from './messages.ts';
import { operatorRoutes } from './operators.ts';
import { userRoutes } from './users.ts';

export interface AdminApiOptions {
  store: Store;
  pools: PoolService;
  clock?: Clock;
  /** Base URL devices reach this panel at, e.g. `http://panel.example:8080` (link URLs); default: from the request. */
  publicUrl?: string;
  /** Failed sign-ins allowed per client address and per login within the window (default 10 per 15 min). */
  signInLimit?: { failures: number; windowMs: number };
}

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function adminApi(app: FastifyInstance, opts: AdminApiOptions): Promise<void> {
  const clock = opts.clock ?? realClock();
  const ctx: AdminCtx = { db: opts.store.db, clock };
  const limit = opts.signInLimit ?? { failures: 10, windowMs: 15 * 60_000 };
  const deps: AdminDeps = {
    ctx, store: opts.store, pools: opts.pools, publicUrl: opts.publicUrl,
    limiter: createRateLimiter(clock, { limit: limit.failures, windowMs: limit.windowMs }),
  };

  installErrorHandlers(app);
  app.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer' }, (_req, payload, done) => done(null, payload));
  app.addHook('onRequest', authHook(ctx));
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    if (isSafeMethod(req.method) || reply.statusCode >= 400 || req.routeOptions.config.access === undefined) return payload;
    const note = req.auditNote;
    const actor = note?.actor ?? req.principal?.actor;
    if (actor === undefined) return payload;
    try {
      await writeAudit(ctx, {
        actor, action: note?.action ?? `${req.method} ${req.routeOptions.url ?? ''}`, ip: req.ip,
        ...(note?.target !== undefined ? { target: note.target } : {}), ...(note?.details ? { details: note.details } : {}),
      });
    } catch (err) {
      req.log.error({ err }, 'audit row not written');
    }
    return payload;
  });

  const router = createRouter(app);
  sessionRoutes(router, deps);
  aggregatorRoutes(router, deps);
  cardRoutes(router, deps);
  poolRoutes(router, deps);
  messageRoutes(router, deps);
  operatorRoutes(router, deps);
  userRoutes(router, deps);

  const prefix = app.prefix;
  /** This plugin's declarations, then what the other /api/v1 plugins serve (./api-routes.ts, when buildApp registers it). */
  const documentedRoutes = (): DocRoute[] => {
    const mine = new Set(router.routes.map((r) => `${String(r.method)} ${r.url}`));
    const others = app.hasDecorator('apiRoutes') ? app.apiRoutes.filter((r) => !mine.has(`${String(r.method)} ${r.url}`)) : [];
    return [...router.routes, ...others];
  };
  let doc: unknown;
  router.add({
    method: 'GET', url: '/openapi.json', access: 'public', tags: ['meta'], summary: 'This API described as OpenAPI 3.1',
    async handler(_req, reply) {
      doc ??= buildOpenApi(documentedRoutes(), { prefix, version: VERSION });
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(doc));
    },
  });
}
