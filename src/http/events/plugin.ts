/**
 * The live-events plugin, registered under `/api/v1` by `buildApp`:
 *
 *     await app.register(eventsPlugin, { prefix: '/api/v1', ctx, bus });
 *
 * It authenticates with the admin API's hook (session cookie or bearer token, src/http/auth/) and
 * serves `GET /api/v1/events` (./events-route.ts). The bus itself is src/domain/events/bus.ts.
 */
import type { FastifyInstance } from 'fastify';
import { authHook } from '../auth/authenticate.ts';
import { sendError } from '../errors.ts';
import { registerEventsRoute, type EventsRouteOptions } from './events-route.ts';

export async function eventsPlugin(app: FastifyInstance, o: EventsRouteOptions): Promise<void> {
  app.addHook('onRequest', authHook(o.ctx));
  app.setErrorHandler((err, req, reply) => {
    req.log.warn({ err }, 'events: request failed');
    return sendError(reply, 'SIMNAV_ERR_VALIDATION');
  });
  registerEventsRoute(app, o);
}

