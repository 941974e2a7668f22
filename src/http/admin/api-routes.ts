/**
 * Every route served under `/api/v1`, whichever plugin registers it (admin API, console API, tasks,
 * device actions, events), so the OpenAPI document (./openapi.ts) describes them all. Registered
 * first by `buildApp`, at the root, before the plugins it watches:
 *
 *     await app.register(apiRouteCatalogue, { under: '/api/v1' });
 *
 * It is not encapsulated (skip-override): its `onRoute` hook sits on the root, so it sees the routes
 * of every plugin registered after it, and `app.apiRoutes` is readable from all of them. A route is
 * described by what fastify validates with (its schema) and the `config` every /api/v1 route
 * carries (`access`, `summary`, `tags`: src/http/auth/authenticate.ts), so it cannot drift.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { JsonSchema, RouteDef } from './route.ts';

/** A route of another plugin, as the document needs it (url without the prefix). */
export type ApiRoute = Pick<RouteDef, 'method' | 'url' | 'access' | 'summary' | 'tags' | 'schema'>;

declare module 'fastify' {
  interface FastifyInstance { apiRoutes: ApiRoute[] }
}

/** `under`: the path the catalogue watches (not `prefix`: this plugin opens no context of its own). */
export interface ApiRouteCatalogueOptions { under: string }

function describe(r: RouteOptions, prefix: string): ApiRoute[] {
  const url = r.url.slice(prefix.length) || '/';
  const c = r.config ?? {};
  // Routes outside the access model (none today) are documented as needing a signed-in reader.
  const access = c.access ?? 'read';
  return [r.method].flat().filter((m) => m !== 'HEAD').map((method) => ({
    method, url, access,
    summary: c.summary ?? `${method} ${url}`,
    tags: c.tags ?? ['console'],
    ...(r.schema ? { schema: r.schema as ApiRoute['schema'] & Record<string, JsonSchema> } : {}),
  }));
}

export async function apiRouteCatalogue(app: FastifyInstance, o: ApiRouteCatalogueOptions): Promise<void> {
  const routes: ApiRoute[] = [];
  app.decorate('apiRoutes', routes);
  app.addHook('onRoute', (r) => {
    if (r.url === o.under || r.url.startsWith(`${o.under}/`)) routes.push(...describe(r, o.under));
  });
}
// Not encapsulated: the hook and the decorator belong to the instance that registers it (the root).
(apiRouteCatalogue as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
