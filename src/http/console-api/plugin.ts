/**
 * Admin-API endpoints the console needs that the admin API does not offer (yet), registered by
 * `buildApp` under `/api/v1` with the admin API's authentication (session + CSRF, or bearer):
 *
 *     await app.register(consoleApiPlugin, { prefix: '/api/v1', store: deps.store, clock });
 *
 * - `GET /aggregators/:id/layout` — slot map from the model descriptor (./layout.ts)
 * - `GET /online`, `POST /online`, `POST /online/stop`, `POST /online/:cardId/sms` (./online.ts)
 * - `PATCH /me` — own language (./me.ts)
 * - `GET /sms/:id/parts` — raw PDUs of a message (./sms-parts.ts)
 * - `GET /settings`, `PUT /settings` — time zone, retention, SMS storage, terminal quick commands (./settings.ts)
 * A route the admin API already serves is skipped here (theirs wins), so both can grow.
 * Contracts the console already calls but nobody serves yet are listed in ./README.md; the
 * console shows "not available" for them (a 404 `SIMNAV_ERR_ROUTE_NOT_FOUND`).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/open-store.ts';
import { realClock, type Clock } from '../../lib/clock.ts';
import type { AdminCtx } from '../../domain/auth/outcome.ts';
import { authHook } from '../auth/authenticate.ts';
import { classifyError, sendError } from '../errors.ts';
import { layoutRoute } from './layout.ts';
import { onlineRoutes } from './online.ts';
import { meRoute } from './me.ts';
import { DEFAULT_TERMINAL_COMMANDS, settingsRoutes } from './settings.ts';
import { smsPartsRoute } from './sms-parts.ts';
import type { ConsoleRoute } from './route.ts';

export interface ConsoleApiOptions { store: Store; clock?: Clock }

/** One line each for the OpenAPI document (../admin/api-routes.ts), for routes that carry none. */
const SUMMARIES: Readonly<Record<string, string>> = {
  'GET /aggregators/:id/layout': 'Slots as the hardware is laid out, with each slot\'s card, operator colour and online state',
  'GET /online': 'Cards desired online or still reported online, with channel and status code',
  'POST /online': 'Puts cards of one aggregator online (what fits the modems); answers online, refused and released places',
  'POST /online/stop': 'Takes cards, or every card of an aggregator, offline',
  'POST /online/:cardId/sms': 'Queues an SMS from an online card (audited without its text)',
  'PATCH /me': 'The signed-in user\'s own language',
  'GET /sms/:id/parts': 'The raw PDUs of a message, in order',
  'GET /settings': 'Time zone, retention of SMS and calls, SMS storage, terminal quick commands',
  'PUT /settings': 'Changes time zone, retention, SMS storage or the terminal quick commands (admin)',
};

export async function consoleApiPlugin(app: FastifyInstance, o: ConsoleApiOptions): Promise<void> {
  const ctx: AdminCtx = { db: o.store.db, clock: o.clock ?? realClock() };
  app.addHook('onRequest', authHook(ctx));
  app.addHook('onSend', async (_req, reply, payload) => { reply.header('cache-control', 'no-store'); return payload; });
  app.setErrorHandler((err, req, reply) => {
    const { code, message } = classifyError(err as Parameters<typeof classifyError>[0]);
    if (code === 'SIMNAV_ERR_INTERNAL') req.log.error({ err }, 'console api: unhandled error');
    return sendError(reply, code, message);
  });
  const defaults = () => ({ timeZone: app.simnav?.timeZone ?? 'UTC', retentionDays: 0, smsStorage: 'delete' as const, terminalCommands: [...DEFAULT_TERMINAL_COMMANDS] });
  const routes: ConsoleRoute[] = [layoutRoute(ctx), ...onlineRoutes(ctx), meRoute(ctx), ...settingsRoutes(ctx, defaults), smsPartsRoute(ctx)];
  for (const r of routes) {
    if (app.hasRoute({ method: r.method, url: `${app.prefix}${r.url}` })) continue;
    app.route({
      method: r.method, url: r.url, ...(r.schema ? { schema: r.schema } : {}),
      config: { access: r.access, tags: ['console'], summary: r.summary ?? SUMMARIES[`${r.method} ${r.url}`] ?? `${r.method} ${r.url}` }, handler: r.handler,
    });
  }
}
